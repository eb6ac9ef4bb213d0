"""A GPT-like decoder (causal self-attention) whose blocks are DFA segments.

Feedback points sit at the output of every decoder block but the last (or, with
`feedback_points="sublayer"`, after each attention and each MLP sublayer); the last block and
the head form the BP-trained tail, as in the reference study.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from odfa.models.segmented import SegmentedNetwork

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
        if self.n_layers < 2:
            raise ValueError(
                f"n_layers must be >= 2 (the last block is the tail); got {self.n_layers}"
            )
        if self.embedding_dim % self.n_heads:
            raise ValueError(
                f"embedding_dim {self.embedding_dim} is not divisible by n_heads {self.n_heads}"
            )
        if self.feedback_points not in FEEDBACK_POINTS:
            raise ValueError(
                f"feedback_points must be one of {FEEDBACK_POINTS}; got {self.feedback_points!r}"
            )


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_heads = config.n_heads
        self.qkv = nn.Linear(config.embedding_dim, 3 * config.embedding_dim)
        self.projection = nn.Linear(config.embedding_dim, config.embedding_dim)
        self.dropout = nn.Dropout(config.dropout)
        self.record_attention = False
        self.attention: torch.Tensor | None = None  # (B, H, T, T) when recorded

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, time, channels = x.shape
        q, k, v = self.qkv(x).split(channels, dim=2)
        # (B, T, C) -> (B, H, T, C / H)
        q, k, v = (t.view(batch, time, self.n_heads, -1).transpose(1, 2) for t in (q, k, v))
        if self.record_attention:
            scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
            future = torch.ones(time, time, dtype=torch.bool, device=x.device).triu(1)
            self.attention = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
            y = self.attention @ v
        else:
            dropout = self.dropout.p if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=dropout)
        y = y.transpose(1, 2).reshape(batch, time, channels)  # (B, T, C)
        return self.dropout(self.projection(y))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.expand = nn.Linear(config.embedding_dim, 4 * config.embedding_dim)
        self.contract = nn.Linear(4 * config.embedding_dim, config.embedding_dim)
        self.dropout = nn.Dropout(config.dropout)

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
    """A decoder block: causal self-attention then MLP, each a post-norm residual sublayer."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__(
            Residual(CausalSelfAttention(config), config.embedding_dim),
            Residual(MLP(config), config.embedding_dim),
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


class GPT(SegmentedNetwork):
    """Embedding -> blocks -> head; logits (B, T, vocab_size)."""

    def __init__(self, config: GPTConfig) -> None:
        blocks = [Block(config) for _ in range(config.n_layers)]
        if config.feedback_points == "block":
            hidden: list[nn.Module] = list(blocks[:-1])
        else:
            hidden = [sublayer for block in blocks[:-1] for sublayer in block]
        first = nn.Sequential(Embedding(config), hidden[0])
        head = nn.Linear(config.embedding_dim, config.vocab_size, bias=False)
        tail = nn.Sequential(blocks[-1], head)
        segments = [first, *hidden[1:]]
        super().__init__(
            segments,
            tail,
            feedback_dims=[config.embedding_dim] * len(segments),
            output_dim=config.vocab_size,
        )
        self.config = config
        self.apply(self._initialise)
        for name, parameter in self.named_parameters():
            if name.endswith(("projection.weight", "contract.weight")):  # GPT-2 residual scaling
                nn.init.normal_(parameter, std=0.02 / math.sqrt(2 * config.n_layers))

    @staticmethod
    def _initialise(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def attention_layers(self) -> list[CausalSelfAttention]:
        return [module for module in self.modules() if isinstance(module, CausalSelfAttention)]

    @torch.no_grad()
    def attention_maps(self, ids: torch.Tensor) -> torch.Tensor:
        """Attention weights of every layer for `ids` (B, T): (layers, B, heads, T, T)."""
        layers = self.attention_layers()
        for layer in layers:
            layer.record_attention = True
        try:
            self(ids)
            return torch.stack([layer.attention for layer in layers])
        finally:
            for layer in layers:
                layer.record_attention, layer.attention = False, None

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
