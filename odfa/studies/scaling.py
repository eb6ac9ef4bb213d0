"""Study 3: training time vs width and depth of an FCNN for BP, DFA and ODFA (random data).

Every point is measured in this process: warm-up steps, then repeats, phase-wise medians per
sample and the interquartile range of the total over the repeats (its spread). ODFA's measured
time includes the simulated encoding, optics and decoding; the time of the simulated optics
(the device's intensity calls) is measured on its own, and the optical time and energy of real
hardware are MODELLED from the frame-rate model and the published power. They are separate
columns. Everything is per sample: a step's time over `scaling.batch` (1 times one sample per
step, the study's regime).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from tqdm import tqdm

from odfa.feedback.methods import feedback_width
from odfa.io import atomic_output
from odfa.models import parameter_count
from odfa.optics import FrameRateModel
from odfa.timing.memory import PeakMemory
from odfa.timing.repeat import repeated, warm_up
from odfa.timing.step import StepTime, TrainingStep, median_step, total_quartiles
from odfa.timing.workloads import fcnn_workload
from odfa.train import resolve_device

COLUMNS = [
    "width", "depth", "method", "batch", "params", "projection_inputs", "projection_dim",
    "measured_s_per_sample", "measured_s_per_sample_q1", "measured_s_per_sample_q3",
    "forward_s_per_sample", "feedback_s_per_sample",
    "update_s_per_sample", "simulated_optics_s_per_sample", "modelled_optical_s_per_sample",
    "modelled_optical_j_per_sample", "peak_mem_bytes", "peak_mem_kind", "status",
]  # fmt: skip
FLOAT_BYTES = 4


def sweep_points(settings: dict[str, Any]) -> Iterator[tuple[int, int, str]]:
    """(width, depth, method) for every point of the sweep, smallest first."""
    return itertools.product(settings["widths"], settings["depths"], settings["methods"])


def estimated_bytes(
    weights: int, width: int, depth: int, outputs: int, batch: int, method: str, shared: bool
) -> int:
    """Memory a point of `weights` parameters needs at least: weights, gradients, activations
    and the feedback matrix.

    The optical projection keeps its matrix "in the optics" on hardware; the simulator holds it
    (2 real entries per complex one) unless it is generated block by block.
    """
    activations = 2 * batch * width * depth
    projection = outputs * feedback_width([width] * depth, shared)
    feedback = {"bp": 0, "dfa": projection, "odfa": 2 * 2 * projection}.get(method, 0)
    return FLOAT_BYTES * (2 * weights + activations + feedback)


def is_out_of_memory(error: BaseException) -> bool:
    """CUDA's OutOfMemoryError, Python's MemoryError, or a CPU allocator failure."""
    return isinstance(error, MemoryError | torch.OutOfMemoryError) or (
        "memory" in str(error).lower()
    )


def _step_and_optics(step: TrainingStep) -> tuple[StepTime, float]:
    """One timed step and the measured seconds of the simulated optics within it (the median
    of these is taken out of the median step: a mean would carry the outliers of a busy
    machine)."""
    before = step.method.log_fields().get("simulated_optics_seconds", 0.0)
    timing = step.run()
    return timing, step.method.log_fields().get("simulated_optics_seconds", 0.0) - before


def measure_point(
    config: dict[str, Any], width: int, depth: int, method: str, device: torch.device
) -> dict[str, Any]:
    """One row of the sweep; a point that does not fit in memory is recorded as such."""
    settings = config["scaling"]
    batch = settings["batch"]
    outputs = settings["outputs"] or width
    shared = config["feedback"]["shared_matrix"]
    workload = fcnn_workload(width, depth, batch, outputs)
    with torch.device("meta"):
        weights = parameter_count(workload.build_model().parameters())
    row: dict[str, Any] = {
        "width": width,
        "depth": depth,
        "method": method,
        "batch": batch,
        "params": weights,
        "projection_inputs": outputs if method != "bp" else 0,
        "projection_dim": feedback_width([width] * depth, shared) if method != "bp" else 0,
    }
    limit = settings["memory_limit_bytes"]
    needed = estimated_bytes(weights, width, depth, outputs, batch, method, shared)
    if limit is not None and needed > limit:
        return row | {"status": "out_of_memory (estimated above memory_limit_bytes)"}
    peak = PeakMemory(device)
    try:
        step = TrainingStep(config, method, workload, device)
        warm_up(step.run, settings["warmup"])
        before = step.method.log_fields()
        measured = repeated(lambda: _step_and_optics(step), 0, settings["repeats"])
        after = step.method.log_fields()
    except (MemoryError, RuntimeError) as error:  # torch.OutOfMemoryError is a RuntimeError
        if not is_out_of_memory(error):
            raise
        return row | {"status": f"out_of_memory ({type(error).__name__})"}
    timings = [timing for timing, _ in measured]
    median = median_step(timings)
    first, third = total_quartiles(timings)

    def per_sample_delta(field: str) -> float:
        return (after.get(field, 0.0) - before.get(field, 0.0)) / settings["repeats"] / batch

    simulated = statistics.median(optics for _, optics in measured) / batch
    modelled = per_sample_delta("modelled_optical_seconds")
    timing = FrameRateModel(**config["optics"]["timing"])
    return row | {
        "measured_s_per_sample": median.total / batch,
        "measured_s_per_sample_q1": first / batch,
        "measured_s_per_sample_q3": third / batch,
        "forward_s_per_sample": median.forward / batch,
        "feedback_s_per_sample": median.feedback / batch,
        "update_s_per_sample": median.update / batch,
        "simulated_optics_s_per_sample": simulated,
        "modelled_optical_s_per_sample": modelled,
        "modelled_optical_j_per_sample": timing.modelled_joules(modelled),
        "peak_mem_bytes": peak.bytes(),
        "peak_mem_kind": peak.kind,
        "status": "ok",
    }


def run_sweep(config: dict[str, Any], out_path: str | Path, progress: bool = True) -> pd.DataFrame:
    """Measure every point and write the timings CSV (atomically, once complete)."""
    device = resolve_device(config["device"])
    points = list(sweep_points(config["scaling"]))
    rows = [
        measure_point(config, width, depth, method, device)
        for width, depth, method in tqdm(points, desc="scaling", disable=not progress)
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    with atomic_output(out_path) as handle:
        table.to_csv(handle, index=False)
    return table
