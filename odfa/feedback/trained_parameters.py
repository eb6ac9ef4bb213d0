"""Which parameters the projected signal trains, counted two ways (the study's "optically
trained parameters" does not say which).

- `projected`: every parameter a feedback point's graph holds: all that the projected error
  updates (a point's whole segment, up to the previous point).
- `direct`: the weights and biases of the matrix-multiplying layers (linear, convolution,
  embedding, batched products) whose output reaches a point through elementwise operations,
  additions and normalisations only: in a Transformer block, the attention output projection and
  the MLP's down-projection that write into the residual stream.

Counted from one forward of example inputs, which may live on the `meta` device (no memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from odfa.feedback.points import (
    OutputSelector,
    cut_at,
    find_modules,
    inspect_points,
    model_output,
)

# Autograd nodes of layers that mix their input through a weight: a signal stops being "direct"
# at the first one it crosses.
WEIGHT_LAYER_NODES = frozenset(
    {
        "AddmmBackward0",
        "MmBackward0",
        "BmmBackward0",
        "BaddbmmBackward0",
        "MvBackward0",
        "ConvolutionBackward0",
        "EmbeddingBackward0",
        "LinearBackward0",
    }
)
# Nodes between a weight layer and its parameter (a transpose, a view, a broadcast, a cast).
PARAMETER_PLUMBING = frozenset(
    {
        "TBackward0",
        "TransposeBackward0",
        "PermuteBackward0",
        "ViewBackward0",
        "UnsafeViewBackward0",
        "ReshapeAliasBackward0",
        "ExpandBackward0",
        "ToCopyBackward0",
    }
)


@dataclass(frozen=True)
class TrainedParameters:
    """Parameter counts of a model with feedback points (see the module docstring)."""

    total: int
    projected: int
    direct: int
    tail: int

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "projected": self.projected,
            "direct": self.direct,
            "tail": self.tail,
        }


def _node_parameter(node: Any) -> torch.Tensor | None:
    """The leaf tensor `node` leads to through parameter plumbing only, if any."""
    while node is not None:
        leaf = getattr(node, "variable", None)
        if leaf is not None:
            return leaf
        if type(node).__name__ not in PARAMETER_PLUMBING or len(node.next_functions) != 1:
            return None
        node = node.next_functions[0][0]
    return None


def direct_writers(tensor: torch.Tensor) -> set[int]:
    """Ids of the parameters of the weight layers whose output reaches `tensor` through
    elementwise operations, additions and normalisations only."""
    found: set[int] = set()
    stack, seen = [tensor.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__ in WEIGHT_LAYER_NODES:
            parameters = (_node_parameter(next_node) for next_node, _ in node.next_functions)
            found |= {id(parameter) for parameter in parameters if parameter is not None}
            continue
        stack.extend(next_node for next_node, _ in node.next_functions)
    return found


def count_trained_parameters(
    model: nn.Module,
    paths: Sequence[str],
    example_inputs: Any,
    select_output: OutputSelector = model_output,
) -> TrainedParameters:
    """Total, projected-signal, direct-writer and BP-tail parameter counts of `model` with
    feedback points `paths`."""
    sizes = {name: parameter.numel() for name, parameter in model.named_parameters()}
    layout = inspect_points(model, paths, example_inputs, select_output)
    projected = {name for part in layout.point_parameters for name in part}
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad(), cut_at(find_modules(model, paths)) as cut:
            select_output(model(example_inputs))
    finally:
        model.train(was_training)
    direct_ids = set().union(*(direct_writers(point) for point in cut.outputs))
    direct = {name for name, parameter in model.named_parameters() if id(parameter) in direct_ids}
    return TrainedParameters(
        total=sum(sizes.values()),
        projected=sum(sizes[name] for name in projected),
        direct=sum(sizes[name] for name in direct & projected),
        tail=sum(sizes[name] for name in layout.tail_parameters),
    )
