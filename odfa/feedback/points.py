"""Feedback points on any model: named modules whose outputs DFA feeds.

The model's own forward runs unchanged. A forward hook on each named module keeps its output
(with the graph of the computation that made it) and hands the rest of the model a detached
copy, so no gradient travels from downstream of a point into it: the backward pass of the loss
reaches only the tail (what follows the last point), and each point's own graph is run once,
with the projected error as its gradient.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

OutputSelector = Callable[[Any], torch.Tensor]

ERROR_ROWS = ("token", "sample")
FEATURE_MAPS = ("per_position", "pooled")


def model_output(output: Any) -> torch.Tensor:
    """The tensor a loss reads from a model's output: itself, or `.logits` (Hugging Face); any
    other output is an error that says how to pick the tensor (`select_output`)."""
    if isinstance(output, torch.Tensor):
        return output
    logits = getattr(output, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    if isinstance(output, Mapping):
        example = f"lambda output: output[{next(iter(output), 'key')!r}]"
        what = f"a {type(output).__name__} with keys {list(output)}"
    else:
        example = "lambda output: output[0]"
        what = f"a {type(output).__name__}"
    raise TypeError(
        f"the model returned {what}, not a tensor or an output with .logits: pass "
        f"select_output to pick the tensor the loss reads, e.g. select_output={example}"
    )


def find_modules(model: nn.Module, paths: Sequence[str]) -> dict[str, nn.Module]:
    """The submodules of `model` at `paths` (such as `transformer.h.0`), by path, or a clear
    error (an empty path would be the whole model)."""
    modules = dict(model.named_modules())
    submodules = [name for name in modules if name]
    found = {}
    for path in paths:
        if not path:
            raise ValueError(
                f"a feedback point's path is empty (the whole {type(model).__name__}); name a "
                f"submodule, such as {', '.join(submodules[:3])}"
            )
        if path not in modules:
            close = difflib.get_close_matches(path, submodules, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"{type(model).__name__} has no module {path!r}{hint}")
        found[path] = modules[path]
    if len(set(map(id, found.values()))) != len(paths):
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
def cut_at(points: Mapping[str, nn.Module], track_tail_input: bool = False) -> Iterator[Cut]:
    """Within the block, each point module's output is kept (in the order of `points`, by path)
    and the model continues on a detached copy; with `track_tail_input` the last point's copy
    records its gradient (the error at the tail's input). A point that runs twice in one forward,
    or not at all, is an error naming its path."""
    path_of = {id(module): path for path, module in points.items()}
    last = list(points)[-1]
    kept: dict[str, torch.Tensor] = {}
    cut_result = Cut()

    def cut(module: nn.Module, args: Any, result: Any) -> Any:
        path = path_of[id(module)]
        if path in kept:
            raise RuntimeError(f"feedback point {path!r} ran twice in one forward")
        tensor = _first_tensor(result)
        kept[path] = tensor
        detached = tensor.detach()
        if track_tail_input and path == last:
            cut_result.tail_input = detached.requires_grad_()
        return _with_first(result, detached)

    handles = [module.register_forward_hook(cut) for module in points.values()]
    try:
        yield cut_result
    finally:
        for handle in handles:
            handle.remove()
    missing = [path for path in points if path not in kept]
    if missing:
        raise RuntimeError(f"feedback points {missing} did not run in the forward pass")
    cut_result.outputs.extend(kept[path] for path in points)


def error_rows(tensor: torch.Tensor, rows: str) -> torch.Tensor:
    """`tensor` as the rows the projection takes one at a time: one per token (its last
    dimension) or one per sample (everything but the batch dimension)."""
    if rows == "token":
        return tensor.reshape(-1, tensor.shape[-1])
    return tensor.reshape(tensor.shape[0], -1)


def signal_for(point: torch.Tensor, signal: torch.Tensor, feature_maps: str) -> torch.Tensor:
    """A point's share of the projection, (rows, width), in the point's shape. A pooled feature
    map (B, C, H, W) takes one value per channel, the same at every position."""
    if feature_maps == "pooled" and point.ndim > 2:
        pooled = signal.reshape(point.shape[0], point.shape[1], *[1] * (point.ndim - 2))
        return pooled.expand(point.shape)
    return signal.reshape(point.shape)


def _parameters_in_graph(tensor: torch.Tensor) -> set[int]:
    """The ids of the leaf tensors the backward pass from `tensor` would reach."""
    found: set[int] = set()
    if tensor.grad_fn is None:
        return {id(tensor)} if tensor.requires_grad else found
    stack, seen = [tensor.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        leaf = getattr(node, "variable", None)
        if leaf is not None:
            found.add(id(leaf))
        stack.extend(next_node for next_node, _ in node.next_functions)
    return found


@dataclass(frozen=True)
class PointLayout:
    """What one forward of example inputs shows of a model's feedback points.

    `widths[i]`: the projection outputs point i takes per error row; `error_widths`: the width
    of an error row at the output and at the tail's input; `point_parameters[i]`: the names of
    the parameters point i's graph holds and no earlier point's (its segment, DFA-trained);
    `tail_parameters`: the parameters the loss reaches past the cuts (BP-trained). A parameter
    can be both (a head tied to the embedding, as GPT-2's): it gets both gradients, and
    `graphs_overlap` says the loss's backward pass must keep its graph for the points'.
    """

    points: tuple[str, ...]
    widths: list[int]
    error_widths: dict[str, int]
    point_parameters: tuple[tuple[str, ...], ...]
    tail_parameters: tuple[str, ...]
    graphs_overlap: bool


def _point_width(path: str, point: torch.Tensor, rows: int, feature_maps: str) -> int:
    if feature_maps == "pooled" and point.ndim > 2:
        if point.shape[0] != rows:
            raise ValueError(
                f"feedback point {path!r} of shape {tuple(point.shape)}: a pooled feature map "
                f"needs one error row per sample; the error has {rows} rows"
            )
        return point.shape[1]
    if point.numel() % rows:
        raise ValueError(
            f"feedback point {path!r} of shape {tuple(point.shape)} cannot be fed by {rows} "
            "error rows"
        )
    return point.numel() // rows


def _point_parameters(
    paths: Sequence[str], outputs: Sequence[torch.Tensor], names: dict[int, str]
) -> tuple[list[tuple[str, ...]], dict[int, str], bool]:
    """Per point, the names of the parameters its graph holds (a parameter an earlier point's
    graph holds too stays that point's, with a warning), which point owns each parameter (by
    id), and whether two graphs overlap."""
    owner: dict[int, str] = {}
    point_parameters = []
    overlap = False
    for path, point in zip(paths, outputs, strict=True):
        held = [key for key in _parameters_in_graph(point) if key in names]
        shared = sorted(names[key] for key in held if key in owner)
        overlap = overlap or bool(shared)
        if shared:
            warnings.warn(
                f"feedback point {path!r} shares parameters {shared[:3]} with an earlier point: "
                "a skip connection goes around that point, so both signals train them",
                stacklevel=3,
            )
        owner |= {key: path for key in held if key not in owner}
        point_parameters.append(tuple(names[key] for key in held if owner[key] == path))
    return point_parameters, owner, overlap


def inspect_points(
    model: nn.Module,
    paths: Sequence[str],
    example_inputs: Any,
    select_output: OutputSelector = model_output,
    rows: str = "token",
    feature_maps: str = "per_position",
) -> PointLayout:
    """The layout of the feedback points `paths` of `model`, from one forward of
    `example_inputs` (see `PointLayout`); `rows` and `feature_maps` as in `error_rows` and
    `signal_for`. The forward runs in eval mode. A parameter two points' graphs hold (a skip
    connection around a point) is trained by both signals, with a warning."""
    if rows not in ERROR_ROWS:
        raise ValueError(f"error rows must be one of {ERROR_ROWS}; got {rows!r}")
    if feature_maps not in FEATURE_MAPS:
        raise ValueError(f"feature_maps must be one of {FEATURE_MAPS}; got {feature_maps!r}")
    if not paths:
        raise ValueError("DFA needs at least one feedback point")
    was_training = model.training
    model.eval()  # no dropout: the forward draws no random numbers
    try:
        with torch.enable_grad(), cut_at(find_modules(model, paths), True) as cut:
            output = select_output(model(example_inputs))
    finally:
        model.train(was_training)
    if output is cut.tail_input:
        raise ValueError(
            f"feedback point {paths[-1]!r} is the output layer: its output is what the loss "
            "reads, so it takes the true error; end the feedback points before it"
        )
    output_rows = error_rows(output, rows).shape
    widths = [
        _point_width(path, point, output_rows[0], feature_maps)
        for path, point in zip(paths, cut.outputs, strict=True)
    ]
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    point_parameters, owner, overlap = _point_parameters(paths, cut.outputs, names)
    tail = [key for key in _parameters_in_graph(output) if key in names]
    overlap = overlap or any(key in owner for key in tail)
    order = {name: index for index, name in enumerate(names.values())}
    return PointLayout(
        points=tuple(paths),
        widths=widths,
        error_widths={
            "output": output_rows[1],
            "tail_input": error_rows(cut.tail_input, rows).shape[1],
        },
        point_parameters=tuple(tuple(sorted(part, key=order.get)) for part in point_parameters),
        tail_parameters=tuple(sorted((names[key] for key in tail), key=order.get)),
        graphs_overlap=overlap,
    )
