"""How a training signal reaches the hidden layers: BP, DFA, ODFA or none (shallow)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from odfa.config import defaults, merge
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
    sections: Mapping[str, Any] | None = None,
    device: torch.device | None = None,
    example_inputs: Any = None,
    points: Sequence[str] | None = None,
    select_output: OutputSelector = model_output,
) -> TrainingMethod:
    """The training method `name` (bp, dfa, odfa, shallow) for `model`, on `device` (default:
    the model's).

    Each config section the method reads (the registry's `sections`: DFA its `feedback`, ODFA
    also its `optics`) is the default config's (`odfa.config.defaults()`) with the settings of
    `sections` layered over it: none, a few, or a validated config's whole section. Each is
    validated once into its typed settings.

    The feedback points are the modules at the paths `points` (e.g. `transformer.h.0`), or the
    model's own `feedback_points`; one forward of `example_inputs` sizes them and finds the
    BP-trained tail (what the loss reaches past the cuts). `select_output` picks the tensor the loss
    reads from the model's output (default: itself, or `.logits`). Each method's module is
    imported only when used (the registry names it), so the optics are code of the ODFA runs
    alone: ODFA's module builds the optics settings itself.
    """
    method = check_method(name)
    module = importlib.import_module(method.module)
    sections = _over_defaults(method.sections, sections or {})
    device = _device_of(model) if device is None else device
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


def _over_defaults(names: Sequence[str], sections: Mapping[str, Any]) -> dict[str, Any]:
    """The default config's sections `names`, each with the settings `sections` gives layered
    over it."""
    if not names:
        return {}
    default = defaults()
    return {name: merge(default[name], dict(sections.get(name, {}))) for name in names}


def _device_of(model: nn.Module) -> torch.device:
    """Where the model's parameters are (the CPU for a model without any)."""
    return next(model.parameters(), torch.empty(0)).device


__all__ = [
    "Backprop",
    "DirectFeedbackAlignment",
    "FeedbackSettings",
    "Shallow",
    "TrainingMethod",
    "build_method",
    "feedback_width",
]
