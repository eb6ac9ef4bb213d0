"""DRTP, direct random target projection (Frenkel, Lefebvre & Bol 2021, Front. Neurosci.): DFA
with the target in place of the error. Each feedback point receives the fixed random projection
of -y* (the one-hot label of a class, or the regression target), so a hidden layer's update
depends on the label alone, not on the output the forward pass gave; the tail still learns
from the true gradient. For a classifier -y* is the error's sign pattern near the start of
training (softmax minus one-hot), so DRTP starts where DFA does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F

from odfa.feedback.methods import (
    DirectFeedbackAlignment,
    FeedbackSettings,
    digital_feedback_alignment,
)
from odfa.feedback.points import OutputSelector, PointLayout


class DirectRandomTargetProjection(DirectFeedbackAlignment):
    """DRTP: DFA whose projected signal is -y*, the target in the error's shape."""

    name = "drtp"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.error_at != "output":
            raise ValueError(
                "DRTP projects the target, which lives at the output: error_at: output"
            )

    def projected_signal(self, error: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """-y*: class indices as one-hot rows of the output's width, anything else as it is."""
        if not targets.is_floating_point():
            targets = F.one_hot(targets.long(), error.shape[-1])
        return -targets.reshape(error.shape).to(error.dtype)


def build(
    name: str,
    layout: PointLayout,
    feedback: FeedbackSettings,
    sections: Mapping[str, Any],
    device: torch.device,
    select_output: OutputSelector,
) -> DirectRandomTargetProjection:
    """DRTP with the digital projector of the `feedback` settings (`sections` are not read)."""
    del name, sections
    return digital_feedback_alignment(
        DirectRandomTargetProjection, layout, feedback, device, select_output
    )
