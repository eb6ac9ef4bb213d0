"""`odfa bench step`: per-sample training-step time of BP, DFA and ODFA measured in one process,
against the arithmetic limit that their FLOP counts set."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from odfa.registry import SCALING_METHODS
from odfa.timing.flops import step_flops
from odfa.timing.repeat import repeated, warm_up
from odfa.timing.step import StepTime, TrainingStep, median_step
from odfa.timing.workloads import Workload
from odfa.train import resolve_device


def benchmark_step(
    config: dict[str, Any],
    model: str,
    workload: Workload,
    warmup: int = 10,
    repeats: int = 100,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Median step time per sample of `workload` per method, and each method's FLOPs per step.

    A step is forward, error, projection or backward, and the SGD update. Methods are timed in
    interleaved rounds so that machine drift hits all alike, and a method's ratio to BP is the
    median over rounds of its step time over BP's in the same round (paired, so a slow round
    slows both). `over_limit` is DFA's measured time ratio to BP over its FLOP ratio: 1 means
    DFA saves exactly the arithmetic it skips.
    ODFA's digital part (including the simulated encoding and decoding) is measured; its
    optical time is MODELLED from the frame rate and reported in its own field, never added to
    the measured time. `progress` hears of the warm-up and the timing as they start.
    """
    device = resolve_device(config["device"])
    runs = {name: TrainingStep(config, name, workload, device) for name in SCALING_METHODS}
    flops = {name: step_flops(run) for name, run in runs.items()}
    optical = runs["odfa"].method

    def round_of_steps() -> dict[str, StepTime]:
        return {name: run.run() for name, run in runs.items()}

    sizes = ", ".join(f"{key} {value}" for key, value in workload.sizes.items())
    progress(f"{model} ({sizes}) on {device}: {warmup} warm-up rounds of BP, DFA and ODFA")
    warm_up(round_of_steps, warmup)
    progress(f"{repeats} timed rounds")
    modelled_before = optical.log_fields()["modelled_optical_seconds"]
    rounds = repeated(round_of_steps, 0, repeats)
    steps = {name: [timings[name] for timings in rounds] for name in SCALING_METHODS}
    modelled = (optical.log_fields()["modelled_optical_seconds"] - modelled_before) / repeats
    batch = workload.batch
    per_sample = {name: median_step(values).total / batch for name, values in steps.items()}

    def over_bp(name: str) -> float:
        return statistics.median(timings[name].total / timings["bp"].total for timings in rounds)

    dfa_over_bp = over_bp("dfa")
    flop_dfa_over_bp = flops["dfa"] / flops["bp"]
    return {
        "model": model,
        **workload.sizes,
        "device": str(device),
        "repeats": repeats,
        "bp_measured_s_per_sample": per_sample["bp"],
        "dfa_measured_s_per_sample": per_sample["dfa"],
        "odfa_measured_digital_s_per_sample": per_sample["odfa"],
        "odfa_modelled_optical_s_per_sample": modelled / batch,
        "bp_flops_per_step": flops["bp"],
        "dfa_flops_per_step": flops["dfa"],
        "odfa_digital_flops_per_step": flops["odfa"],
        "dfa_over_bp": dfa_over_bp,
        "flop_dfa_over_bp": flop_dfa_over_bp,
        "over_limit": dfa_over_bp / flop_dfa_over_bp,
        "odfa_over_bp": over_bp("odfa"),
        "note": "odfa_over_bp compares measured digital time only; optical time is modelled; "
        "FLOPs count matrix products and attention",
    }
