"""FLOPs of one training step, counted by torch's FlopCounterMode (matrix products and
attention; elementwise work such as activations and the SGD update is not counted)."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode, sdpa_backward_flop_count, sdpa_flop_count

from odfa.timing.step import TrainingStep

Shape = tuple[int, ...]


def _attention(query: Shape, key: Shape, value: Shape, *args: Any, **kwargs: Any) -> int:
    return sdpa_flop_count(query, key, value)


def _attention_backward(
    grad_out: Shape, query: Shape, key: Shape, value: Shape, *args: Any, **kwargs: Any
) -> int:
    return sdpa_backward_flop_count(grad_out, query, key, value)


aten = torch.ops.aten
# The CPU kernels of scaled_dot_product_attention, counted like the GPU ones (by shapes).
CPU_ATTENTION = {
    aten._scaled_dot_product_flash_attention_for_cpu: _attention,
    aten._scaled_dot_product_flash_attention_for_cpu_backward: _attention_backward,
}


def flop_counts(step: TrainingStep) -> dict[str, int]:
    """The floating-point operations of one whole step (gradients and update) of `step`, per
    operator (e.g. `aten.mm`)."""
    with FlopCounterMode(display=False, custom_mapping=CPU_ATTENTION) as counter:
        step.step()
    return {str(operator): count for operator, count in counter.get_flop_counts()["Global"].items()}


def step_flops(step: TrainingStep) -> int:
    """The floating-point operations of one whole step of `step`."""
    return sum(flop_counts(step).values())
