"""Study 2: a ViT and an FCNN on ClimateBench (forcing maps -> surface temperature), scored
with ClimateBench's NRMSE metrics on ssp245, 2080-2100."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
import xarray as xr
from torch import nn

from odfa.data.climatebench import as_time_series, write_netcdf
from odfa.data.prepared import load_climate_split
from odfa.feedback.methods import TrainingMethod
from odfa.models import FCNN, FCNNConfig, parameter_count
from odfa.models.vit import ViT, ViTConfig
from odfa.studies.training_job import TrainingJob, run_training_job
from odfa.train import TrainingConfig, TrainingResult

PREDICTION_BATCH = 64
DATA_FILES = ("train.nc", "test.nc")


class ClimateTask:
    """Tensors of one split and the conversions between maps and a model's layout."""

    def __init__(
        self, dataset: xr.Dataset, target_mean: np.ndarray, target_std: np.ndarray
    ) -> None:
        self.dataset = dataset
        inputs = torch.from_numpy(self.dataset["inputs"].values)  # (S, window, channel, H, W)
        self.inputs = inputs.flatten(1, 2)  # (S, window * channel, H, W)
        self.target_mean = torch.from_numpy(target_mean)[:, None, None]
        self.target_std = torch.from_numpy(target_std)[:, None, None]
        targets = torch.from_numpy(self.dataset["targets"].values)  # (S, variable, H, W)
        self.targets = (targets - self.target_mean) / self.target_std

    @classmethod
    def training_and_test(cls, data_dir: Path) -> tuple[ClimateTask, ClimateTask]:
        """Both splits, targets standardised with the training mean and std of each variable."""
        train_set, test_set = (load_climate_split(data_dir / name) for name in DATA_FILES)
        targets = train_set["targets"]
        mean = targets.mean(("sample", "lat", "lon")).values.astype(np.float32)
        std = targets.std(("sample", "lat", "lon")).values.astype(np.float32)
        return cls(train_set, mean, std), cls(test_set, mean, std)

    @property
    def map_shape(self) -> tuple[int, int, int]:
        """(variables, lat, lon) of the targets."""
        return tuple(self.targets.shape[1:])


def build_model(name: str, settings: Mapping[str, Any], task: ClimateTask) -> nn.Module:
    """The model `name` (vit or fcnn) with its `climate.models` settings, sized for `task`."""
    channels, height, width = task.inputs.shape[1:]
    variables = task.map_shape[0]
    if name == "vit":
        return ViT(ViTConfig(channels, variables, height, width, **settings))
    return FCNN(
        FCNNConfig(
            input_dim=channels * height * width,
            hidden_dims=list(settings["hidden_dims"]),
            output_dim=int(np.prod(task.map_shape)),
            activation=settings["activation"],
        )
    )


def model_layout(model: nn.Module, task: ClimateTask) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets in the model's layout: flat vectors (FCNN) or maps and tokens (ViT)."""
    if isinstance(model, ViT):
        return task.inputs, model.to_tokens(task.targets)
    return task.inputs.flatten(1), task.targets.flatten(1)


def predict_maps(model: nn.Module, task: ClimateTask) -> torch.Tensor:
    """Predicted targets in physical units: (samples, variables, lat, lon)."""
    inputs, _ = model_layout(model, task)
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        outputs = torch.cat(
            [
                model(inputs[start : start + PREDICTION_BATCH].to(device)).cpu()
                for start in range(0, len(inputs), PREDICTION_BATCH)
            ]
        )
    maps = model.to_maps(outputs) if isinstance(model, ViT) else outputs.view(-1, *task.map_shape)
    return maps * task.target_std + task.target_mean


def train_climate(
    config: dict[str, Any],
    model_name: str,
    method_name: str,
    replicate: int,
    data_dir: str | Path,
    out_dir: str | Path,
    identity: Mapping[str, Any],
) -> dict[str, Any]:
    """Train one replicate of one (model, method) and predict ssp245: `predictions.nc` and
    `training.json`.

    `config` needs the settings of the `climate_train` stage only, with the replicate's seeds
    (`odfa.pipeline.stages.restricted_config`); the `climate_score` stage scores the predictions.
    `identity` is the run's provenance (`odfa.pipeline.identity.run_identity`): the trainer
    digests it into the fingerprint a checkpoint must carry, and the metrics carry it.
    """
    climate, data_dir, out_dir = config["climate"], Path(data_dir), Path(out_dir)
    prepare = functools.partial(_job, climate, model_name, method_name, data_dir, out_dir)
    return run_training_job(config, method_name, prepare, out_dir, identity)


def _job(
    climate: Mapping[str, Any], model_name: str, method_name: str, data_dir: Path, out_dir: Path
) -> TrainingJob:
    """The model on the training scenarios in its layout; after training, its prediction of
    ssp245 (`predictions.nc`) and the run's summary (`training.json`)."""
    train_task, test_task = ClimateTask.training_and_test(data_dir)

    def build() -> tuple[nn.Module, tuple[torch.Tensor, torch.Tensor]]:
        model = build_model(model_name, climate["models"][model_name], train_task)
        return model, model_layout(model, train_task)

    def report(model: nn.Module, method: TrainingMethod, result: TrainingResult) -> dict:
        prediction = as_time_series(test_task.dataset, predict_maps(model, test_task).numpy())
        write_netcdf(prediction.rename("prediction").to_dataset(), out_dir / "predictions.nc")
        return {
            "model": model_name,
            "method": method_name,
            "final_train_loss": float(result.log["loss"].tail(10).mean()),
            "steps": result.steps,
            "measured_seconds": result.measured_seconds,
            "parameters": parameter_count(model.parameters()),
            **method.summary_fields(),
        }

    training = TrainingConfig.from_settings(climate["training"][model_name])
    return TrainingJob(training, build, F.mse_loss, report, metrics_file="training.json")
