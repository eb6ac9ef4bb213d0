"""Study 2: a ViT and an FCNN on ClimateBench (forcing maps -> surface temperature), scored
with ClimateBench's NRMSE metrics on ssp245, 2080-2100."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
import xarray as xr

from odfa.data.climatebench import extract_archives, prepare_climatebench, write_netcdf
from odfa.data.climatebench_sample import generate_sample_archives
from odfa.data.download import download
from odfa.data.sources import CLIMATEBENCH_TEST, CLIMATEBENCH_TRAIN_VAL
from odfa.feedback import build_method
from odfa.io import atomic_output, write_json
from odfa.metrics import climatebench_scores
from odfa.models import FCNN, FCNNConfig
from odfa.models.segmented import SegmentedNetwork
from odfa.models.vit import ViT, ViTConfig
from odfa.train import TrainingConfig, resolve_device, train

ARCHIVES = (CLIMATEBENCH_TRAIN_VAL, CLIMATEBENCH_TEST)
MODELS = ("vit", "fcnn")
PREDICTION_BATCH = 64


def fetch_archives(config: dict[str, Any], out_dir: str | Path, lock_file: str | Path) -> None:
    """Generate the sample archives, or download the real ones (digests checked in `lock_file`)."""
    settings, out_dir = config["climate"], Path(out_dir)
    if settings["source"] == "sample":
        generate_sample_archives(out_dir, **settings["sample"])
        return
    for remote in ARCHIVES:
        download(remote, out_dir / remote.name, lock_file=Path(lock_file))


def prepare(config: dict[str, Any], archives_dir: str | Path, out_dir: str | Path) -> dict:
    """Extract both archives (to a temporary folder) and prepare train.nc / test.nc."""
    settings, out_dir = config["climate"], Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as extracted:
        extract_archives([Path(archives_dir) / remote.name for remote in ARCHIVES], Path(extracted))
        grid = settings["grid"]
        return prepare_climatebench(
            Path(extracted),
            out_dir,
            target_variables=settings["variables"],
            grid=None if grid is None else tuple(grid),
            window=settings["window"],
        )


class ClimateTask:
    """Tensors of one split and the conversions between maps and a model's layout."""

    def __init__(self, path: Path, target_mean: np.ndarray, target_std: np.ndarray) -> None:
        with xr.open_dataset(path) as dataset:
            self.dataset = dataset.load()
        inputs = torch.from_numpy(self.dataset["inputs"].values)  # (S, window, channel, H, W)
        self.inputs = inputs.flatten(1, 2)  # (S, window * channel, H, W)
        self.target_mean = torch.from_numpy(target_mean)[:, None, None]
        self.target_std = torch.from_numpy(target_std)[:, None, None]
        targets = torch.from_numpy(self.dataset["targets"].values)  # (S, variable, H, W)
        self.targets = (targets - self.target_mean) / self.target_std

    @classmethod
    def training_and_test(cls, data_dir: Path) -> tuple[ClimateTask, ClimateTask]:
        """Both splits, targets standardised with the training mean and std of each variable."""
        with xr.open_dataset(data_dir / "train.nc") as train_set:
            targets = train_set["targets"]
            mean = targets.mean(("sample", "lat", "lon")).values.astype(np.float32)
            std = targets.std(("sample", "lat", "lon")).values.astype(np.float32)
        return cls(data_dir / "train.nc", mean, std), cls(data_dir / "test.nc", mean, std)

    @property
    def map_shape(self) -> tuple[int, int, int]:
        """(variables, lat, lon) of the targets."""
        return tuple(self.targets.shape[1:])


def build_model(config: dict[str, Any], name: str, task: ClimateTask) -> SegmentedNetwork:
    settings = config["climate"]["models"][name]
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


def model_layout(model: SegmentedNetwork, task: ClimateTask) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets in the model's layout: flat vectors (FCNN) or maps and tokens (ViT)."""
    if isinstance(model, ViT):
        return task.inputs, model.to_tokens(task.targets)
    return task.inputs.flatten(1), task.targets.flatten(1)


def predict_maps(model: SegmentedNetwork, task: ClimateTask) -> torch.Tensor:
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


def _as_time_series(dataset: xr.Dataset, values: np.ndarray) -> xr.DataArray:
    """(sample, variable, lat, lon) values as a (variable, time, lat, lon) DataArray."""
    targets = dataset["targets"]
    field = targets.copy(data=values).assign_coords(time=("sample", dataset["year"].values))
    return (
        field.swap_dims(sample="time")
        .drop_vars(["experiment", "year"])
        .transpose("variable", "time", "lat", "lon")
    )


def train_climate(
    config: dict[str, Any],
    model_name: str,
    method_name: str,
    data_dir: str | Path,
    out_dir: str | Path,
) -> list[dict[str, Any]]:
    """Train one (model, method), predict ssp245 and score it (predictions.nc, metrics.json)."""
    out_dir, data_dir = Path(out_dir), Path(data_dir)
    train_task, test_task = ClimateTask.training_and_test(data_dir)
    training = TrainingConfig.from_settings(config["climate"]["training"][model_name])
    device = resolve_device(config["device"])
    torch.manual_seed(training.seed)
    model = build_model(config, model_name, train_task)
    method = build_method(method_name, model, config, device)
    result = train(
        model, method, model_layout(model, train_task), F.mse_loss, training, out_dir, device
    )
    prediction = _as_time_series(test_task.dataset, predict_maps(model, test_task).numpy())
    truth = _as_time_series(test_task.dataset, test_task.dataset["targets"].values)
    write_netcdf(prediction.rename("prediction").to_dataset(), out_dir / "predictions.nc")
    rows = [
        {
            "model": model_name,
            "method": method_name,
            "variable": str(variable),
            **climatebench_scores(prediction.sel(variable=variable), truth.sel(variable=variable)),
            "final_train_loss": float(result.log["loss"].tail(10).mean()),
            "steps": result.steps,
            "measured_seconds": result.measured_seconds,
            "parameters": model.num_parameters(),
            **method.log_fields(),
        }
        for variable in prediction["variable"].values
    ]
    write_json(out_dir / "metrics.json", rows)
    return rows


def summarise_climate(run_dirs: list[Path], out_path: str | Path) -> pd.DataFrame:
    """metrics.csv: one row per (model, method, variable)."""
    rows = [
        row for run_dir in run_dirs for row in json.loads((run_dir / "metrics.json").read_text())
    ]
    table = pd.DataFrame(rows)
    leading = [
        "model",
        "method",
        "variable",
        "nrmse_spatial",
        "nrmse_global",
        "nrmse_total",
        "rmse",
    ]
    table = table[leading + [column for column in table.columns if column not in leading]]
    with atomic_output(out_path) as handle:
        table.to_csv(handle, index=False)
    return table
