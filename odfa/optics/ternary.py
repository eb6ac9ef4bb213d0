"""Ternarisation of an error vector into {-1, 0, 1}, and its split into two binary DMD frames."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from odfa.optics.lit_pixels import lit_pixels
from odfa.optics.scratch import Scratch

SPARSE_ERROR = 1 / 8  # at most this fraction of entries lit: frames are built from lit pixels


def check_threshold(threshold: float, relative: bool) -> None:
    """Raise ValueError unless `threshold` is in [0, 1) (relative) or >= 0 (absolute)."""
    if relative and not 0 <= threshold < 1:
        raise ValueError(f"relative ternarisation threshold must be in [0, 1); got {threshold}")
    if not relative and not threshold >= 0:
        raise ValueError(f"absolute ternarisation threshold must be >= 0; got {threshold}")


@dataclass(frozen=True)
class TernaryFrames:
    """A ternarised batch of N rows as the DMD shows it: `frames` (2N, n_features) boolean, the
    rows' +1 entries then their -1 entries, and (N, 1) counts of each row's +1 and -1 entries."""

    frames: Tensor
    positive: Tensor
    negative: Tensor

    @property
    def ternary(self) -> Tensor:
        """(N, n_features) float32 rows of -1, 0 and 1."""
        positive, negative = self.frames.chunk(2)
        return positive.float().masked_fill_(negative, -1)  # the frames never overlap

    @property
    def norm(self) -> Tensor:
        """(N, 1) norms of the ternary rows, from their exact count of lit entries: its square
        root in float64, then float32 (the value torch's CPU norm gives a row of +/-1 and 0,
        whose sum of squares it takes in float64)."""
        return (self.positive + self.negative).double().sqrt().float()

    @property
    def mean(self) -> Tensor:
        """(N, 1) means of the ternary rows."""
        return (self.positive - self.negative).float() / self.frames.shape[1]


def ternary_frames(
    error: Tensor, threshold: float, relative: bool = True, scratch: Scratch | None = None
) -> TernaryFrames:
    """The entries of each row of the (N, n_features) `error` whose magnitude passes the
    threshold (relative: a fraction of the row's largest), as boolean DMD frames: the positive
    ones of every row, then the negative ones. A sparse ternary (a GPT's, over its vocabulary)
    is built from its lit pixels, found once; a dense one by comparing every entry. The
    magnitudes and the lit mask are worked out in `scratch` (a caller's kept buffers) if given."""
    check_threshold(threshold, relative)
    n, n_features = error.shape
    scratch = scratch or Scratch()
    magnitude = torch.abs(error, out=scratch.like("magnitude", error))
    cutoff = threshold * magnitude.amax(dim=-1, keepdim=True) if relative else threshold
    mask = scratch.take("lit", (n, n_features), torch.bool, error.device)
    lit = lit_pixels(torch.gt(magnitude, cutoff, out=mask), SPARSE_ERROR)
    if lit is None:  # |e| > c is e > c or e < -c (c >= 0)
        frames = torch.empty(2 * n, n_features, dtype=torch.bool, device=error.device)
        torch.gt(error, cutoff, out=frames[:n])
        torch.lt(error, -cutoff, out=frames[n:])
        counts = frames.sum(dim=1, keepdim=True)
        return TernaryFrames(frames, counts[:n], counts[n:])
    rows, columns = lit
    frame_rows = rows + n * (error[rows, columns] < 0)  # a negative entry: its row's 2nd frame
    frames = torch.zeros(2 * n, n_features, dtype=torch.bool, device=error.device)
    frames[frame_rows, columns] = True
    counts = torch.bincount(frame_rows, minlength=2 * n).unsqueeze(1)
    return TernaryFrames(frames, counts[:n], counts[n:])


def ternarize(error: Tensor, threshold: float, relative: bool = True) -> Tensor:
    """Sign of each entry whose magnitude passes the threshold, 0 elsewhere; a vector along the
    last dimension is a row."""
    rows = error.reshape(-1, error.shape[-1])
    return ternary_frames(rows, threshold, relative).ternary.to(error.dtype).view(error.shape)


def split_signs(ternary: Tensor) -> tuple[Tensor, Tensor]:
    """The positive and negative parts of a ternary tensor as binary {0, 1} frames."""
    return (ternary > 0).to(ternary.dtype), (ternary < 0).to(ternary.dtype)
