"""The shared Transformer blocks: attention with and without recording, post-norm residuals,
GPT-2 initialisation and the attention maps."""

from __future__ import annotations

import math

import pytest
import torch

from odfa.errors import ConfigError
from odfa.models.transformer import (
    Block,
    Residual,
    SelfAttention,
    attention_maps,
    check_transformer_shape,
    initialise_transformer,
)


@pytest.mark.parametrize("causal", [True, False])
def test_recorded_attention_gives_the_fused_kernels_output(causal):
    torch.manual_seed(0)
    attention = SelfAttention(8, 2, dropout=0.0, causal=causal).eval()
    x = torch.randn(3, 5, 8)
    fused = attention(x)
    attention.record_attention = True
    torch.testing.assert_close(attention(x), fused, atol=1e-6, rtol=1e-5)
    weights = attention.attention
    assert weights.shape == (3, 2, 5, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 5))
    future = torch.ones(5, 5, dtype=torch.bool).triu(1)
    assert bool((weights[..., future] == 0).all()) is causal


def test_a_residual_sublayer_is_normalised_after_the_sum():
    residual = Residual(torch.nn.Identity(), 4)
    out = residual(torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
    torch.testing.assert_close(out.mean(), torch.tensor(0.0), atol=1e-6, rtol=0)
    assert math.isclose(out.var(unbiased=False).item(), 1.0, rel_tol=1e-3)


def test_initialisation_scales_the_residual_outputs_by_the_depth():
    torch.manual_seed(0)
    model = torch.nn.Sequential(*(Block(64, 4, 0.0, causal=True) for _ in range(8)))
    initialise_transformer(model, n_layers=8)
    contract = torch.cat([block[1].sublayer.contract.weight.flatten() for block in model])
    expand = torch.cat([block[1].sublayer.expand.weight.flatten() for block in model])
    assert math.isclose(expand.std().item(), 0.02, rel_tol=0.02)
    assert math.isclose(contract.std().item(), 0.02 / math.sqrt(16), rel_tol=0.02)
    assert all((block[1].sublayer.expand.bias == 0).all() for block in model)


def test_attention_maps_stack_every_layer_and_switch_recording_off():
    torch.manual_seed(0)
    model = torch.nn.Sequential(*(Block(8, 2, 0.0, causal=True) for _ in range(3))).eval()
    maps = attention_maps(model, torch.randn(2, 4, 8))
    assert maps.shape == (3, 2, 2, 4, 4)
    assert not any(m.record_attention for m in model.modules() if isinstance(m, SelfAttention))


@pytest.mark.parametrize(
    ("layers", "width", "heads", "message"),
    [(1, 8, 2, "n_layers must be >= 2"), (2, 10, 4, "not divisible by n_heads")],
)
def test_a_shape_dfa_cannot_train_is_a_config_error(layers, width, heads, message):
    with pytest.raises(ConfigError, match=message):
        check_transformer_shape(layers, width, heads)
