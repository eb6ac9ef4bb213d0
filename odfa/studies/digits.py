"""Digits study: an MLP trained with each method on scikit-learn's digits (the split the
digits_prepare stage made); test accuracy."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from odfa.data.digits import load_prepared_digits
from odfa.feedback.methods import TrainingMethod
from odfa.models import FCNN, FCNNConfig, parameter_count
from odfa.studies.training_job import TrainingJob, run_training_job
from odfa.train import TrainingConfig, TrainingResult

N_CLASSES = 10


def accuracy(model: torch.nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> float:
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        predictions = model(inputs.to(device)).argmax(dim=-1).cpu()
    return float((predictions == labels).float().mean())


def train_digits(
    config: dict[str, Any],
    method_name: str,
    replicate: int,
    split: str | Path,
    out_dir: str | Path,
    identity: Mapping[str, Any],
) -> dict[str, float]:
    """Train one replicate of one method on the prepared `split` (the digits_prepare stage's
    file), write `out_dir/metrics.json` (plus log and model), return the metrics.

    `config` needs the settings of the `digits_train` stage only, with the replicate's seeds
    (`odfa.pipeline.stages.restricted_config`).
    `identity` is the run's provenance (`odfa.pipeline.identity.run_identity`): the trainer
    digests it into the fingerprint a checkpoint must carry, and the metrics carry it.
    """
    prepare = functools.partial(_job, config["digits"], split)
    return run_training_job(config, method_name, prepare, out_dir, identity)


def _job(settings: Mapping[str, Any], split_path: str | Path) -> TrainingJob:
    """The digits MLP on its training split; test and train accuracy and alignment after."""
    split = load_prepared_digits(split_path)

    def build() -> tuple[torch.nn.Module, tuple[torch.Tensor, torch.Tensor]]:
        model = FCNN(
            FCNNConfig(
                input_dim=split.train_inputs.shape[1],
                hidden_dims=list(settings["model"]["hidden_dims"]),
                output_dim=N_CLASSES,
                activation=settings["model"]["activation"],
            )
        )
        return model, (split.train_inputs, split.train_labels)

    def report(model: torch.nn.Module, method: TrainingMethod, result: TrainingResult) -> dict:
        alignment = result.log.filter(regex=r"^alignment_")  # per batch, per point
        metrics = {
            "test_accuracy": accuracy(model, split.test_inputs, split.test_labels),
            "train_accuracy": accuracy(model, split.train_inputs, split.train_labels),
            "final_train_loss": float(result.log["loss"].tail(10).mean()),
            "steps": result.steps,
            "measured_seconds": result.measured_seconds,
            "parameters": parameter_count(model.parameters()),
            "trained_parameters": parameter_count(method.trainable_parameters(model)),
            **method.summary_fields(),
        }
        if not alignment.empty:
            metrics["final_alignment"] = float(np.nanmean(alignment.dropna().tail(5).to_numpy()))
        return metrics

    training = TrainingConfig.from_settings(settings["training"])
    return TrainingJob(training, build, F.cross_entropy, report)
