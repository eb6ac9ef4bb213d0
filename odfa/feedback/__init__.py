"""How a training signal reaches the hidden layers: BP, DFA, ODFA or none (shallow)."""

from __future__ import annotations

from typing import Any

import torch

from odfa.feedback.methods import (
    Backprop,
    DirectFeedbackAlignment,
    OpticalDirectFeedbackAlignment,
    Shallow,
    TrainingMethod,
    feedback_width,
)
from odfa.feedback.projectors import GaussianProjector
from odfa.models.segmented import SegmentedNetwork
from odfa.optics import FrameRateModel, build_optical_projector

METHODS = ("bp", "dfa", "odfa", "shallow")


def build_method(
    name: str, model: SegmentedNetwork, config: dict[str, Any], device: torch.device
) -> TrainingMethod:
    """The training method `name` for `model`, with feedback and optics from a validated config.

    The projection maps the error at the network output (the tail's output width) onto the
    concatenation of all feedback points.
    """
    if name == "bp":
        return Backprop()
    if name == "shallow":
        return Shallow()
    error_width = model.output_dim
    shared = config["feedback"]["shared_matrix"]
    width = feedback_width(model.feedback_dims, shared)
    scale = config["feedback"]["scale"]
    if name == "dfa":
        projector = GaussianProjector(error_width, width, config["feedback"]["seed"], device)
        return DirectFeedbackAlignment(projector, model.feedback_dims, scale, shared)
    if name == "odfa":
        optics = dict(config["optics"]) | {"device": str(device)}
        projector = build_optical_projector(error_width, width, optics)
        timing = FrameRateModel(**optics["timing"])
        return OpticalDirectFeedbackAlignment(projector, timing, model.feedback_dims, scale, shared)
    raise ValueError(f"unknown training method {name!r}; choose one of {list(METHODS)}")


__all__ = [
    "METHODS",
    "Backprop",
    "DirectFeedbackAlignment",
    "OpticalDirectFeedbackAlignment",
    "Shallow",
    "TrainingMethod",
    "build_method",
]
