"""The ViT: token layout round trip, feedback points, per-token output, paper size."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from odfa.feedback import build_method
from odfa.feedback.points import inspect_points
from odfa.models import parameter_count
from odfa.models.vit import ViT, ViTConfig

SMALL = ViTConfig(in_channels=4, out_channels=2, height=8, width=12, patch_size=4, embedding_dim=16)


def test_tokens_and_maps_are_inverse_layouts():
    model = ViT(SMALL)
    maps = torch.randn(3, 2, 8, 12)
    tokens = model.to_tokens(maps)
    assert tokens.shape == (3, 6, 32)  # 2 x 3 patches of 4 x 4 pixels x 2 channels
    assert torch.equal(model.to_maps(tokens), maps)


def test_each_token_predicts_its_own_patch():
    model = ViT(SMALL)
    output = model(torch.randn(2, 4, 8, 12))
    assert output.shape == (2, 6, 32)
    layout = inspect_points(model, model.feedback_points, torch.randn(2, 4, 8, 12))
    assert layout.widths == [16, 16, 16] and layout.error_widths["output"] == 32


def test_the_whole_output_map_can_be_projected_once_onto_every_token():
    model = ViT(SMALL)
    layout = inspect_points(model, model.feedback_points, torch.randn(2, 4, 8, 12), rows="sample")
    assert layout.error_widths["output"] == 2 * 8 * 12  # the sample's whole output map
    assert layout.widths == [6 * 16] * 3  # tokens x d_model


def test_dfa_with_the_whole_map_error_trains_every_block(config):
    model = ViT(SMALL)
    maps, targets = torch.randn(4, 4, 8, 12), torch.randn(4, 6, 32)
    config = {**config, "feedback": {**config["feedback"], "error_rows": "sample"}}
    method = build_method("dfa", model, config, torch.device("cpu"), maps[:2])
    assert method.projector.matrix.shape == (6 * 32, 6 * 16)  # one projection per sample
    method.compute_gradients(model, maps, targets, F.mse_loss)
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


def test_a_change_in_one_patch_reaches_every_token():
    """Encoder attention is not causal: every token sees every patch."""
    model = ViT(SMALL).eval()
    maps = torch.randn(1, 4, 8, 12)
    changed = maps.clone()
    changed[..., -4:, -4:] += 1.0  # the last patch only
    difference = (model(maps) - model(changed)).abs().sum(dim=-1)
    assert (difference > 0).all()


def test_the_paper_scale_vit_has_about_200_million_parameters(paper_config):
    with torch.device("meta"):
        model = ViT(
            ViTConfig(
                in_channels=4,
                out_channels=1,
                height=96,
                width=144,
                **paper_config["climate"]["models"]["vit"],
            )
        )
    assert parameter_count(model.parameters()) == pytest.approx(2.0e8, rel=0.05)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patch_size", 5, "not divisible into"),
        ("n_layers", 1, "n_layers"),
        ("n_heads", 3, "n_heads"),
    ],
)
def test_bad_settings_are_named(field, value, message):
    with pytest.raises(ValueError, match=message):
        ViTConfig(**{**SMALL.__dict__, field: value})
