"""A fully connected network: hidden layers are DFA segments, the output layer is the BP tail."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from torch import nn

from odfa.models.segmented import SegmentedNetwork

ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU, "gelu": nn.GELU}


@dataclass(frozen=True)
class FCNNConfig:
    input_dim: int
    hidden_dims: list[int] = field(default_factory=lambda: [256, 256])
    output_dim: int = 10
    activation: str = "tanh"

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}; got {self.activation!r}"
            )
        if not self.hidden_dims:
            raise ValueError("hidden_dims must list at least one hidden layer")
        if min([self.input_dim, self.output_dim, *self.hidden_dims]) < 1:
            raise ValueError("every layer width must be a positive integer")


class FCNN(SegmentedNetwork):
    """input -> [Linear -> activation] x len(hidden_dims) -> Linear -> output."""

    def __init__(self, config: FCNNConfig) -> None:
        widths = [config.input_dim, *config.hidden_dims]
        activation = ACTIVATIONS[config.activation]
        segments = [
            nn.Sequential(nn.Linear(fan_in, fan_out), activation())
            for fan_in, fan_out in itertools.pairwise(widths)
        ]
        tail = nn.Linear(widths[-1], config.output_dim)
        super().__init__(
            segments, tail, feedback_dims=list(config.hidden_dims), output_dim=config.output_dim
        )
        self.config = config
