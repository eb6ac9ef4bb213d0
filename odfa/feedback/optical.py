"""ODFA: direct feedback alignment whose projection an optical processing unit computes."""

from __future__ import annotations

from typing import Any

import torch

from odfa.feedback.methods import DirectFeedbackAlignment, feedback_width
from odfa.models.segmented import SegmentedNetwork
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
    ) -> None:
        super().__init__(projector, feedback_dims, scale, shared)
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
    name: str, model: SegmentedNetwork, config: dict[str, Any], device: torch.device
) -> OpticalDirectFeedbackAlignment:
    """ODFA for `model`, with the feedback and optics settings of a validated config."""
    del name
    feedback = config["feedback"]
    shared = feedback["shared_matrix"]
    width = feedback_width(model.feedback_dims, shared)
    optics = dict(config["optics"]) | {"device": str(device)}
    projector = build_optical_projector(model.output_dim, width, optics)
    timing = FrameRateModel(**optics["timing"])
    return OpticalDirectFeedbackAlignment(
        projector, timing, model.feedback_dims, feedback["scale"], shared
    )
