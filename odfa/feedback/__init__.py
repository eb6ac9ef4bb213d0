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
    error_width = _output_width(model)
    feedback_width = sum(model.feedback_dims)
    scale = config["feedback"]["scale"]
    if name == "dfa":
        projector = GaussianProjector(
            error_width, feedback_width, config["feedback"]["seed"], device
        )
        return DirectFeedbackAlignment(projector, model.feedback_dims, scale)
    if name == "odfa":
        optics = dict(config["optics"]) | {"device": str(device)}
        projector = build_optical_projector(error_width, feedback_width, optics)
        timing = FrameRateModel(**optics["timing"])
        return OpticalDirectFeedbackAlignment(projector, timing, model.feedback_dims, scale)
    raise ValueError(f"unknown training method {name!r}; choose one of {list(METHODS)}")


def _output_width(model: SegmentedNetwork) -> int:
    """Width of the network output: the last dimension of the tail's last parameterised layer."""
    for module in reversed(list(model.tail.modules())):
        if hasattr(module, "out_features"):
            return int(module.out_features)
    raise ValueError("the tail of the model has no Linear output layer to read its width from")


__all__ = [
    "METHODS",
    "Backprop",
    "DirectFeedbackAlignment",
    "OpticalDirectFeedbackAlignment",
    "Shallow",
    "TrainingMethod",
    "build_method",
]
