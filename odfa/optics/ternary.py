"""Ternarisation of an error vector into {-1, 0, 1}, and its split into two binary DMD frames."""

from __future__ import annotations

import torch
from torch import Tensor

from odfa.optics.lit_pixels import lit_pixels


def check_threshold(threshold: float, relative: bool) -> None:
    """Raise ValueError unless `threshold` is in [0, 1) (relative) or >= 0 (absolute)."""
    if relative and not 0 <= threshold < 1:
        raise ValueError(f"relative ternarisation threshold must be in [0, 1); got {threshold}")
    if not relative and not threshold >= 0:
        raise ValueError(f"absolute ternarisation threshold must be >= 0; got {threshold}")


def ternary_frames(error: Tensor, threshold: float, relative: bool = True) -> tuple[Tensor, Tensor]:
    """The entries whose magnitude passes the threshold (relative: a fraction of the row's
    largest), as two boolean DMD frames per row: the positive ones and the negative ones."""
    check_threshold(threshold, relative)
    cutoff = threshold * error.abs().amax(dim=-1, keepdim=True) if relative else threshold
    return error > cutoff, error < -cutoff  # the cutoff is >= 0: e > c is e > 0 and |e| > c


def ternarize(error: Tensor, threshold: float, relative: bool = True) -> Tensor:
    """Sign of each entry whose magnitude passes the threshold, 0 elsewhere; one vector per row."""
    positive, negative = ternary_frames(error, threshold, relative)
    return positive.to(error.dtype).masked_fill_(negative, -1)  # the frames never overlap


def ternary_counts(frames: Tensor) -> tuple[Tensor, Tensor]:
    """(N, 1) int64 counts of lit pixels per row of the positive and of the negative frames,
    given stacked as the (2N, n_features) frames that are projected."""
    n = frames.shape[0] // 2
    counts = torch.bincount(lit_pixels(frames)[0], minlength=2 * n).unsqueeze(1)
    return counts[:n], counts[n:]


def ternary_norm(positive: Tensor, negative: Tensor) -> Tensor:
    """(N, 1) norms of the ternary rows with these counts of +1 and -1 entries: the square root
    of their exact sum in float64, then float32 (the value torch's CPU norm gives a row of
    +/-1 and 0, whose sum of squares it takes in float64)."""
    return (positive + negative).double().sqrt().float()


def ternary_mean(positive: Tensor, negative: Tensor, n_features: int) -> Tensor:
    """(N, 1) means of the ternary rows of `n_features` entries with these counts of +1 and -1."""
    return (positive - negative).float() / n_features


def split_signs(ternary: Tensor) -> tuple[Tensor, Tensor]:
    """The positive and negative parts of a ternary tensor as binary {0, 1} frames."""
    return (ternary > 0).to(ternary.dtype), (ternary < 0).to(ternary.dtype)
