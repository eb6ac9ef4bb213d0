"""Feedback points on a model you did not write: named modules whose outputs DFA feeds.

The model's own forward runs unchanged. A forward hook on each named module keeps its output
(with the graph of the computation that made it) and hands the rest of the model a detached
copy, so no gradient travels from downstream of a point into it: the backward pass of the loss
reaches only the tail (what follows the last point), and each point's own graph is run once,
with the projected error as its gradient.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

OutputSelector = Callable[[Any], torch.Tensor]


def model_output(output: Any) -> torch.Tensor:
    """The tensor a loss reads from a model's output: itself, or `.logits` (Hugging Face)."""
    return output if isinstance(output, torch.Tensor) else output.logits


def find_modules(model: nn.Module, paths: Sequence[str]) -> list[nn.Module]:
    """The submodules of `model` at `paths` (such as `transformer.h.0`), or a clear error."""
    modules = dict(model.named_modules())
    found = []
    for path in paths:
        if path not in modules:
            close = difflib.get_close_matches(path, [name for name in modules if name], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"{type(model).__name__} has no module {path!r}{hint}")
        found.append(modules[path])
    if len(set(map(id, found))) != len(found):
        raise ValueError(f"feedback points must be distinct modules; got {list(paths)}")
    return found


def _first_tensor(result: Any) -> torch.Tensor:
    return result[0] if isinstance(result, tuple) else result


def _with_first(result: Any, tensor: torch.Tensor) -> Any:
    return (tensor, *result[1:]) if isinstance(result, tuple) else tensor


@dataclass
class Cut:
    """What a forward with feedback points leaves: each point's output (with its graph) and the
    detached copy the model went on with after the last point (the tail's input)."""

    outputs: list[torch.Tensor] = field(default_factory=list)
    tail_input: torch.Tensor | None = None


@contextmanager
def cut_at(modules: Sequence[nn.Module], track_tail_input: bool = False) -> Iterator[Cut]:
    """Within the block, each module's output is kept (in the order of `modules`) and the model
    continues on a detached copy; with `track_tail_input` the last module's copy records its
    gradient (the error at the tail's input). A module that runs twice in one forward is an
    error."""
    kept: dict[int, torch.Tensor] = {}
    cut_result = Cut()

    def cut(module: nn.Module, args: Any, result: Any) -> Any:
        if id(module) in kept:
            raise RuntimeError(f"feedback point {type(module).__name__} ran twice in one forward")
        tensor = _first_tensor(result)
        kept[id(module)] = tensor
        detached = tensor.detach()
        if track_tail_input and module is modules[-1]:
            cut_result.tail_input = detached.requires_grad_()
        return _with_first(result, detached)

    handles = [module.register_forward_hook(cut) for module in modules]
    try:
        yield cut_result
    finally:
        for handle in handles:
            handle.remove()
    missing = [type(module).__name__ for module in modules if id(module) not in kept]
    if missing:
        raise RuntimeError(f"feedback points {missing} did not run in the forward pass")
    cut_result.outputs.extend(kept[id(module)] for module in modules)


def point_widths(
    model: nn.Module,
    paths: Sequence[str],
    example_inputs: Any,
    select_output: OutputSelector = model_output,
) -> tuple[list[int], int]:
    """(width of each feedback point, width of the error) from one forward of `example_inputs`.

    The error is one vector per row of the output (a sample, or a token); a point's width is
    what each of those rows feeds there (its last dimension for tokens, a whole map for a
    convolutional feature map fed by a per-sample error).
    """
    with torch.no_grad(), cut_at(find_modules(model, paths)) as cut:
        output = select_output(model(example_inputs))
    error_width = output.shape[-1]
    rows = output.numel() // error_width
    widths = []
    for path, point in zip(paths, cut.outputs, strict=True):
        if point.numel() % rows:
            raise ValueError(
                f"feedback point {path!r} of shape {tuple(point.shape)} cannot be fed by "
                f"{rows} error vectors (output shape {tuple(output.shape)})"
            )
        widths.append(point.numel() // rows)
    return widths, error_width
