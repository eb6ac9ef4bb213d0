"""Digital random projection of the output error: the feedback matrix of digital DFA."""

from __future__ import annotations

from typing import Protocol

import torch


class ErrorProjector(Protocol):
    """Maps output errors (N, n_features) to feedback signals (N, n_outputs)."""

    n_outputs: int

    def __call__(self, error: torch.Tensor) -> torch.Tensor: ...


class GaussianProjector:
    """A fixed, seeded matrix B with i.i.d. N(0, 1) entries: `signal = error @ B`."""

    def __init__(
        self, n_features: int, n_outputs: int, seed: int, device: str | torch.device = "cpu"
    ) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.matrix = torch.randn(n_features, n_outputs, generator=generator).to(device)
        self.n_outputs = n_outputs

    def __call__(self, error: torch.Tensor) -> torch.Tensor:
        return error @ self.matrix.to(error.dtype)
