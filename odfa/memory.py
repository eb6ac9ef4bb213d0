"""Process memory readings from Linux's /proc (peak RSS can be reset between measurements)."""

from __future__ import annotations

from pathlib import Path

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
