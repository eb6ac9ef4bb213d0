"""Study 3, Fig. 4c: the feedback projection alone, DFA's digital matmul against ODFA's optics,
for square n x n projections up to the study's 1e4 x 1e4.

DFA holds its n x n random matrix; a point where that matrix would not fit
(`scaling.memory_limit_bytes`) or whose allocation fails is recorded as out of memory. The OPU
keeps its matrix "in the optics": the simulator holds it (`optics.mode: dense`) while it fits,
else regenerates it block by block (`streamed`, memory bounded by a block). ODFA's time on
hardware is its measured digital part (ternarise, split, recover) + the MODELLED optical time
and energy; the simulated optics' own time is measured on its own.
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
import time
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from tqdm import tqdm

from odfa.feedback.projectors import GaussianProjector
from odfa.io import atomic_output
from odfa.optics import OpticsSettings, TernaryOpticalProjector, build_optical_projector
from odfa.optics.device import BLOCK_COLUMNS
from odfa.studies.scaling import FLOAT_BYTES, is_out_of_memory
from odfa.timing.repeat import quartiles, repeated, warm_up
from odfa.train import resolve_device

COLUMNS = [
    "projection_size", "method", "batch", "optics_mode", "matrix_bytes",
    "measured_s_per_sample", "measured_s_per_sample_q1", "measured_s_per_sample_q3",
    "simulated_optics_s_per_sample", "modelled_optical_s_per_sample",
    "modelled_optical_j_per_sample", "status",
]  # fmt: skip
METHODS = ("dfa", "odfa")
Projector = GaussianProjector | TernaryOpticalProjector


def matrix_bytes(method: str, size: int, anchor_pixels: int | None, mode: str) -> int:
    """Bytes of the random matrix a method holds: DFA's float32 n x n; the simulated OPU's
    complex T of (n + anchor) x n as float32 [Re | Im] if dense, one block of it if streamed."""
    if method == "dfa":
        return FLOAT_BYTES * size * size
    columns = min(size, BLOCK_COLUMNS) if mode == "streamed" else size
    return FLOAT_BYTES * 2 * (size + (anchor_pixels or size)) * columns


def optics_mode(size: int, anchor_pixels: int | None, limit: int | None) -> str:
    """dense while the simulated T fits in `limit` bytes (or there is no limit), else streamed."""
    dense = matrix_bytes("odfa", size, anchor_pixels, "dense")
    return "dense" if limit is None or dense <= limit else "streamed"


def _optical_totals(projector: Projector) -> tuple[float, int]:
    """(measured seconds of the simulated optics, frames shown) so far; zeros for DFA."""
    if isinstance(projector, GaussianProjector):
        return 0.0, 0
    return projector.projection.optics_seconds, projector.frames_displayed


def _timed_call(
    projector: object, error: torch.Tensor, device: torch.device
) -> tuple[float, float]:
    """Wall time of one projection (the device synchronised after it) and the measured time
    of the simulated optics within it."""
    optics_before = _optical_totals(projector)[0]
    started = time.perf_counter()
    projector(error)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started, _optical_totals(projector)[0] - optics_before


def measure_projection(
    config: dict[str, Any], size: int, method: str, device: torch.device
) -> dict[str, Any]:
    """One row: the per-sample time of projecting a batch of n-long errors onto n outputs."""
    settings = config["scaling"]
    batch, limit = settings["batch"], settings["memory_limit_bytes"]
    optics = OpticsSettings.from_settings(config["optics"])
    optics = dataclasses.replace(optics, fidelity_every=0)
    mode = "digital" if method == "dfa" else optics_mode(size, optics.anchor_pixels, limit)
    needed = matrix_bytes(method, size, optics.anchor_pixels, mode)
    row = {
        "projection_size": size,
        "method": method,
        "batch": batch,
        "optics_mode": mode,
        "matrix_bytes": needed,
    }
    if limit is not None and needed > limit:
        return row | {"status": "out_of_memory (estimated above memory_limit_bytes)"}
    error = torch.randn(batch, size, generator=torch.Generator().manual_seed(size)).to(device)
    try:
        if method == "dfa":
            projector = GaussianProjector(size, size, config["feedback"]["seed"], device)
        else:
            optics = dataclasses.replace(optics, mode=mode)
            projector = build_optical_projector(size, size, optics, str(device))

        warm_up(lambda: projector(error), settings["warmup"])
        frames_before = _optical_totals(projector)[1]
        calls = repeated(lambda: _timed_call(projector, error, device), 0, settings["repeats"])
        frames = _optical_totals(projector)[1] - frames_before
    except (MemoryError, RuntimeError) as failure:
        if not is_out_of_memory(failure):
            raise
        return row | {"status": f"out_of_memory ({type(failure).__name__})"}
    totals = [total for total, _ in calls]
    first, third = quartiles(totals)
    simulated = statistics.median(optics for _, optics in calls) / batch
    modelled = optics.timing.modelled_seconds(frames, size) / (batch * settings["repeats"])
    return row | {
        "measured_s_per_sample": statistics.median(totals) / batch,
        "measured_s_per_sample_q1": first / batch,
        "measured_s_per_sample_q3": third / batch,
        "simulated_optics_s_per_sample": simulated,
        "modelled_optical_s_per_sample": modelled,
        "modelled_optical_j_per_sample": optics.timing.modelled_joules(modelled),
        "status": "ok",
    }


def run_projections(
    config: dict[str, Any], out_path: str | Path, progress: bool = True
) -> pd.DataFrame:
    """Measure every projection size for DFA and ODFA and write the CSV (atomically)."""
    device = resolve_device(config["device"])
    points = list(itertools.product(config["scaling"]["projection_sizes"], METHODS))
    rows = [
        measure_projection(config, size, method, device)
        for size, method in tqdm(points, desc="projections", disable=not progress)
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    with atomic_output(out_path) as handle:
        table.to_csv(handle, index=False)
    return table
