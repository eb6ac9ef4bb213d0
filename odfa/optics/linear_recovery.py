"""lightonml's own linear recovery (`OPU.linear_transform`) as ODFA's linear projection."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from odfa.optics.lightonml_backend import LightonmlHardwareOPU, LightonmlOPU
from odfa.optics.projection import timed


class LinearTransformProjection:
    """x -> Re(x T) / sigma by lightonml's `linear_transform`, the alternative to our anchor
    recovery: on a real OPU, LightOn's closed-source reconstruction from frames of its own
    choosing (not reported, so none are counted and no optical time is modelled); simulated,
    lightonml's exact Re(x T), with no camera (lightonml says it is not a model of the
    hardware). sigma, the std of Re(T), is measured once from the all-ones vector."""

    def __init__(self, device: LightonmlOPU | LightonmlHardwareOPU) -> None:
        self.device = device
        self.n_features = device.n_inputs
        self.optics_seconds = 0.0
        self.saturated_fraction: float | None = None  # lightonml's reconstruction hides counts
        self.frames_known = False
        ones = torch.ones(1, self.n_features, device=device.tensor_device)
        mean_square = float(device.linear_transform(ones).square().mean())
        if not mean_square > 0:
            raise ValueError(f"lightonml's linear_transform of the all-on frame gave {mean_square}")
        self.sigma = math.sqrt(mean_square / self.n_features)  # Re(T ones) ~ N(0, n sigma^2)

    @property
    def silent_fraction(self) -> float:
        """No output is silenced: there is no anchor to normalise by."""
        return 0.0

    def project(self, x: Tensor) -> Tensor:
        """(N, n_features) binary -> (N, n_outputs) float32, linear in x."""
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"x must have shape (N, {self.n_features}); got {tuple(x.shape)}")
        return timed(self, lambda: self.device.linear_transform(x)) / self.sigma

    def noiseless_project(self, x: Tensor) -> Tensor:
        """(N, n_features) real -> (N, n_outputs): x Re(T) / sigma, from the simulated matrix."""
        matrix = self.device.transmission_matrix().real.to(x.device)
        return x.float() @ matrix / self.sigma
