"""Diagnostics per feedback point: how DFA/ODFA updates align with BP, and how weights grow."""

from __future__ import annotations

import copy

import torch
from torch import nn

from odfa.feedback.methods import DirectFeedbackAlignment, LossFunction
from odfa.feedback.points import OutputSelector, model_output


def gradient_alignment(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_function: LossFunction,
    parts: dict[str, list[nn.Parameter]],
    select_output: OutputSelector = model_output,
) -> dict[str, float]:
    """Cosine per part (e.g. each feedback point's segment) between the gradients now in
    `.grad` and backpropagation's.

    Call it after a method filled `.grad` and before the optimiser step. Returns
    `{"alignment_<part>": ...}`; a part with no update gives NaN.
    """
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


def sample_alignment(
    model: nn.Module,
    method: DirectFeedbackAlignment,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_function: LossFunction,
    samples: int,
) -> dict[str, float]:
    """Mean and standard deviation, over the first `samples` samples, of the cosine per
    feedback point between the method's update from that sample alone and BP's gradient for it
    (TinyDFA's mean +/- std per module).

    The gradients in `.grad`, the method's state (an OPU's frame count and camera noise) and
    torch's random state are as before the call. Returns `{"sample_alignment_mean_<part>": ...,
    "sample_alignment_std_<part>": ...}`.
    """
    parts = method.alignment_parts(model)
    parameters = list(model.parameters())
    saved = [parameter.grad for parameter in parameters]
    state = copy.deepcopy(method.state_dict())
    devices = [inputs.device] if inputs.device.type == "cuda" else []
    cosines: dict[str, list[float]] = {part: [] for part in parts}
    try:
        with torch.random.fork_rng(devices=devices):
            for index in range(min(samples, len(inputs))):
                sample, target = inputs[index : index + 1], targets[index : index + 1]
                for parameter in parameters:
                    parameter.grad = None
                method.compute_gradients(model, sample, target, loss_function)
                alignment = gradient_alignment(
                    model, sample, target, loss_function, parts, method.select_output
                )
                for part in parts:
                    cosines[part].append(alignment[f"alignment_{part}"])
    finally:
        for parameter, gradient in zip(parameters, saved, strict=True):
            parameter.grad = gradient
        method.load_state_dict(state)
    spread = {}
    for part, values in cosines.items():
        measured = torch.tensor(values, dtype=torch.float64)
        spread[f"sample_alignment_mean_{part}"] = float(measured.nanmean())
        finite = measured[~measured.isnan()]
        spread[f"sample_alignment_std_{part}"] = (
            float(finite.std(correction=0)) if len(finite) else float("nan")
        )
    return spread


def parameter_norms(parts: dict[str, list[nn.Parameter]]) -> dict[str, float]:
    """The Euclidean norm of each part's parameters, all together."""
    return {
        part: float(torch.cat([p.detach().flatten() for p in parameters]).norm())
        if parameters
        else float("nan")
        for part, parameters in parts.items()
    }
