"""A GPT-like decoder (causal self-attention): embedding, decoder blocks, head.

Its feedback points sit at the output of every decoder block but the last (or, with
`feedback_points="sublayer"`, after each attention and each MLP sublayer); the last block and
the head form the BP-trained tail, as in the reference study.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from odfa.errors import ConfigError
from odfa.models.transformer import (
    Block,
    attention_maps,
    check_transformer_shape,
    initialise_transformer,
)

FEEDBACK_POINTS = ("block", "sublayer")


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int = 1016
    context_length: int = 24
    n_layers: int = 4
    n_heads: int = 4
    embedding_dim: int = 128
    dropout: float = 0.0
    feedback_points: str = "block"

    def __post_init__(self) -> None:
        check_transformer_shape(self.n_layers, self.embedding_dim, self.n_heads)
        if self.feedback_points not in FEEDBACK_POINTS:
            raise ConfigError(
                f"feedback_points must be one of {FEEDBACK_POINTS}; got {self.feedback_points!r}"
            )


class Embedding(nn.Module):
    """Token plus learned position embeddings: (B, T) ids -> (B, T, C)."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.tokens = nn.Embedding(config.vocab_size, config.embedding_dim)
        self.positions = nn.Embedding(config.context_length, config.embedding_dim)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        return self.dropout(self.tokens(ids) + self.positions(positions))


class GPT(nn.Module):
    """Embedding -> blocks -> head; logits (B, T, vocab_size)."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        blocks = [
            Block(config.embedding_dim, config.n_heads, config.dropout, causal=True)
            for _ in range(config.n_layers)
        ]
        self.embedding = Embedding(config)
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(config.embedding_dim, config.vocab_size, bias=False)
        self.config = config
        initialise_transformer(self, config.n_layers)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        hidden = self.embedding(ids)  # (B, T, C)
        for block in self.blocks:
            hidden = block(hidden)
        return self.head(hidden)  # (B, T, vocab_size)

    @property
    def feedback_points(self) -> list[str]:
        """Every block but the last (the tail's), or each sublayer of those blocks."""
        hidden = range(self.config.n_layers - 1)
        if self.config.feedback_points == "block":
            return [f"blocks.{index}" for index in hidden]
        return [f"blocks.{index}.{sublayer}" for index in hidden for sublayer in (0, 1)]

    def attention_maps(self, ids: torch.Tensor) -> torch.Tensor:
        """Attention weights of every layer for `ids` (B, T): (layers, B, heads, T, T)."""
        return attention_maps(self, ids)

    @torch.no_grad()
    def generate(
        self,
        ids: torch.Tensor,
        new_tokens: int,
        temperature: float,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Sample `new_tokens` continuations of `ids` (B, T), seeing the last context_length."""
        for _ in range(new_tokens):
            logits = self(ids[:, -self.config.context_length :])[:, -1, :]  # (B, vocab)
            if temperature == 0:
                next_ids = logits.argmax(dim=-1, keepdim=True)
            else:
                probabilities = (logits / temperature).softmax(dim=-1)
                next_ids = torch.multinomial(probabilities, 1, generator=generator)
            ids = torch.cat([ids, next_ids], dim=1)
        return ids
