"""How a training signal reaches the hidden layers: BP, DFA, ODFA or none (shallow)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from odfa.errors import ConfigError
from odfa.feedback.methods import (
    Backprop,
    DirectFeedbackAlignment,
    FeedbackSettings,
    Shallow,
    TrainingMethod,
    feedback_width,
)
from odfa.feedback.points import OutputSelector, inspect_points, model_output
from odfa.registry import check_method


def build_method(
    name: str,
    model: nn.Module,
    sections: Mapping[str, Any],
    device: torch.device,
    example_inputs: Any = None,
    points: Sequence[str] | None = None,
    select_output: OutputSelector = model_output,
) -> TrainingMethod:
    """The training method `name` (bp, dfa, odfa, shallow) for `model`, with the config
    sections it reads (the registry's `sections`: DFA its `feedback`, ODFA also its `optics`;
    a validated config holds them), each validated once into its typed settings.

    The feedback points are the modules at the paths `points` (e.g. `transformer.h.0`), or the
    model's own `feedback_points`; one forward of `example_inputs` sizes them and finds the
    BP-trained tail (what the loss reaches past the cuts). `select_output` picks the tensor the loss
    reads from the model's output (default: itself, or `.logits`). Each method's module is
    imported only when used (the registry names it), so the optics are code of the ODFA runs
    alone: ODFA's module builds the optics settings itself.
    """
    method = check_method(name)
    module = importlib.import_module(method.module)
    missing = [section for section in method.sections if section not in sections]
    if missing:
        raise ConfigError(f"{name} reads the config sections {missing}; they are missing")
    if name == "bp":
        return module.build(name, None, None, sections, device, select_output)
    points = getattr(model, "feedback_points", None) if points is None else points
    if points is None:
        raise ValueError(
            f"{name} needs feedback points: name the modules (points=['transformer.h.0', "
            f"...]) of this {type(model).__name__}"
        )
    if example_inputs is None:
        raise ValueError(f"{name} needs example_inputs to size the feedback points")
    if name == "shallow":  # the tail alone learns: no error is projected
        feedback, projected = None, {}
    else:
        feedback = FeedbackSettings.from_settings(sections["feedback"])
        projected = {"rows": feedback.error_rows, "feature_maps": feedback.feature_maps}
    layout = inspect_points(model, points, example_inputs, select_output, **projected)
    return module.build(name, layout, feedback, sections, device, select_output)


__all__ = [
    "Backprop",
    "DirectFeedbackAlignment",
    "FeedbackSettings",
    "Shallow",
    "TrainingMethod",
    "build_method",
    "feedback_width",
]
