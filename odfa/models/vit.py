"""A Vision Transformer from forcing maps to output maps; its encoder blocks are feedback points.

The maps are cut into patches; each patch is a token. The output is per token as well,
(B, tokens, patch_size**2 * out_channels): the head predicts each token's own patch, so the
error of each token is one projection (as for the GPT). `to_maps` / `to_tokens` convert.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from einops import rearrange
from torch import nn

from odfa.errors import ConfigError
from odfa.models.transformer import Block, check_transformer_shape, initialise_transformer


@dataclass(frozen=True)
class ViTConfig:
    in_channels: int
    out_channels: int
    height: int
    width: int
    patch_size: int = 4
    embedding_dim: int = 128
    n_layers: int = 4
    n_heads: int = 4
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.height % self.patch_size or self.width % self.patch_size:
            raise ConfigError(
                f"the {self.height} x {self.width} map is not divisible into "
                f"{self.patch_size} x {self.patch_size} patches"
            )
        check_transformer_shape(self.n_layers, self.embedding_dim, self.n_heads)

    @property
    def tokens(self) -> int:
        return (self.height // self.patch_size) * (self.width // self.patch_size)


class PatchEmbedding(nn.Module):
    """(B, C, H, W) maps -> (B, tokens, D) patch embeddings plus learned positions."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.patch_size = config.patch_size
        self.projection = nn.Linear(config.in_channels * config.patch_size**2, config.embedding_dim)
        self.positions = nn.Parameter(torch.zeros(config.tokens, config.embedding_dim))

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        patches = rearrange(
            maps, "b c (h p) (w q) -> b (h w) (p q c)", p=self.patch_size, q=self.patch_size
        )
        return self.projection(patches) + self.positions


class ViT(nn.Module):
    """Patch embedding -> encoder blocks -> per-token linear head."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        blocks = [
            Block(config.embedding_dim, config.n_heads, config.dropout, causal=False)
            for _ in range(config.n_layers)
        ]
        self.patch_embedding = PatchEmbedding(config)
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(config.embedding_dim, config.patch_size**2 * config.out_channels)
        self.config = config
        initialise_transformer(self, config.n_layers)

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        hidden = self.patch_embedding(maps)  # (B, tokens, D)
        for block in self.blocks:
            hidden = block(hidden)
        return self.head(hidden)  # (B, tokens, p*p*C)

    @property
    def feedback_points(self) -> list[str]:
        """Every encoder block but the last (the tail's, with the head)."""
        return [f"blocks.{index}" for index in range(self.config.n_layers - 1)]

    def to_maps(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, tokens, p*p*C) -> (B, C, H, W)."""
        size = self.config.patch_size
        return rearrange(
            tokens,
            "b (h w) (p q c) -> b c (h p) (w q)",
            h=self.config.height // size,
            p=size,
            q=size,
        )

    def to_tokens(self, maps: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, tokens, p*p*C), the layout of the model's output."""
        size = self.config.patch_size
        return rearrange(maps, "b c (h p) (w q) -> b (h w) (p q c)", p=size, q=size)
