"""ODFA: direct feedback alignment whose projection an optical processing unit computes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from odfa.feedback.methods import DirectFeedbackAlignment, FeedbackLayout, feedback_width
from odfa.feedback.points import OutputSelector, model_output
from odfa.optics import FrameRateModel, TernaryOpticalProjector, build_optical_projector


class OpticalDirectFeedbackAlignment(DirectFeedbackAlignment):
    """ODFA: DFA whose projection is computed by an optical processing unit (OPU).

    The error is ternarised, shown as binary frames and projected through the scattering
    medium; the frames used and the MODELLED optical seconds (frame-rate model, not measured)
    are logged separately from the measured step time.
    """

    def __init__(
        self,
        projector: TernaryOpticalProjector,
        timing: FrameRateModel,
        feedback_dims: list[int],
        scale: float,
        shared: bool = False,
        points: Sequence[str] | None = None,
        select_output: OutputSelector = model_output,
        error_at: str = "output",
    ) -> None:
        super().__init__(projector, feedback_dims, scale, shared, points, select_output, error_at)
        self.timing = timing
        self.name = "odfa"

    def log_fields(self) -> dict[str, float]:
        return {
            "optical_frames": self.projector.frames_displayed,
            "modelled_optical_seconds": self.projector.modelled_seconds(self.timing),
            "simulated_optics_seconds": self.projector.projection.simulated_optics_seconds,
        }

    def state_dict(self) -> dict[str, Any]:
        return {"optics": self.projector.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.projector.load_state_dict(state["optics"])


def build(
    name: str, layout: FeedbackLayout, config: dict[str, Any], device: torch.device
) -> OpticalDirectFeedbackAlignment:
    """ODFA, with the feedback and optics settings of a validated config."""
    del name
    feedback = config["feedback"]
    shared = feedback["shared_matrix"]
    width = feedback_width(layout.feedback_dims, shared)
    optics = dict(config["optics"]) | {"device": str(device)}
    projector = build_optical_projector(layout.error_width_at(feedback["error_at"]), width, optics)
    timing = FrameRateModel(**optics["timing"])
    return OpticalDirectFeedbackAlignment(
        projector,
        timing,
        layout.feedback_dims,
        feedback["scale"],
        shared,
        layout.points,
        layout.select_output,
        feedback["error_at"],
    )
