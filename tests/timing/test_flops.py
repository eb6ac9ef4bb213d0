"""FLOP counts of a training step: exactly the matrix products each method needs."""

from __future__ import annotations

import pytest
import torch

from odfa.timing.flops import flop_counts, step_flops
from odfa.timing.step import TrainingStep
from odfa.timing.workloads import fcnn_workload, gpt_workload

WIDTH, DEPTH, BATCH, OUTPUTS = 32, 3, 4, 5


@pytest.fixture
def counts(config) -> dict[str, int]:
    work = fcnn_workload(WIDTH, DEPTH, BATCH, OUTPUTS)
    return {
        method: step_flops(TrainingStep(config, method, work, torch.device("cpu")))
        for method in ("bp", "dfa")
    }


def test_bp_counts_forward_weight_and_input_gradients(counts):
    forward = 2 * BATCH * (DEPTH * WIDTH**2 + WIDTH * OUTPUTS)
    input_gradients = forward - 2 * BATCH * WIDTH**2  # none for the first layer: data
    assert counts["bp"] == 2 * forward + input_gradients


def test_dfa_skips_every_input_gradient_and_adds_one_shared_projection(counts, config):
    assert config["feedback"]["shared_matrix"]  # one projection of the widest point
    forward = 2 * BATCH * (DEPTH * WIDTH**2 + WIDTH * OUTPUTS)
    projection = 2 * BATCH * OUTPUTS * WIDTH
    assert counts["dfa"] == 2 * forward + projection


def test_attention_on_the_cpu_is_counted(config):
    work = gpt_workload(config, width=16, depth=2, batch=3)
    counts = flop_counts(TrainingStep(config, "bp", work, torch.device("cpu")))
    batch, context, layers = 3, work.sizes["context"], 2
    scores_and_values = 2 * 2 * batch * context**2 * 16  # q k^T and p v: 2 T^2 C each
    forward = "aten._scaled_dot_product_flash_attention_for_cpu"
    assert counts[forward] == layers * scores_and_values
    assert counts[forward + "_backward"] == layers * scores_and_values * 5 // 2  # 5 products
