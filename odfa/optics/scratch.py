"""Buffers for the large temporaries of each projection, kept from one projection to the next.

A temporary of a projection's size (frames x camera pixels, often above a megabyte) comes from
the operating system as fresh pages each time it is allocated, and the first write to each page
faults: on a CPU that costs as much as computing the temporary (a ViT's camera noise took 1.8 ms
in a training step fresh and 1.1 ms in a kept buffer). Only temporaries that never leave their
owner are kept: what a method returns is always a new tensor.
"""

from __future__ import annotations

import torch
from torch import Tensor


class Scratch:
    """Named buffers, each grown to the largest size asked of it and handed out as views."""

    def __init__(self) -> None:
        self._buffers: dict[tuple[str, torch.dtype, torch.device], Tensor] = {}

    def take(
        self, name: str, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device
    ) -> Tensor:
        """A tensor of `shape` with unspecified contents, which the next `take` of `name` (same
        dtype and device) overwrites."""
        key = (name, dtype, torch.device(device))
        size = 1
        for length in shape:
            size *= length
        buffer = self._buffers.get(key)
        if buffer is None or buffer.numel() < size:
            buffer = torch.empty(size, dtype=dtype, device=device)
            self._buffers[key] = buffer
        return buffer[:size].view(shape)

    def like(self, name: str, reference: Tensor) -> Tensor:
        """`take(name, ...)` with the shape, dtype and device of `reference`."""
        return self.take(name, tuple(reference.shape), reference.dtype, reference.device)
