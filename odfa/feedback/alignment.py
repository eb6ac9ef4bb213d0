"""Alignment diagnostic: cosine between each segment's DFA/ODFA update and its true BP gradient."""

from __future__ import annotations

import torch

from odfa.feedback.methods import LossFunction
from odfa.models.segmented import SegmentedNetwork


def gradient_alignment(
    model: SegmentedNetwork,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_function: LossFunction,
) -> dict[str, float]:
    """Cosine per segment between the gradients now in `.grad` and backpropagation's.

    Call it after a method filled `.grad` and before the optimiser step. Returns
    `{"alignment_1": ..., "alignment_L": ...}`; a segment with no update gives NaN.
    """
    segment_parameters = [list(segment.parameters()) for segment in model.segments]
    flat = [p for parameters in segment_parameters for p in parameters]
    loss = loss_function(model(inputs), targets)
    true_gradients = iter(torch.autograd.grad(loss, flat))
    alignment = {}
    for index, parameters in enumerate(segment_parameters, start=1):
        true = torch.cat([next(true_gradients).flatten() for _ in parameters])
        if any(p.grad is None for p in parameters):
            alignment[f"alignment_{index}"] = float("nan")
            continue
        update = torch.cat([p.grad.flatten() for p in parameters])
        alignment[f"alignment_{index}"] = float(
            torch.nn.functional.cosine_similarity(update, true, dim=0)
        )
    return alignment
