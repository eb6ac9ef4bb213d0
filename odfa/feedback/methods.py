"""Training methods: how each parameter of a network receives its gradient."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from odfa.feedback.points import Cut, OutputSelector, cut_at, find_modules, model_output
from odfa.feedback.projectors import ErrorProjector, GaussianProjector
from odfa.models.segmented import SegmentedNetwork

LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class TrainingMethod(ABC):
    """How the trainable parameters of a network get their gradients."""

    name: str

    def trainable_parameters(self, model: SegmentedNetwork) -> list[nn.Parameter]:
        return list(model.parameters())

    @abstractmethod
    def compute_gradients(
        self,
        model: SegmentedNetwork,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        """Fill `.grad` of the trainable parameters; return the (detached) loss."""

    def log_fields(self) -> dict[str, float]:
        """Extra per-step figures for the training log (e.g. optical frames)."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        del state


class Backprop(TrainingMethod):
    """Backpropagation through the whole network (the reference method); `select_output` picks
    the tensor the loss reads from the model's output."""

    name = "bp"

    def __init__(self, select_output: OutputSelector = model_output) -> None:
        self.select_output = select_output

    def compute_gradients(
        self,
        model: SegmentedNetwork,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        loss = loss_function(self.select_output(model(inputs)), targets)
        loss.backward()
        return loss.detach()


class Shallow(TrainingMethod):
    """Only the BP-trained tail learns; every segment stays at its random initialisation."""

    name = "shallow"

    def trainable_parameters(self, model: SegmentedNetwork) -> list[nn.Parameter]:
        return list(model.tail.parameters())

    def compute_gradients(
        self,
        model: SegmentedNetwork,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        with torch.no_grad():
            hidden = inputs
            for segment in model.segments:
                hidden = segment(hidden)
        loss = loss_function(model.tail(hidden), targets)
        loss.backward()
        return loss.detach()


ERROR_PLACES = ("output", "tail_input")


def feedback_width(feedback_dims: list[int], shared: bool) -> int:
    """Outputs the projection needs: the widest point if shared, else all points side by side."""
    return max(feedback_dims) if shared else sum(feedback_dims)


def _detached(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach() if tensor.is_floating_point() else tensor


class DirectFeedbackAlignment(TrainingMethod):
    """DFA: each segment's output receives `scale * (B e)_l / sqrt(d_l)` as its gradient.

    Every segment runs on a detached input, so no gradient travels between segments and the
    backward pass computes only each segment's own weight gradients. The tail gets the true
    gradient; its output gradient `e` (one vector per sample, or per token) is projected once.
    With `shared=True` (LightOn's TinyDFA) every point takes the first d_l entries of one
    projection of width max(d_l), so blocks writing to one residual stream all receive the same
    direction; otherwise each point has its own block of a projection of width sum(d_l). The
    projector is digital (DFA) or optical (ODFA); the method does not know which.

    The points are the segments of a `SegmentedNetwork`, or, on any other model, the modules at
    the paths `points` (see `odfa.feedback.points`): the model's own forward runs, each point's
    output is cut from the graph, and `select_output` picks the tensor the loss reads.
    """

    def __init__(
        self,
        projector: ErrorProjector,
        feedback_dims: list[int],
        scale: float,
        shared: bool = False,
        points: Sequence[str] | None = None,
        select_output: OutputSelector = model_output,
        error_at: str = "output",
    ) -> None:
        if error_at not in ERROR_PLACES:
            raise ValueError(f"error_at must be one of {ERROR_PLACES}; got {error_at!r}")
        needed = feedback_width(feedback_dims, shared)
        if projector.n_outputs != needed:
            raise ValueError(
                f"projector gives {projector.n_outputs} outputs; the feedback points need "
                f"{needed} ({feedback_dims}, shared={shared})"
            )
        self.projector = projector
        self.feedback_dims = feedback_dims
        self.shared = shared
        self.scales = [scale / math.sqrt(width) for width in feedback_dims]
        self.points = None if points is None else tuple(points)
        self.select_output = select_output
        self.error_at = error_at
        self._point_modules: tuple[nn.Module, list[nn.Module]] | None = None
        self.name = "dfa"

    def _forward(self, model: nn.Module, inputs: torch.Tensor) -> tuple[torch.Tensor, Cut]:
        """The output the loss reads, and the feedback points' outputs (cut from the graph)."""
        track = self.error_at == "tail_input"
        if self.points is not None:
            if self._point_modules is None or self._point_modules[0] is not model:
                self._point_modules = (model, find_modules(model, self.points))  # once per model
            with cut_at(self._point_modules[1], track) as cut:
                output = self.select_output(model(inputs))
            return output, cut
        cut = Cut()
        hidden = inputs
        for segment in model.segments:
            hidden = segment(_detached(hidden))
            cut.outputs.append(hidden)
        cut.tail_input = hidden.detach().requires_grad_(track)
        return model.tail(cut.tail_input), cut

    def alignment_parts(self, model: nn.Module) -> dict[str, list[nn.Parameter]] | None:
        """The parts whose alignment with BP is measured: each named point's module (its own
        parameters), or None for the segments of a `SegmentedNetwork`."""
        if self.points is None:
            return None
        modules = find_modules(model, self.points)
        return {
            path: list(module.parameters())
            for path, module in zip(self.points, modules, strict=True)
        }

    def compute_gradients(
        self,
        model: SegmentedNetwork,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        output, cut = self._forward(model, inputs)
        feedback_points = cut.outputs
        at_output = self.error_at == "output"
        if at_output:
            output.retain_grad()
        loss = loss_function(output, targets)
        loss.backward()
        error_source = output if at_output else cut.tail_input
        error = error_source.grad.reshape(-1, error_source.shape[-1])  # per sample or token
        projection = self.projector(error)
        if self.shared:
            signals = [projection[:, :width] for width in self.feedback_dims]
        else:
            signals = projection.split(self.feedback_dims, dim=-1)
        trained = [  # a point right after another, with no parameters between, has no graph
            (point, (signal * scale).reshape(point.shape).to(point.dtype))
            for signal, scale, point in zip(signals, self.scales, feedback_points, strict=True)
            if point.requires_grad
        ]
        if trained:
            torch.autograd.backward(*zip(*trained, strict=True))
        return loss.detach()


@dataclass(frozen=True)
class FeedbackLayout:
    """Where the feedback goes: the points' widths, the error's width, and how points are found
    (the segments of a `SegmentedNetwork` when `points` is None, else modules at these paths)."""

    feedback_dims: list[int]
    error_width: int
    points: tuple[str, ...] | None = None
    select_output: OutputSelector = model_output

    def projection_shape(self, feedback: dict[str, Any]) -> tuple[int, int]:
        """(inputs, outputs) of the projection: the error's width (the output's, or the tail
        input's: the last point's) and what the points take (see `feedback_width`)."""
        error_width = (
            self.error_width if feedback["error_at"] == "output" else self.feedback_dims[-1]
        )
        return error_width, feedback_width(self.feedback_dims, feedback["shared_matrix"])

    def method_options(self, feedback: dict[str, Any]) -> dict[str, Any]:
        """The arguments of `DirectFeedbackAlignment` after its projector."""
        return {
            "feedback_dims": self.feedback_dims,
            "scale": feedback["scale"],
            "shared": feedback["shared_matrix"],
            "points": self.points,
            "select_output": self.select_output,
            "error_at": feedback["error_at"],
        }


def build(
    name: str, layout: FeedbackLayout, config: dict[str, Any], device: torch.device
) -> TrainingMethod:
    """BP, shallow or digital DFA, with the feedback settings of a validated config."""
    if name == "bp":
        return Backprop(layout.select_output)
    if name == "shallow":
        if layout.points is not None:
            raise ValueError("shallow training needs a SegmentedNetwork (its tail is trained)")
        return Shallow()
    feedback = config["feedback"]
    projector = GaussianProjector(*layout.projection_shape(feedback), feedback["seed"], device)
    return DirectFeedbackAlignment(projector, **layout.method_options(feedback))
