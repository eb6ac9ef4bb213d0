"""One training job for every study: threads, seed, model, method, training, the study's metrics
and the run's files, in the same order for all (a study says only what differs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from odfa import distributed
from odfa.feedback import build_method
from odfa.feedback.methods import LossFunction, TrainingMethod
from odfa.io import write_json
from odfa.train import (
    Evaluator,
    TrainingConfig,
    TrainingResult,
    mark_finished,
    train,
    training_device,
    use_threads,
)

Dataset = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class TrainingJob:
    """What a study trains and reports. `build` makes the model and its training data once the
    seed is set (the model's initial weights are the seed's); `report` gives the study's
    metrics of the trained model (on the main process only)."""

    training: TrainingConfig
    build: Callable[[], tuple[nn.Module, Dataset]]
    loss_function: LossFunction
    report: Callable[[nn.Module, TrainingMethod, TrainingResult], dict[str, Any]]
    evaluate: Evaluator | None = None
    metrics_file: str = "metrics.json"


def run_training_job(
    config: Mapping[str, Any],
    method_name: str,
    prepare: Callable[[], TrainingJob],
    out_dir: str | Path,
    identity: Mapping[str, Any],
) -> dict[str, Any]:
    """Train the job `prepare` reads (its data read on the config's threads) with the method
    `method_name`; write its metrics, fingerprint and provenance (`identity`) to
    `out_dir/<metrics_file>` and mark the run finished. Returns the metrics ({} on a rank other
    than the main one of a data-parallel run, which writes nothing)."""
    use_threads(config["threads"])
    job = prepare()
    device = training_device(config["device"])
    torch.manual_seed(job.training.seed)
    model, dataset = job.build()
    method = build_method(method_name, model, config, device, dataset[0][:2])
    result = train(
        model,
        method,
        dataset,
        job.loss_function,
        job.training,
        out_dir,
        device,
        evaluate=job.evaluate,
        identity=identity,
    )
    if not distributed.is_main():
        return {}  # rank 0 writes the outputs of a data-parallel run
    metrics = job.report(model, method, result)
    metrics |= {"fingerprint": result.fingerprint, "provenance": dict(identity)}
    write_json(Path(out_dir) / job.metrics_file, metrics)
    mark_finished(out_dir)
    return metrics
