"""Benchmarks: per-sample training-step time of BP, DFA and ODFA, measured in one process."""

from __future__ import annotations

import statistics
import time
from typing import Any

import torch
import torch.nn.functional as F

from odfa.feedback import build_method
from odfa.models import FCNN, FCNNConfig
from odfa.train import resolve_device

BENCHMARK_METHODS = ("bp", "dfa", "odfa")


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
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(batch, width, generator=generator).to(device)
    targets = torch.randint(outputs, (batch,), generator=generator).to(device)
    runs = {}
    for name in BENCHMARK_METHODS:
        torch.manual_seed(0)
        model = FCNN(FCNNConfig(width, [width] * depth, outputs, "tanh")).to(device)
        method = build_method(name, model, config, device)
        optimizer = torch.optim.SGD(method.trainable_parameters(model), lr=1e-3)
        runs[name] = (model, method, optimizer)

    def step(name: str) -> float:
        model, method, optimizer = runs[name]
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        method.compute_gradients(model, inputs, targets, F.cross_entropy)
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - started

    for _ in range(warmup):
        for name in BENCHMARK_METHODS:
            step(name)
    optical = runs["odfa"][1]
    optical_before = optical.log_fields()["modelled_optical_seconds"]
    times: dict[str, list[float]] = {name: [] for name in BENCHMARK_METHODS}
    for _ in range(repeats):
        for name in BENCHMARK_METHODS:
            times[name].append(step(name))
    modelled = (optical.log_fields()["modelled_optical_seconds"] - optical_before) / repeats
    per_sample = {name: statistics.median(values) / batch for name, values in times.items()}
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
