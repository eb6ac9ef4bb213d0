"""ODFA: direct feedback alignment whose projection an optical processing unit computes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import torch

from odfa.distributed import rank
from odfa.feedback.methods import (
    DirectFeedbackAlignment,
    FeedbackSettings,
    method_options,
    projection_shape,
)
from odfa.feedback.points import OutputSelector, PointLayout
from odfa.optics import (
    FrameRateModel,
    OpticsSettings,
    TernaryOpticalProjector,
    build_optical_projector,
)


class OpticalDirectFeedbackAlignment(DirectFeedbackAlignment):
    """ODFA: DFA whose projection is computed by an optical processing unit (OPU).

    The error is ternarised, shown as binary frames and projected through the scattering
    medium; the frames used and the MODELLED optical seconds (frame-rate model, not measured)
    are logged separately from the measured step time (where the recovery's frames are known:
    lightonml's linear_transform does not report them), as are the measured seconds of the
    optics (`simulated_optics_seconds`, or `opu_seconds` on a real OPU) and the projection's
    fidelity (`odfa.optics.fidelity`) every `fidelity_every` steps.
    """

    def __init__(
        self, projector: TernaryOpticalProjector, timing: FrameRateModel, **options: Any
    ) -> None:
        """`options` as for `DirectFeedbackAlignment` (layout, scale, shared, ...)."""
        super().__init__(projector, **options)
        self.timing = timing
        self.name = "odfa"

    def _totals(self) -> dict[str, float]:
        projection = self.projector.projection
        measured = "opu_seconds" if projection.device.physical else "simulated_optics_seconds"
        totals = {measured: projection.optics_seconds}
        if projection.frames_known:
            totals["optical_frames"] = self.projector.frames_displayed
            totals["modelled_optical_seconds"] = self.projector.modelled_seconds(self.timing)
        return totals

    def log_fields(self) -> dict[str, float]:
        """The totals so far, and the projection's fidelity on the steps it is measured."""
        return self._totals() | self.projector.fresh_fidelity

    def summary_fields(self) -> dict[str, float]:
        """The totals and the latest measured fidelity."""
        return self._totals() | self.projector.fidelity

    def totals(self) -> dict[str, float]:
        """Frames shown and measured seconds of the optics."""
        return {
            "frames_displayed": self.projector.frames_displayed,
            "optics_seconds": self.projector.projection.optics_seconds,
        }

    def set_totals(self, totals: dict[str, float]) -> None:
        self.projector.projection.device.frames_displayed = round(totals["frames_displayed"])
        self.projector.projection.optics_seconds = totals["optics_seconds"]

    def state_dict(self) -> dict[str, Any]:
        return {"optics": self.projector.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.projector.load_state_dict(state["optics"])


def build(
    name: str,
    layout: PointLayout,
    feedback: FeedbackSettings,
    sections: Mapping[str, Any],
    device: torch.device,
    select_output: OutputSelector,
) -> OpticalDirectFeedbackAlignment:
    """ODFA, with its `feedback` settings and the `optics` section of `sections`."""
    del name
    optics = OpticsSettings.from_settings(sections["optics"])
    # each rank's camera draws its own noise (rank 0: the seed)
    optics = dataclasses.replace(optics, noise_seed=optics.noise_seed + rank())
    projector = build_optical_projector(*projection_shape(layout, feedback), optics, str(device))
    options = method_options(layout, feedback, select_output)
    return OpticalDirectFeedbackAlignment(projector, optics.timing, **options)
