"""Measured training-step time of one method on a workload, split into its phases."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import torch

from odfa.feedback import build_method
from odfa.feedback.methods import TrainingMethod
from odfa.timing.repeat import quartiles
from odfa.timing.workloads import Workload

T = TypeVar("T")


@dataclass(frozen=True)
class StepTime:
    """Seconds of one step: forward, feedback (DFA/ODFA projection) or backward, and update."""

    forward: float
    feedback: float
    update: float

    @property
    def total(self) -> float:
        return self.forward + self.feedback + self.update


class TrainingStep:
    """One method training its own copy of the workload's model on the workload's batch (SGD,
    or AdamW as the studies train: two moments per parameter more in memory).

    Every method's copy starts from the same initialisation (seed 0). The fidelity diagnostic
    of the optics is switched off: it is not part of a training step.
    """

    def __init__(
        self,
        config: dict[str, Any],
        method: str,
        workload: Workload,
        device: torch.device,
        optimizer: str = "sgd",
    ) -> None:
        self.inputs = workload.inputs.to(device)
        self.targets = workload.targets.to(device)
        self.loss_function = workload.loss_function
        torch.manual_seed(0)
        self.model = workload.build_model().to(device)
        if "optics" in config:
            config = {**config, "optics": {**config["optics"], "fidelity_every": 0}}
        self.method: TrainingMethod = build_method(
            method, self.model, config, device, self.inputs[:2]
        )
        trained = self.method.trainable_parameters(self.model)
        optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.AdamW}
        self.optimizer = optimizers[optimizer](trained, lr=1e-3)
        self.device = device

    def _timed(self, action: Callable[[], T]) -> tuple[T, float]:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        started = time.perf_counter()
        result = action()
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return result, time.perf_counter() - started

    def _gradients(self) -> torch.Tensor:
        self.optimizer.zero_grad(set_to_none=True)
        return self.method.compute_gradients(
            self.model, self.inputs, self.targets, self.loss_function
        )

    def step(self) -> None:
        """One whole step, untimed: gradients and update."""
        self._gradients()
        self.optimizer.step()

    def run(self) -> StepTime:
        """Time one whole step; the forward share is timed on its own first, then discarded."""
        _, forward = self._timed(lambda: self.model(self.inputs))
        _, gradients = self._timed(self._gradients)
        _, update = self._timed(self.optimizer.step)
        return StepTime(forward, max(0.0, gradients - forward), update)


def total_quartiles(steps: list[StepTime]) -> tuple[float, float]:
    """The first and third quartiles of the steps' total times (both the one time if one)."""
    return quartiles([step.total for step in steps])


def median_step(steps: list[StepTime]) -> StepTime:
    """Phase-wise medians, rescaled so that they add up to the median total."""
    total = statistics.median(step.total for step in steps)
    phases = [
        statistics.median(getattr(step, name) for step in steps)
        for name in ("forward", "feedback", "update")
    ]
    scale = total / sum(phases) if sum(phases) > 0 else 0.0
    return StepTime(*(phase * scale for phase in phases))
