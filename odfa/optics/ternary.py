"""Ternarisation of an error vector into {-1, 0, 1}, and its split into two binary DMD frames."""

from __future__ import annotations

import torch
from torch import Tensor


def check_threshold(threshold: float, relative: bool) -> None:
    """Raise ValueError unless `threshold` is in [0, 1) (relative) or >= 0 (absolute)."""
    if relative and not 0 <= threshold < 1:
        raise ValueError(f"relative ternarisation threshold must be in [0, 1); got {threshold}")
    if not relative and not threshold >= 0:
        raise ValueError(f"absolute ternarisation threshold must be >= 0; got {threshold}")


def ternarize(error: Tensor, threshold: float, relative: bool = True) -> Tensor:
    """Sign of each entry whose magnitude passes the threshold, 0 elsewhere; one vector per row."""
    check_threshold(threshold, relative)
    magnitude = error.abs()
    cutoff = threshold * magnitude.amax(dim=-1, keepdim=True) if relative else threshold
    return torch.sign(error) * (magnitude > cutoff).to(error.dtype)


def split_signs(ternary: Tensor) -> tuple[Tensor, Tensor]:
    """The positive and negative parts of a ternary tensor as binary {0, 1} frames."""
    return (ternary > 0).to(ternary.dtype), (ternary < 0).to(ternary.dtype)
