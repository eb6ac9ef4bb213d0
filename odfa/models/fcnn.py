"""A fully connected network: its hidden layers are feedback points, its output layer the tail."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import torch
from torch import nn

from odfa.errors import ConfigError

ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU, "gelu": nn.GELU}


@dataclass(frozen=True)
class FCNNConfig:
    input_dim: int
    hidden_dims: list[int] = field(default_factory=lambda: [256, 256])
    output_dim: int = 10
    activation: str = "tanh"

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"activation must be one of {sorted(ACTIVATIONS)}; got {self.activation!r}"
            )
        if not self.hidden_dims:
            raise ConfigError("hidden_dims must list at least one hidden layer")
        if min([self.input_dim, self.output_dim, *self.hidden_dims]) < 1:
            raise ConfigError("every layer width must be a positive integer")


class FCNN(nn.Module):
    """input -> [Linear -> activation] x len(hidden_dims) -> Linear -> output."""

    def __init__(self, config: FCNNConfig) -> None:
        super().__init__()
        widths = [config.input_dim, *config.hidden_dims]
        activation = ACTIVATIONS[config.activation]
        self.hidden = nn.ModuleList(
            nn.Sequential(nn.Linear(fan_in, fan_out), activation())
            for fan_in, fan_out in itertools.pairwise(widths)
        )
        self.output = nn.Linear(widths[-1], config.output_dim)
        self.config = config

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        hidden = inputs
        for layer in self.hidden:
            hidden = layer(hidden)
        return self.output(hidden)

    @property
    def feedback_points(self) -> list[str]:
        """Every hidden layer (the output layer is the tail)."""
        return [f"hidden.{index}" for index in range(len(self.hidden))]
