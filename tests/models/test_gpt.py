"""The GPT-like decoder: causality, feedback points, attention maps, generation, paper size."""

from __future__ import annotations

import pytest
import torch

from odfa.feedback.points import inspect_points
from odfa.models import parameter_count
from odfa.models.gpt import GPT, GPTConfig
from odfa.models.transformer import SelfAttention

TINY = GPTConfig(vocab_size=50, context_length=8, n_layers=3, n_heads=2, embedding_dim=16)


def test_a_future_token_cannot_change_earlier_logits():
    torch.manual_seed(0)
    model = GPT(TINY).eval()
    ids = torch.randint(50, (1, 8))
    changed = ids.clone()
    changed[0, 5] = (ids[0, 5] + 1) % 50
    before, after = model(ids), model(changed)
    torch.testing.assert_close(before[:, :5], after[:, :5])
    assert not torch.allclose(before[:, 5:], after[:, 5:])


def test_feedback_points_are_all_blocks_but_the_last():
    model = GPT(TINY)
    ids = torch.randint(50, (2, 8))
    layout = inspect_points(model, model.feedback_points, ids)
    assert layout.points == ("blocks.0", "blocks.1") and layout.widths == [16, 16]
    assert layout.error_widths["output"] == 50
    assert layout.point_parameters[0][:2] == (
        "embedding.tokens.weight",
        "embedding.positions.weight",
    )
    assert (
        layout.tail_parameters[-1] == "head.weight"
        and "blocks.2.0.norm.weight" in layout.tail_parameters
    )
    fine = GPT(GPTConfig(**{**TINY.__dict__, "feedback_points": "sublayer"}))
    assert fine.feedback_points == ["blocks.0.0", "blocks.0.1", "blocks.1.0", "blocks.1.1"]
    ids = torch.randint(50, (2, 8))
    torch.manual_seed(0)
    a = GPT(TINY).eval()(ids)
    torch.manual_seed(0)
    b = GPT(GPTConfig(**{**TINY.__dict__, "feedback_points": "sublayer"})).eval()(ids)
    torch.testing.assert_close(a, b)  # the same network, cut at finer points


def test_attention_maps_are_causal_distributions():
    model = GPT(TINY).eval()
    maps = model.attention_maps(torch.randint(50, (1, 8)))
    assert maps.shape == (3, 1, 2, 8, 8)
    torch.testing.assert_close(maps.sum(-1), torch.ones(3, 1, 2, 8))
    assert (maps.triu(1) == 0).all()
    assert all(getattr(m, "attention", None) is None for m in model.modules())


def test_recorded_and_fused_attention_agree():
    model = GPT(TINY).eval()
    ids = torch.randint(50, (2, 8))
    fused = model(ids)
    for layer in model.modules():
        if isinstance(layer, SelfAttention):
            layer.record_attention = True
    torch.testing.assert_close(model(ids), fused, atol=1e-5, rtol=1e-5)


def test_generation_is_seeded_and_crops_the_context():
    model = GPT(TINY).eval()
    prompt = torch.randint(50, (1, 12))  # longer than the context
    first = model.generate(prompt, 5, 0.8, torch.Generator().manual_seed(3))
    second = model.generate(prompt, 5, 0.8, torch.Generator().manual_seed(3))
    assert first.shape == (1, 17) and torch.equal(first, second)
    greedy = model.generate(prompt, 2, 0.0)
    assert torch.equal(greedy, model.generate(prompt, 2, 0.0))


def test_the_paper_scale_model_has_1_07_billion_parameters(paper_config):
    with torch.device("meta"):
        model = GPT(GPTConfig(**paper_config["dialogs"]["model"]))
    assert parameter_count(model.parameters()) == pytest.approx(1.07e9, rel=0.03)
    assert model.config.embedding_dim == 2040 and model.config.context_length == 24


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n_layers", 1, "n_layers must be >= 2"),
        ("n_heads", 3, "not divisible"),
        ("feedback_points", "everywhere", "feedback_points"),
    ],
)
def test_bad_settings_are_named(field, value, message):
    with pytest.raises(ValueError, match=message):
        GPTConfig(**{**TINY.__dict__, field: value})
