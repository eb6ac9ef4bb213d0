"""Peak memory readings: the process's peak RSS on the CPU."""

from __future__ import annotations

import mmap

import torch

from odfa.timing.memory import PeakMemory, memory_status_bytes, reset_peak_rss


def test_peak_rss_resets_to_the_current_rss():
    reset_peak_rss()
    assert memory_status_bytes("VmHWM") <= memory_status_bytes("VmRSS") + 2**20


def test_the_cpu_peak_grows_with_an_allocation_made_after_the_reset():
    peak = PeakMemory(torch.device("cpu"))
    before = peak.bytes()
    # 64 MiB of fresh pages, touched: a tensor may take memory the process already holds (an
    # earlier test's, freed but resident) and grow nothing (seen once in a clean-clone run)
    block = mmap.mmap(-1, 64 * 2**20)
    block.write(b"\1" * len(block))
    assert peak.kind == "process_peak_rss"
    assert peak.bytes() >= before + 60 * 2**20
    block.close()


def test_the_increase_never_goes_below_zero_when_the_process_shrinks():
    held = mmap.mmap(-1, 32 * 2**20)
    held.write(b"\1" * len(held))
    peak = PeakMemory(torch.device("cpu"))
    held.close()
    assert peak.increase() == 0


def test_the_increase_counts_what_was_allocated_after_the_start():
    peak = PeakMemory(torch.device("cpu"))
    block = mmap.mmap(-1, 64 * 2**20)
    block.write(b"\1" * len(block))
    assert 60 * 2**20 <= peak.increase() <= peak.bytes()
    block.close()
