"""The one training job: the model is built once the seed is set, the study's metrics are
written with the run's fingerprint and provenance, and the run is marked finished."""

from __future__ import annotations

import json

import torch
import torch.nn.functional as F

from odfa.studies.training_job import TrainingJob, run_training_job
from odfa.train import FINISHED, TrainingConfig
from tests.conftest import DEFAULT_CONFIG


def _job(built: list) -> TrainingJob:
    def build():
        model = torch.nn.Linear(3, 2)
        built.append(model.weight.detach().clone())
        generator = torch.Generator().manual_seed(0)
        return model, (
            torch.randn(8, 3, generator=generator),
            torch.randn(8, 2, generator=generator),
        )

    def report(model, method, result):
        return {"steps": result.steps, "method": method.name}

    training = TrainingConfig.from_settings(
        DEFAULT_CONFIG["digits"]["training"] | {"epochs": 1, "batch_size": 4, "seed": 7}
    )
    return TrainingJob(training, build, F.mse_loss, report, metrics_file="summary.json")


def test_the_job_trains_from_the_seeded_model_and_writes_its_metrics(tmp_path):
    built: list = []
    identity = {"stage": "a_stage", "settings": {"x": 1}}
    metrics = run_training_job(
        DEFAULT_CONFIG | {"device": "cpu", "threads": 1},
        "bp",
        lambda: _job(built),
        tmp_path,
        identity,
    )
    torch.manual_seed(7)
    assert torch.equal(built[0], torch.nn.Linear(3, 2).weight.detach())  # the seed came first
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written == metrics
    assert metrics["steps"] == 2 and metrics["method"] == "bp"
    assert metrics["provenance"] == identity and len(metrics["fingerprint"]) == 16
    assert (tmp_path / "checkpoints" / FINISHED).exists()
