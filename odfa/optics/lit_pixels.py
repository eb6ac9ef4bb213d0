"""The lit pixels of sparse binary frames, found eight pixels at a time."""

from __future__ import annotations

import torch
from torch import Tensor

WORD_PIXELS = 8  # boolean pixels (one byte each) read as one int64 word
LIT_WORDS = 1 / 8  # above this fraction of words holding a lit pixel, pixels are read one by one


def lit_pixels(frames: Tensor, at_most: float = 1.0) -> tuple[Tensor, Tensor] | None:
    """(rows, columns) of the non-zero entries of 2-D `frames` in row-major order, as
    `frames.nonzero(as_tuple=True)` gives them, or None when more than the fraction `at_most`
    of the entries are lit (dense frames: a caller then works on them whole).

    Boolean frames are first read a 64-bit word (eight pixels) at a time: the count of words
    holding a lit pixel bounds the count of lit pixels from below (dense frames are known
    without a look inside the words), and when few words hold one, only those are looked into
    (a ternarised wide error, a GPT's over its vocabulary, lights about one pixel in a
    thousand: this reads an eighth as much)."""
    flat = frames.reshape(-1)
    limit = at_most * flat.numel()
    aligned = flat.numel() % WORD_PIXELS == 0 and flat.storage_offset() % WORD_PIXELS == 0
    if frames.dtype != torch.bool or not frames.is_contiguous() or not aligned:
        return _within(frames.nonzero(as_tuple=True), limit)
    words = flat.view(torch.int64)
    lit_words = int(torch.count_nonzero(words))
    if lit_words > limit:  # each of these words holds a lit pixel at least
        return None
    if lit_words > LIT_WORDS * words.numel():
        if int(torch.count_nonzero(flat)) > limit:
            return None
        return frames.nonzero(as_tuple=True)
    lit = words.nonzero().squeeze(1)
    word_rows, offsets = flat.view(-1, WORD_PIXELS)[lit].nonzero(as_tuple=True)
    if word_rows.numel() > limit:
        return None
    pixels = lit[word_rows] * WORD_PIXELS + offsets
    return pixels // frames.shape[1], pixels % frames.shape[1]


def _within(lit: tuple[Tensor, Tensor], limit: float) -> tuple[Tensor, Tensor] | None:
    return lit if lit[0].numel() <= limit else None
