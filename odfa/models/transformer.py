"""Transformer building blocks shared by the GPT decoder and the ViT encoder."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from odfa.errors import ConfigError


def check_transformer_shape(n_layers: int, embedding_dim: int, n_heads: int) -> None:
    """A DFA Transformer needs a tail block and heads that split the embedding evenly."""
    if n_layers < 2:
        raise ConfigError(f"n_layers must be >= 2 (the last block is the tail); got {n_layers}")
    if embedding_dim % n_heads:
        raise ConfigError(f"embedding_dim {embedding_dim} is not divisible by n_heads {n_heads}")


class SelfAttention(nn.Module):
    """Multi-head self-attention, causal (decoder) or not (encoder); can record its weights."""

    def __init__(self, width: int, n_heads: int, dropout: float, causal: bool) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.causal = causal
        self.qkv = nn.Linear(width, 3 * width)
        self.projection = nn.Linear(width, width)
        self.dropout = nn.Dropout(dropout)
        self.record_attention = False
        self.attention: torch.Tensor | None = None  # (B, H, T, T) when recorded

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, time, channels = x.shape
        q, k, v = self.qkv(x).split(channels, dim=2)
        # (B, T, C) -> (B, H, T, C / H)
        q, k, v = (t.view(batch, time, self.n_heads, -1).transpose(1, 2) for t in (q, k, v))
        if self.record_attention:
            scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
            if self.causal:
                future = torch.ones(time, time, dtype=torch.bool, device=x.device).triu(1)
                scores = scores.masked_fill(future, float("-inf"))
            self.attention = scores.softmax(dim=-1)
            y = self.attention @ v
        else:
            dropout = self.dropout.p if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal, dropout_p=dropout)
        y = y.transpose(1, 2).reshape(batch, time, channels)  # (B, T, C)
        return self.dropout(self.projection(y))


class MLP(nn.Module):
    def __init__(self, width: int, dropout: float) -> None:
        super().__init__()
        self.expand = nn.Linear(width, 4 * width)
        self.contract = nn.Linear(4 * width, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.contract(F.gelu(self.expand(x))))


class Residual(nn.Module):
    """layer_norm(x + sublayer(x)): one post-norm sublayer of a decoder block.

    Post-norm (as the original Transformer and LightOn's DFA Transformer) puts every feedback
    point on a normalised activation. With pre-norm, a feedback point on the raw residual stream
    feeds the tail through a layer norm that discards the radial part of the DFA signal.
    """

    def __init__(self, sublayer: nn.Module, width: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.sublayer = sublayer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x + self.sublayer(x))


class Block(nn.Sequential):
    """Self-attention then MLP, each a post-norm residual sublayer."""

    def __init__(self, width: int, n_heads: int, dropout: float, causal: bool) -> None:
        super().__init__(
            Residual(SelfAttention(width, n_heads, dropout, causal), width),
            Residual(MLP(width, dropout), width),
        )


def initialise_transformer(model: nn.Module, n_layers: int) -> None:
    """GPT-2 initialisation: N(0, 0.02) weights, zero biases, residual outputs scaled down."""
    for module in model.modules():
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)
    for name, parameter in model.named_parameters():
        if name.endswith(("projection.weight", "contract.weight")):
            nn.init.normal_(parameter, std=0.02 / math.sqrt(2 * n_layers))


def attention_maps(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Attention weights of every layer of `model` for `inputs`: (layers, B, heads, T, T)."""
    layers = [module for module in model.modules() if isinstance(module, SelfAttention)]
    for layer in layers:
        layer.record_attention = True
    try:
        with torch.no_grad():
            model(inputs)
        return torch.stack([layer.attention for layer in layers])
    finally:
        for layer in layers:
            layer.record_attention, layer.attention = False, None
