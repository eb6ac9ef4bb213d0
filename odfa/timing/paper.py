"""`odfa bench paper`: a few training steps of each paper-scale model with each method on one
GPU: peak GPU memory, measured step time and the PROJECTED time of the paper's training.

The projection is the paper config's number of steps times the measured median step time (no
evaluation, checkpoints or data loading); ODFA's optical time on hardware is MODELLED apart.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator
from typing import Any

import torch

from odfa.data.climatebench import TRAIN_EXPERIMENTS
from odfa.data.dialogs import window_count
from odfa.errors import ConfigError
from odfa.models import parameter_count
from odfa.timing.memory import PeakMemory
from odfa.timing.repeat import repeated
from odfa.timing.step import TrainingStep
from odfa.timing.workloads import Workload, climate_fcnn_workload, gpt_workload, vit_workload
from odfa.train import resolve_device

METHODS = ("bp", "dfa", "odfa")
HISTORICAL_YEARS, SCENARIO_YEARS = 165, 86  # ClimateBench: 1850-2014, 2015-2100


def climate_training_samples(window: int) -> int:
    """Samples of ClimateBench's training experiments: one per year with `window` years of
    forcing behind it (a scenario's history is the historical run)."""
    return sum(
        SCENARIO_YEARS if name.startswith("ssp") else HISTORICAL_YEARS - window + 1
        for name in TRAIN_EXPERIMENTS
    )


def paper_workloads(config: dict[str, Any]) -> Iterator[tuple[str, Workload, int]]:
    """(model, workload, steps of the paper's training) for the GPT, the ViT and the FCNN."""
    dialogs = config["dialogs"]
    training = dialogs["training"]
    tokens = dialogs["train_tokens"]
    if tokens is None:
        raise ConfigError("dialogs.train_tokens is null: the paper config sets the corpus size")
    sequences = window_count(tokens, dialogs["model"]["context_length"], dialogs["window_stride"])
    yield (
        "gpt",
        gpt_workload(config, None, None, None),
        training["epochs"] * math.ceil(sequences / training["batch_size"]),
    )
    climate = config["climate"]
    samples = climate_training_samples(climate["window"])
    for name, build in (("vit", vit_workload), ("fcnn", climate_fcnn_workload)):
        settings = climate["training"][name]
        work = build(config, None, None, None) if name == "vit" else build(config, None)
        yield name, work, settings["epochs"] * math.ceil(samples / settings["batch_size"])


def measure_training(
    config: dict[str, Any], method: str, workload: Workload, device: torch.device, steps: int
) -> dict[str, float]:
    """Peak memory and median time of `steps` AdamW steps (after one warm-up step)."""
    peak = PeakMemory(device)
    step = TrainingStep(config, method, workload, device, optimizer="adam")
    times = repeated(lambda: step.run().total, warmup=1, repeats=steps)
    return {
        "parameters": parameter_count(step.model.parameters()),
        "peak_memory_bytes": peak.bytes(),
        "step_seconds": statistics.median(times),
    }


def benchmark_paper(
    config: dict[str, Any],
    steps: int = 3,
    progress: Callable[[str], None] = lambda message: None,
) -> Iterator[dict[str, Any]]:
    """One row per (model, method) of the paper config as it is measured, or one row saying why
    it was skipped; `progress` hears of each measurement as it starts."""
    device = resolve_device(config["device"])
    if device.type != "cuda":
        yield {"skipped": f"the paper's sizes need a CUDA GPU; this process has {device}"}
        return
    for model, work, paper_steps in paper_workloads(config):
        for method in METHODS:
            progress(f"{model} with {method}: 1 + {steps} AdamW steps at the paper's sizes")
            measured = measure_training(config, method, work, device, steps)
            yield (
                {
                    "model": model,
                    "method": method,
                    **work.sizes,
                    "device": torch.cuda.get_device_name(device),
                    **measured,
                    "paper_steps": paper_steps,
                    "projected_training_hours": paper_steps * measured["step_seconds"] / 3600,
                }
            )
