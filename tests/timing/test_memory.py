"""Peak memory readings: the process's peak RSS on the CPU."""

from __future__ import annotations

import torch

from odfa.timing.memory import PeakMemory, memory_status_bytes, reset_peak_rss


def test_peak_rss_resets_to_the_current_rss():
    reset_peak_rss()
    assert memory_status_bytes("VmHWM") <= memory_status_bytes("VmRSS") + 2**20


def test_the_cpu_peak_grows_with_an_allocation_made_after_the_reset():
    peak = PeakMemory(torch.device("cpu"))
    before = peak.bytes()
    block = torch.ones(64 * 2**20 // 4)  # 64 MiB, touched
    assert peak.kind == "process_peak_rss"
    assert peak.bytes() >= before + 60 * 2**20
    del block
