"""The alignment diagnostic compares an update with the true BP gradient."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from odfa.feedback import build_method
from odfa.feedback.alignment import gradient_alignment


def test_bp_is_perfectly_aligned_with_itself(small_fcnn, config):
    inputs, targets = torch.randn(8, 12), torch.randint(5, (8,))
    build_method("bp", small_fcnn, config, torch.device("cpu")).compute_gradients(
        small_fcnn, inputs, targets, F.cross_entropy
    )
    alignment = gradient_alignment(small_fcnn, inputs, targets, F.cross_entropy)
    assert alignment == {
        "alignment_1": pytest_approx(1.0),
        "alignment_2": pytest_approx(1.0),
    }


def test_dfa_alignment_is_a_cosine_and_the_last_hidden_layer_aligns(small_fcnn, config):
    inputs, targets = torch.randn(8, 12), torch.randint(5, (8,))
    build_method("dfa", small_fcnn, config, torch.device("cpu")).compute_gradients(
        small_fcnn, inputs, targets, F.cross_entropy
    )
    alignment = gradient_alignment(small_fcnn, inputs, targets, F.cross_entropy)
    assert set(alignment) == {"alignment_1", "alignment_2"}
    assert all(-1.0 <= value <= 1.0 for value in alignment.values())
    assert not math.isclose(alignment["alignment_2"], 1.0, abs_tol=1e-3)


def test_a_segment_without_update_gives_nan(small_fcnn, config):
    inputs, targets = torch.randn(8, 12), torch.randint(5, (8,))
    build_method("shallow", small_fcnn, config, torch.device("cpu")).compute_gradients(
        small_fcnn, inputs, targets, F.cross_entropy
    )
    alignment = gradient_alignment(small_fcnn, inputs, targets, F.cross_entropy)
    assert all(math.isnan(value) for value in alignment.values())


def pytest_approx(value: float):
    import pytest

    return pytest.approx(value, abs=1e-5)
