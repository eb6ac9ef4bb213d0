"""Digits study: an MLP trained with each method on scikit-learn's digits; test accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from odfa.data.digits import DIGITS_FILE, load_digits_split
from odfa.feedback import build_method
from odfa.io import write_json
from odfa.models import FCNN, FCNNConfig, parameter_count
from odfa.pipeline.identity import run_identity
from odfa.train import TrainingConfig, resolve_device, train, use_threads

N_CLASSES = 10


def accuracy(model: torch.nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> float:
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        predictions = model(inputs.to(device)).argmax(dim=-1).cpu()
    return float((predictions == labels).float().mean())


def train_digits(config: dict[str, Any], method_name: str, out_dir: str | Path) -> dict[str, float]:
    """Train one method, write `out_dir/metrics.json` (plus log and model), return the metrics.

    `config` needs the settings of the `digits_train` stage only.
    """
    identity = run_identity(config, "digits_train", {"method": method_name}, [DIGITS_FILE])
    use_threads(config["threads"])
    settings = config["digits"]
    split = load_digits_split(settings["test_fraction"], settings["split_seed"])
    training = TrainingConfig.from_settings(settings["training"])
    device = resolve_device(config["device"])
    torch.manual_seed(training.seed)
    model = FCNN(
        FCNNConfig(
            input_dim=split.train_inputs.shape[1],
            hidden_dims=list(settings["model"]["hidden_dims"]),
            output_dim=N_CLASSES,
            activation=settings["model"]["activation"],
        )
    )
    method = build_method(method_name, model, config, device, split.train_inputs[:2])
    result = train(
        model,
        method,
        (split.train_inputs, split.train_labels),
        F.cross_entropy,
        training,
        out_dir,
        device,
        identity=identity.as_dict(),
    )
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
    metrics |= {"fingerprint": result.fingerprint, "provenance": identity.as_dict()}
    write_json(Path(out_dir) / "metrics.json", metrics)
    return metrics


def summarise(methods: list[str], runs_dir: str | Path, out_path: str | Path) -> dict[str, Any]:
    """Gather `runs_dir/<method>/metrics.json` of each method into one mapping."""
    summary = {
        method: json.loads((Path(runs_dir) / method / "metrics.json").read_text())
        for method in methods
    }
    write_json(out_path, summary)
    return summary
