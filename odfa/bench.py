"""Benchmarks: per-sample training-step time of BP, DFA and ODFA, measured in one process."""

from __future__ import annotations

from typing import Any

from odfa.registry import SCALING_METHODS
from odfa.steptime import FCNNStep, median_step
from odfa.train import resolve_device


def benchmark_step(
    config: dict[str, Any],
    width: int,
    depth: int,
    batch: int,
    outputs: int = 10,
    warmup: int = 5,
    repeats: int = 30,
) -> dict[str, Any]:
    """Median step time per sample of an FCNN (depth hidden layers of `width`) per method.

    A step is forward, error, projection or backward, and the SGD update. Methods are timed in
    interleaved rounds so that machine drift hits all alike. ODFA's digital part (including the
    simulated encoding and decoding) is measured; its optical time is MODELLED from the frame
    rate and reported in its own field, never added to the measured time.
    """
    device = resolve_device(config["device"])
    runs = {
        name: FCNNStep(config, name, width, depth, batch, outputs, device)
        for name in SCALING_METHODS
    }
    for _ in range(warmup):
        for run in runs.values():
            run.run()
    optical = runs["odfa"].method
    modelled_before = optical.log_fields()["modelled_optical_seconds"]
    steps: dict[str, list] = {name: [] for name in SCALING_METHODS}
    for _ in range(repeats):
        for name, run in runs.items():
            steps[name].append(run.run())
    modelled = (optical.log_fields()["modelled_optical_seconds"] - modelled_before) / repeats
    per_sample = {name: median_step(values).total / batch for name, values in steps.items()}
    return {
        "width": width,
        "depth": depth,
        "batch": batch,
        "outputs": outputs,
        "device": str(device),
        "repeats": repeats,
        "bp_measured_s_per_sample": per_sample["bp"],
        "dfa_measured_s_per_sample": per_sample["dfa"],
        "odfa_measured_digital_s_per_sample": per_sample["odfa"],
        "odfa_modelled_optical_s_per_sample": modelled / batch,
        "dfa_over_bp": per_sample["dfa"] / per_sample["bp"],
        "odfa_over_bp": per_sample["odfa"] / per_sample["bp"],
        "note": "odfa_over_bp compares measured digital time only; optical time is modelled",
    }
