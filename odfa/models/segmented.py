"""The one thing a model must declare for DFA: its hidden segments and its BP-trained tail."""

from __future__ import annotations

import torch
from torch import nn


class SegmentedNetwork(nn.Module):
    """A network run as `tail(segments[-1](...segments[0](x)))`.

    The output of every segment is a feedback point whose last dimension is `feedback_dims[i]`:
    DFA and ODFA inject their random projection of the output error there. The tail (last layer,
    or last block plus head) is trained by BP; its output's last dimension is `output_dim`, the
    width of the error that DFA projects.
    """

    def __init__(
        self,
        segments: list[nn.Module],
        tail: nn.Module,
        feedback_dims: list[int],
        output_dim: int,
    ) -> None:
        super().__init__()
        if len(feedback_dims) != len(segments):
            raise ValueError(
                f"one feedback width per segment expected: {len(segments)} segments, "
                f"{len(feedback_dims)} widths"
            )
        self.segments = nn.ModuleList(segments)
        self.tail = tail
        self.feedback_dims = list(feedback_dims)
        self.output_dim = output_dim

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        hidden = inputs
        for segment in self.segments:
            hidden = segment(hidden)
        return self.tail(hidden)

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Number of parameters (works on the `meta` device)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)
