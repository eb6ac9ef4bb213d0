"""Peak memory readings: CUDA's allocator on a GPU, Linux's /proc peak RSS on the CPU."""

from __future__ import annotations

from pathlib import Path

import torch

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def memory_status_bytes(field: str) -> int:
    """A memory line of /proc/self/status (VmRSS, VmHWM, ...) in bytes."""
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024  # reported in kB
    raise RuntimeError(f"{STATUS} has no {field} line")


def reset_peak_rss() -> None:
    """Reset the process's peak RSS (VmHWM) to its current RSS."""
    CLEAR_REFS.write_text("5")


class PeakMemory:
    """The peak memory of `device` from the moment this is made: CUDA's maximum allocated
    bytes, or the process's peak RSS on the CPU (`kind` says which, or "unavailable").
    `start` is the reading at that moment, the base of `increase`."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
            self.kind = "cuda_max_allocated"
        else:
            try:
                reset_peak_rss()
            except OSError:
                self.kind = "unavailable"
            else:
                self.kind = "process_peak_rss"
        self.start = self.bytes()

    def bytes(self) -> float:
        """The peak so far (NaN where it cannot be read)."""
        if self.kind == "cuda_max_allocated":
            return float(torch.cuda.max_memory_allocated(self.device))
        if self.kind == "process_peak_rss":
            return float(memory_status_bytes("VmHWM"))
        return float("nan")

    def increase(self) -> float:
        """How far the peak rose above `start` (NaN where it cannot be read). Never below zero:
        Linux's RSS counters are cached per thread, so a later peak RSS can read a few pages
        under the one at the start (-155,648 bytes seen after freeing 32 MiB)."""
        return max(0.0, self.bytes() - self.start)
