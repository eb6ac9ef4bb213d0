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
    Shallow,
    TrainingMethod,
    feedback_width,
)
from odfa.feedback.points import OutputSelector, inspect_points, model_output
from odfa.registry import check_method


def build_method(
    name: str,
    model: nn.Module,
    config: dict[str, Any],
    device: torch.device,
    example_inputs: Any = None,
    points: Sequence[str] | None = None,
    select_output: OutputSelector = model_output,
) -> TrainingMethod:
    """The training method `name` (bp, dfa, odfa, shallow) for `model`, with its config
    sections from a validated config.

    The feedback points are the modules at the paths `points` (e.g. `transformer.h.0`), or the
    model's own `feedback_points`; one forward of `example_inputs` sizes them and finds the
    BP-trained tail (what the loss reaches past the cuts). `select_output` picks the tensor the loss
    reads from the model's output (default: itself, or `.logits`). Each method's module is
    imported only when used (the registry names it), so the optics are code of the ODFA runs
    alone.
    """
    module = importlib.import_module(check_method(name).module)
    layout = None
    if name != "bp":
        points = getattr(model, "feedback_points", None) if points is None else points
        if points is None:
            raise ValueError(
                f"{name} needs feedback points: name the modules (points=['transformer.h.0', "
                f"...]) of this {type(model).__name__}"
            )
        if example_inputs is None:
            raise ValueError(f"{name} needs example_inputs to size the feedback points")
        feedback = {} if name == "shallow" else config["feedback"]  # shallow: the tail only
        layout = inspect_points(
            model,
            points,
            example_inputs,
            select_output,
            feedback.get("error_rows", "token"),
            feedback.get("feature_maps", "per_position"),
        )
    return module.build(name, layout, config, device, select_output)


__all__ = [
    "Backprop",
    "DirectFeedbackAlignment",
    "Shallow",
    "TrainingMethod",
    "build_method",
    "feedback_width",
]
