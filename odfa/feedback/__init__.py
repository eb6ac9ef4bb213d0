"""How a training signal reaches the hidden layers: BP, DFA, ODFA or none (shallow)."""

from __future__ import annotations

import importlib
from typing import Any

import torch

from odfa.feedback.methods import (
    Backprop,
    DirectFeedbackAlignment,
    Shallow,
    TrainingMethod,
    feedback_width,
)
from odfa.models.segmented import SegmentedNetwork
from odfa.registry import check_method


def build_method(
    name: str, model: SegmentedNetwork, config: dict[str, Any], device: torch.device
) -> TrainingMethod:
    """The training method `name` for `model`, with its config sections from a validated config.

    The projection maps the error at the network output (the tail's output width) onto the
    feedback points. Each method's module is imported only when it is used (the registry names
    it), so the optics are code of the ODFA runs alone.
    """
    module = importlib.import_module(check_method(name).module)
    return module.build(name, model, config, device)


__all__ = [
    "Backprop",
    "DirectFeedbackAlignment",
    "Shallow",
    "TrainingMethod",
    "build_method",
    "feedback_width",
]
