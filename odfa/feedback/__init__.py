"""How a training signal reaches the hidden layers: BP, DFA, ODFA or none (shallow)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from odfa.feedback.methods import (
    Backprop,
    DirectFeedbackAlignment,
    FeedbackLayout,
    Shallow,
    TrainingMethod,
    feedback_width,
)
from odfa.feedback.points import OutputSelector, model_output, point_widths
from odfa.registry import check_method


def build_method(
    name: str,
    model: nn.Module,
    config: dict[str, Any],
    device: torch.device,
    points: Sequence[str] | None = None,
    example_inputs: Any = None,
    select_output: OutputSelector = model_output,
) -> TrainingMethod:
    """The training method `name` for `model`, with its config sections from a validated config.

    The projection maps the error at the network output onto the feedback points: the segments
    of a `SegmentedNetwork`, or, for any other model, the modules at the paths `points`
    (e.g. `transformer.h.0`), sized by one forward of `example_inputs`; `select_output` picks
    the tensor the loss reads from the model's output (default: itself, or `.logits`). Each
    method's module is imported only when used (the registry names it), so the optics are code
    of the ODFA runs alone.
    """
    module = importlib.import_module(check_method(name).module)
    if name == "bp":
        layout = FeedbackLayout([], 0, select_output=select_output)
    elif points is None:
        layout = FeedbackLayout(model.feedback_dims, model.output_dim)
    else:
        if example_inputs is None:
            raise ValueError("feedback points on a model need example_inputs to size them")
        widths, error_width = point_widths(model, points, example_inputs, select_output)
        layout = FeedbackLayout(widths, error_width, tuple(points), select_output)
    return module.build(name, layout, config, device)


__all__ = [
    "Backprop",
    "DirectFeedbackAlignment",
    "Shallow",
    "TrainingMethod",
    "build_method",
    "feedback_width",
]
