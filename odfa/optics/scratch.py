"""Buffers for the large temporaries of each projection, kept from one projection to the next.

On a CPU, a temporary of a projection's size (frames x camera pixels, often above a megabyte)
comes from the operating system as fresh pages each time it is allocated, and the first write to
each page faults: that costs as much as computing the temporary (a ViT's camera noise took 1.8 ms
in a training step fresh and 1.1 ms in a kept buffer). A GPU's caching allocator already reuses
freed memory, so there a buffer is not kept (it would only hold memory between projections).
Only temporaries that never leave their owner are kept: what a method returns is always a new
tensor.
"""

from __future__ import annotations

import math

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
        dtype and device) overwrites on a CPU (elsewhere a new tensor each time)."""
        device = torch.device(device)
        if device.type != "cpu":
            return torch.empty(shape, dtype=dtype, device=device)
        key = (name, dtype, device)
        size = math.prod(shape)
        buffer = self._buffers.get(key)
        if buffer is None or buffer.numel() < size:
            buffer = torch.empty(size, dtype=dtype, device=device)
            self._buffers[key] = buffer
        return buffer[:size].view(shape)

    def like(self, name: str, reference: Tensor) -> Tensor:
        """`take(name, ...)` with the shape, dtype and device of `reference`."""
        return self.take(name, tuple(reference.shape), reference.dtype, reference.device)
