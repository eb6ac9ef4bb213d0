"""Benchmark of the simulated OPU: odfa's SimulatedOPU against lightonml's and a bare matmul,
and ODFA's anchored projection through frames against the linear path and the sparse limit."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from odfa.optics.camera import CameraConfig
from odfa.optics.device import PRECISIONS, SimulatedOPU, anchored_frames
from odfa.optics.lightonml_backend import import_lightonml
from odfa.timing.memory import PeakMemory
from odfa.timing.repeat import median_seconds


def lightonml_seconds(frames: Tensor, outputs: int, warmup: int, repeats: int) -> float:
    """Median time of lightonml's simulated OPU `transform` of the (batch, inputs) frames."""
    lightonml = import_lightonml()
    inputs = frames.shape[1]
    opu = lightonml.OPU(
        n_components=outputs, max_n_features=inputs, simulated=True, disable_pbar=True
    )
    opu.fit1d(n_features=inputs)
    pixels = frames.to(torch.uint8).numpy()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="lightonml")
        return median_seconds(lambda: opu.transform(pixels), warmup, repeats)


def odfa_seconds(
    frames: Tensor, outputs: int, precision: str, seed: int, warmup: int, repeats: int
) -> float:
    """Median time of a dense SimulatedOPU's raw_intensity (ideal camera) of the frames."""
    opu = SimulatedOPU(frames.shape[1], outputs, seed, CameraConfig.ideal(), precision=precision)
    return median_seconds(lambda: opu.raw_intensity(frames), warmup, repeats)


def matmul_seconds(
    frames: Tensor, outputs: int, precision: str, warmup: int, repeats: int
) -> float:
    """Median time of frames @ (inputs, 2 * outputs) real matrix in `precision`: nothing else."""
    dtype = PRECISIONS[precision]
    stacked = torch.randn(frames.shape[1], 2 * outputs).to(dtype)
    pixels = frames.to(dtype)
    return median_seconds(lambda: pixels @ stacked, warmup, repeats)


def anchored_projection_seconds(
    inputs: int, outputs: int, batch: int, lit: int, precision: str, seed: int, repeats: int
) -> dict[str, float]:
    """The intensities of an anchored projection's frames [x, 0] and [x, a], two ways.

    `x` is `batch` error frames of `inputs` pixels, `lit` of them on (a ternarised error lights
    a few); the anchor has as many pixels again. The frames path hands the OPU all 2 * batch
    frames; the linear path computes the field T x once from the lit rows of T and adds the
    anchor's field. The arithmetic limit is the sparse product alone (summing the lit rows of
    T's [Re | Im] feature block): what the intensities of the two frames must at least cost.
    """
    opu = SimulatedOPU(2 * inputs, outputs, seed, CameraConfig.ideal(), precision=precision)
    generator = torch.Generator().manual_seed(seed)
    x = torch.zeros(batch, inputs)
    x.scatter_(1, torch.rand(batch, inputs, generator=generator).argsort(dim=1)[:, :lit], 1.0)
    frames = anchored_frames(x, 2 * inputs)
    feature_rows = opu.transmission_matrix()[:inputs]
    features = torch.cat([feature_rows.real, feature_rows.imag], dim=1)
    rows, columns = x.nonzero(as_tuple=True)

    def sparse_product() -> Tensor:
        return torch.zeros(batch, 2 * outputs).index_add_(0, rows, features[columns])

    frames_s = median_seconds(lambda: opu.raw_intensity(frames), 1, repeats)
    linear_s = median_seconds(lambda: opu.anchored_raw_intensity(x), 1, repeats)
    limit_s = median_seconds(sparse_product, 1, repeats)
    return {
        "anchored_lit_pixels": lit,
        "anchored_frames_path_s": frames_s,
        "anchored_linear_path_s": linear_s,
        "anchored_sparse_limit_s": limit_s,
        "anchored_speedup": frames_s / linear_s,
        "anchored_over_sparse_limit": linear_s / limit_s,
    }


def streamed_projection(
    frames: Tensor, outputs: int, precision: str, seed: int
) -> tuple[float, int, int]:
    """Seconds, peak RSS increase and peak RSS of one streamed SimulatedOPU raw_intensity."""
    opu = SimulatedOPU(
        frames.shape[1], outputs, seed, CameraConfig.ideal(), mode="streamed", precision=precision
    )
    peak = PeakMemory(torch.device("cpu"))
    started = time.perf_counter()
    opu.raw_intensity(frames)
    seconds = time.perf_counter() - started
    return seconds, int(peak.increase()), int(peak.bytes())


def benchmark_opu(
    batch: int = 64,
    inputs: int = 4096,
    outputs: int = 4096,
    repeats: int = 10,
    precision: str = "float32",
    big_outputs: int = 200_000,
    warmup: int = 2,
    seed: int = 0,
    lit: int = 3,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Time |T x|^2 of one batch of binary frames three ways, and one streamed projection.

    lightonml's simulated OPU, odfa's dense SimulatedOPU (ideal camera) and the bare matmul of
    the frames with an (inputs, 2 * outputs) real matrix in the same dtype (the arithmetic
    limit) each report a median of `repeats` calls after `warmup`. The big case, one call of a
    streamed SimulatedOPU with `big_outputs` outputs, reports its time and how far it raised the
    process's peak RSS (from the RSS when the peak was reset, just before the call). The
    anchored case (see `anchored_projection_seconds`) times ODFA's projection frames with `lit`
    pixels on.
    `progress` hears of each measurement as it starts.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {list(PRECISIONS)}")
    generator = torch.Generator().manual_seed(seed)
    frames = (torch.rand(batch, inputs, generator=generator) < 0.5).to(torch.uint8)
    shape = f"{batch} frames of {inputs} pixels -> {outputs} camera pixels, {precision}"
    progress(f"lightonml's simulated OPU: {shape}, {warmup} + {repeats} calls")
    lightonml_s = lightonml_seconds(frames, outputs, warmup, repeats)
    progress(f"odfa's simulated OPU: {shape}, {warmup} + {repeats} calls")
    odfa_s = odfa_seconds(frames, outputs, precision, seed, warmup, repeats)
    progress(f"the bare matrix product: {shape}, {warmup} + {repeats} calls")
    arithmetic_limit_s = matmul_seconds(frames, outputs, precision, warmup, repeats)
    progress(f"one streamed projection to {big_outputs} camera pixels")
    big_projection_s, peak_increase, peak_rss = streamed_projection(
        frames, big_outputs, precision, seed
    )
    progress(f"the anchored projection, {lit} lit pixels per frame, {repeats} calls per path")
    return {
        "precision": precision,
        "batch": batch,
        "inputs": inputs,
        "outputs": outputs,
        "repeats": repeats,
        "torch_threads": torch.get_num_threads(),
        "lightonml_s": lightonml_s,
        "odfa_s": odfa_s,
        "arithmetic_limit_s": arithmetic_limit_s,
        "speedup_vs_lightonml": lightonml_s / odfa_s,
        "over_arithmetic_limit": odfa_s / arithmetic_limit_s,
        "big_outputs": big_outputs,
        "big_projection_s": big_projection_s,
        "big_peak_increase_bytes": peak_increase,
        "peak_rss_bytes": peak_rss,
        "dense_t_bytes_would_be": 8 * inputs * big_outputs,  # complex64 T
        **anchored_projection_seconds(inputs, outputs, batch, lit, precision, seed, repeats),
    }
