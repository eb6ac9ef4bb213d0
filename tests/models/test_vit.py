"""The ViT: token layout round trip, feedback points, per-token output, paper size."""

from __future__ import annotations

import pytest
import torch

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
    assert output.shape == (2, 6, 32) and model.output_dim == 32
    assert len(model.segments) == 3 and model.feedback_dims == [16, 16, 16]


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
    assert model.num_parameters() == pytest.approx(2.0e8, rel=0.05)


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
