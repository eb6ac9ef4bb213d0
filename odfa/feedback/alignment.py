"""Alignment diagnostic: cosine between each part's DFA/ODFA update and its true BP gradient."""

from __future__ import annotations

import torch
from torch import nn

from odfa.feedback.methods import LossFunction
from odfa.feedback.points import OutputSelector, model_output


def gradient_alignment(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_function: LossFunction,
    parts: dict[str, list[nn.Parameter]] | None = None,
    select_output: OutputSelector = model_output,
) -> dict[str, float]:
    """Cosine per part between the gradients now in `.grad` and backpropagation's.

    The parts are the segments of a `SegmentedNetwork` (named 1..L) unless given (e.g. each
    named feedback point's module). Call it after a method filled `.grad` and before the
    optimiser step. Returns `{"alignment_<part>": ...}`; a part with no update gives NaN.
    """
    if parts is None:
        parts = {str(index): list(segment.parameters())
                 for index, segment in enumerate(model.segments, start=1)}  # fmt: skip
    flat = [p for parameters in parts.values() for p in parameters]
    loss = loss_function(select_output(model(inputs)), targets)
    true_gradients = iter(torch.autograd.grad(loss, flat))
    alignment = {}
    for index, parameters in parts.items():
        true = [next(true_gradients).flatten() for _ in parameters]
        if not parameters or any(p.grad is None for p in parameters):
            alignment[f"alignment_{index}"] = float("nan")
            continue
        update = torch.cat([p.grad.flatten() for p in parameters])
        true = torch.cat(true)
        alignment[f"alignment_{index}"] = float(
            torch.nn.functional.cosine_similarity(update, true, dim=0)
        )
    return alignment
