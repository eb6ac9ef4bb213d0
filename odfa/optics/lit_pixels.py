"""The lit pixels of sparse binary frames, found eight pixels at a time."""

from __future__ import annotations

import torch
from torch import Tensor

WORD_PIXELS = 8  # boolean pixels (one byte each) read as one int64 word


def lit_pixels(frames: Tensor) -> tuple[Tensor, Tensor]:
    """(rows, columns) of the non-zero entries of 2-D `frames` in row-major order, as
    `frames.nonzero(as_tuple=True)` gives them. Boolean frames are first scanned a 64-bit word
    (eight pixels) at a time and only the words holding a lit pixel are looked into: a
    ternarised error lights about one pixel in a thousand, so this reads an eighth as much."""
    flat = frames.reshape(-1)
    aligned = flat.numel() % WORD_PIXELS == 0 and flat.storage_offset() % WORD_PIXELS == 0
    if frames.dtype != torch.bool or not frames.is_contiguous() or not aligned:
        return frames.nonzero(as_tuple=True)
    words = flat.view(torch.int64).nonzero().squeeze(1)
    word_rows, offsets = flat.view(-1, WORD_PIXELS)[words].nonzero(as_tuple=True)
    pixels = words[word_rows] * WORD_PIXELS + offsets
    return pixels // frames.shape[1], pixels % frames.shape[1]
