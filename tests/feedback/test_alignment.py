"""The diagnostics per feedback point: alignment with BP (per batch, and its mean and spread over
single samples) and weight-norm growth."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from odfa.feedback import build_method
from odfa.feedback.alignment import gradient_alignment, parameter_norms, sample_alignment

CPU = torch.device("cpu")


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(8, 12, generator=generator), torch.randint(5, (8,), generator=generator)


def _parts(model) -> dict:
    return {f"hidden.{index}": list(layer.parameters()) for index, layer in enumerate(model.hidden)}


def test_bp_is_perfectly_aligned_with_itself(small_fcnn, config):
    inputs, targets = _batch()
    build_method("bp", small_fcnn, config, CPU).compute_gradients(
        small_fcnn, inputs, targets, F.cross_entropy
    )
    alignment = gradient_alignment(small_fcnn, inputs, targets, F.cross_entropy, _parts(small_fcnn))
    assert alignment == {
        "alignment_hidden.0": pytest.approx(1.0, abs=1e-5),
        "alignment_hidden.1": pytest.approx(1.0, abs=1e-5),
    }


def test_dfa_alignment_is_a_cosine_per_feedback_point(small_fcnn, config):
    inputs, targets = _batch()
    method = build_method("dfa", small_fcnn, config, CPU, inputs)
    method.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)
    parts = method.alignment_parts(small_fcnn)
    assert list(parts) == ["hidden.0", "hidden.1"]
    alignment = gradient_alignment(small_fcnn, inputs, targets, F.cross_entropy, parts)
    assert all(-1.0 <= value <= 1.0 for value in alignment.values())
    assert not math.isclose(alignment["alignment_hidden.1"], 1.0, abs_tol=1e-3)


def test_a_part_without_update_gives_nan(small_fcnn, config):
    inputs, targets = _batch()
    build_method("shallow", small_fcnn, config, CPU, inputs).compute_gradients(
        small_fcnn, inputs, targets, F.cross_entropy
    )
    alignment = gradient_alignment(small_fcnn, inputs, targets, F.cross_entropy, _parts(small_fcnn))
    assert all(math.isnan(value) for value in alignment.values())


@pytest.mark.parametrize("name", ["dfa", "odfa"])
def test_sample_alignment_is_the_mean_and_spread_of_single_sample_cosines(small_fcnn, config, name):
    inputs, targets = _batch()
    method = build_method(name, small_fcnn, config, CPU, inputs)
    method.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)
    batch_update = [p.grad.clone() for p in small_fcnn.parameters()]
    state, rng = method.state_dict(), torch.get_rng_state()
    spread = sample_alignment(small_fcnn, method, inputs, targets, F.cross_entropy, samples=4)
    # The update to apply, the optics' state and torch's random state are untouched.
    for parameter, before in zip(small_fcnn.parameters(), batch_update, strict=True):
        torch.testing.assert_close(parameter.grad, before, rtol=0, atol=0)
    assert repr(method.state_dict()) == repr(state) and torch.equal(torch.get_rng_state(), rng)
    expected = []
    for index in range(4):
        probe = build_method(name, small_fcnn, config, CPU, inputs)  # a fresh OPU: same noise
        probe.load_state_dict(state)
        for parameter in small_fcnn.parameters():
            parameter.grad = None
        sample, target = inputs[index : index + 1], targets[index : index + 1]
        probe.compute_gradients(small_fcnn, sample, target, F.cross_entropy)
        parts = probe.alignment_parts(small_fcnn)
        expected.append(gradient_alignment(small_fcnn, sample, target, F.cross_entropy, parts))
        state = probe.state_dict()
    for part in ("hidden.0", "hidden.1"):
        values = torch.tensor([row[f"alignment_{part}"] for row in expected], dtype=torch.float64)
        assert spread[f"sample_alignment_mean_{part}"] == pytest.approx(float(values.mean()))
        assert spread[f"sample_alignment_std_{part}"] == pytest.approx(
            float(values.std(correction=0))
        )
        assert spread[f"sample_alignment_std_{part}"] > 0


def test_parameter_norms_are_the_norm_of_all_of_a_parts_values(small_fcnn):
    norms = parameter_norms(_parts(small_fcnn))
    layer = small_fcnn.hidden[1][0]
    expected = math.sqrt(
        float(layer.weight.detach().pow(2).sum() + layer.bias.detach().pow(2).sum())
    )
    assert norms["hidden.1"] == pytest.approx(expected)
