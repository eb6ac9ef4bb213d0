"""The lit pixels of sparse binary frames, found eight pixels at a time."""

from __future__ import annotations

import torch
from torch import Tensor

WORD_PIXELS = 8  # boolean pixels (one byte each) read as one int64 word
LIT_WORDS = 1 / 8  # above this fraction of words holding a lit pixel, pixels are read one by one


def lit_pixels(frames: Tensor) -> tuple[Tensor, Tensor]:
    """(rows, columns) of the non-zero entries of 2-D `frames` in row-major order, as
    `frames.nonzero(as_tuple=True)` gives them. Boolean frames are first scanned a 64-bit word
    (eight pixels) at a time and, when few words hold a lit pixel, only those are looked into:
    a ternarised wide error (a GPT's, over its vocabulary) lights about one pixel in a thousand,
    and this reads an eighth as much."""
    flat = frames.reshape(-1)
    aligned = flat.numel() % WORD_PIXELS == 0 and flat.storage_offset() % WORD_PIXELS == 0
    if frames.dtype != torch.bool or not frames.is_contiguous() or not aligned:
        return frames.nonzero(as_tuple=True)
    words = flat.view(torch.int64).nonzero().squeeze(1)
    if words.numel() > LIT_WORDS * flat.numel() / WORD_PIXELS:
        return frames.nonzero(as_tuple=True)
    word_rows, offsets = flat.view(-1, WORD_PIXELS)[words].nonzero(as_tuple=True)
    pixels = words[word_rows] * WORD_PIXELS + offsets
    return pixels // frames.shape[1], pixels % frames.shape[1]
