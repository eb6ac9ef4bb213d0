"""`odfa bench paper`: the paper's models and training lengths, measured steps, and a clean
skip without a GPU."""

from __future__ import annotations

import json
import math
import subprocess

import pytest
import torch

from odfa.config import load_config
from odfa.timing import fields
from odfa.timing.paper import (
    benchmark_paper,
    climate_training_samples,
    measure_training,
    paper_workloads,
)
from odfa.timing.workloads import fcnn_workload
from tests.conftest import BIN, REPO

PAPER = load_config(REPO / "config" / "config.yaml", REPO / "config" / "paper.yaml")


def test_climatebench_gives_one_training_sample_per_year_with_its_window():
    assert climate_training_samples(1) == 3 * 165 + 3 * 86  # historical, hist-GHG/-aer; 3 SSPs
    assert climate_training_samples(5) == 3 * 161 + 3 * 86  # scenarios: historical as history


def test_the_paper_workloads_have_the_paper_sizes_and_training_lengths():
    workloads = {model: (work, steps) for model, work, steps in paper_workloads(PAPER)}
    gpt, gpt_steps = workloads["gpt"]
    assert (gpt.sizes["width"], gpt.sizes["depth"], gpt.sizes["heads"]) == (2040, 21, 12)
    dialogs = PAPER["dialogs"]
    assert dialogs["window_stride"] == 1  # a window at every token, as the study cut them
    sequences = dialogs["train_tokens"] - 24
    assert gpt_steps == dialogs["training"]["epochs"] * math.ceil(sequences / 32)
    fcnn, fcnn_steps = workloads["fcnn"]
    assert fcnn.sizes == {"inputs": 55296, "hidden": 18432 + 8192 + 4096, "outputs": 13824,
                          "batch": 16}  # fmt: skip
    assert fcnn_steps == 40 * math.ceil(climate_training_samples(1) / 16)
    assert workloads["vit"][0].sizes["width"] == 1024


def test_a_measurement_gives_parameters_and_the_median_step(config):
    work = fcnn_workload(16, 2, 4, 3)
    measured = measure_training(config, "dfa", work, torch.device("cpu"), steps=2)
    assert measured["parameters"] == 2 * (16 * 16 + 16) + 16 * 3 + 3
    assert measured["step_seconds"] > 0
    assert measured["peak_memory_bytes"] > 0  # the process's peak RSS on the CPU


@pytest.mark.slow
def test_without_a_gpu_the_check_says_so_and_succeeds():
    config = {**PAPER, "device": "cpu"}
    assert list(benchmark_paper(config)) == [
        {"skipped": "the paper's sizes need a CUDA GPU; this process has cpu"}
    ]
    command = [str(BIN / "odfa"), "bench", "paper", "--device", "cpu", "--json"]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    assert set(json.loads(output.stdout)) == {"skipped"} <= set(fields.PAPER)
