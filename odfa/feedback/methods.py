"""Training methods: how each parameter of a network receives its gradient."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from odfa.config import validate_section
from odfa.distributed import unwrap
from odfa.feedback.points import (
    Cut,
    OutputSelector,
    PointLayout,
    cut_at,
    error_rows,
    find_modules,
    model_output,
    signal_for,
)
from odfa.feedback.projectors import ErrorProjector, GaussianProjector

LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class TrainingMethod(ABC):
    """How the trainable parameters of a network get their gradients."""

    name: str

    def trainable_parameters(self, model: nn.Module) -> list[nn.Parameter]:
        return list(model.parameters())

    @abstractmethod
    def compute_gradients(
        self,
        model: nn.Module,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        """Fill `.grad` of the trainable parameters; return the (detached) loss."""

    def log_fields(self) -> dict[str, float]:
        """Extra per-step figures for the training log (e.g. optical frames)."""
        return {}

    def summary_fields(self) -> dict[str, float]:
        """The figures a run's metrics keep at its end (by default, the last step's)."""
        return self.log_fields()

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        del state

    def totals(self) -> dict[str, float]:
        """Running counts that add up over the ranks of a data-parallel run (an OPU's frames
        and measured seconds); none by default."""
        return {}

    def set_totals(self, totals: dict[str, float]) -> None:
        """Set the counts of `totals` (as `totals()` names them)."""
        del totals


class Backprop(TrainingMethod):
    """Backpropagation through the whole network (the reference method); `select_output` picks
    the tensor the loss reads from the model's output."""

    name = "bp"

    def __init__(self, select_output: OutputSelector = model_output) -> None:
        self.select_output = select_output

    def compute_gradients(
        self,
        model: nn.Module,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        loss = loss_function(self.select_output(model(inputs)), targets)
        loss.backward()
        return loss.detach()


@dataclass(frozen=True)
class _Resolved:
    """A layout's names, looked up on one model."""

    model: nn.Module
    modules: dict[str, nn.Module]
    tail: list[nn.Parameter]
    parts: dict[str, list[nn.Parameter]]

    @property
    def trained(self) -> list[nn.Parameter]:
        """Every parameter the tail's or a segment's graph holds, once."""
        every = [*self.tail, *(parameter for part in self.parts.values() for parameter in part)]
        return list({id(parameter): parameter for parameter in every}.values())


class PointMethod(TrainingMethod):
    """A method that cuts the model at the feedback points of `layout` (see
    `odfa.feedback.points`): the loss's backward pass reaches the tail's parameters only."""

    def __init__(self, layout: PointLayout, select_output: OutputSelector) -> None:
        self.layout = layout
        self.select_output = select_output
        self._resolved: _Resolved | None = None

    def resolve(self, model: nn.Module) -> _Resolved:
        """The point modules, tail parameters and each point's parameters on `model` (looked up
        once per model; a DistributedDataParallel wrapper is looked through)."""
        model = unwrap(model)
        if self._resolved is None or self._resolved.model is not model:
            parameters = dict(model.named_parameters())
            self._resolved = _Resolved(
                model,
                find_modules(model, self.layout.points),
                [parameters[name] for name in self.layout.tail_parameters],
                {
                    path: [parameters[name] for name in names]
                    for path, names in zip(
                        self.layout.points, self.layout.point_parameters, strict=True
                    )
                },
            )
        return self._resolved

    def _forward(
        self, model: nn.Module, inputs: torch.Tensor, track_tail_input: bool
    ) -> tuple[torch.Tensor, Cut]:
        """The output the loss reads, and the feedback points' outputs (cut from the graph)."""
        with cut_at(self.resolve(model).modules, track_tail_input) as cut:
            output = self.select_output(model(inputs))
        return output, cut


class Shallow(PointMethod):
    """Only the BP-trained tail learns; every feedback point's segment stays at its random
    initialisation."""

    name = "shallow"

    def __init__(self, layout: PointLayout, select_output: OutputSelector) -> None:
        if not layout.tail_parameters:
            raise ValueError(
                f"shallow training needs a tail: no parameters follow the last feedback point "
                f"{layout.points[-1]!r}"
            )
        super().__init__(layout, select_output)

    def trainable_parameters(self, model: nn.Module) -> list[nn.Parameter]:
        return self.resolve(model).tail

    def compute_gradients(
        self,
        model: nn.Module,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        output, _ = self._forward(model, inputs, track_tail_input=False)
        loss = loss_function(output, targets)
        loss.backward(inputs=self.resolve(model).tail)
        return loss.detach()


ERROR_PLACES = ("output", "tail_input")


def feedback_width(feedback_dims: list[int], shared: bool) -> int:
    """Outputs the projection needs: the widest point if shared, else all points side by side."""
    return max(feedback_dims) if shared else sum(feedback_dims)


class DirectFeedbackAlignment(PointMethod):
    """DFA: each feedback point's output receives `scale * (B e)_l / sqrt(d_l)` as its gradient.

    The model's forward runs with every point's output cut from the graph (see
    `odfa.feedback.points`), so no gradient travels between points and the backward pass
    computes only each segment's own weight gradients. The tail gets the true gradient; the
    error `e` at the output (or at the tail's input, `error_at`) is projected once per row:
    per token or per sample (`rows`). With `shared=True` (LightOn's TinyDFA) every point takes
    the first d_l entries of one projection of width max(d_l), so blocks writing to one residual
    stream all receive the same direction; otherwise each point has its own block of a
    projection of width sum(d_l). A convolutional point takes its share per position, or one
    value per channel (`feature_maps="pooled"`). The projector is digital (DFA) or optical
    (ODFA); the method does not know which.
    """

    name = "dfa"

    def __init__(
        self,
        projector: ErrorProjector,
        layout: PointLayout,
        scale: float,
        shared: bool = False,
        select_output: OutputSelector = model_output,
        error_at: str = "output",
        rows: str = "token",
        feature_maps: str = "per_position",
    ) -> None:
        if error_at not in ERROR_PLACES:
            raise ValueError(f"error_at must be one of {ERROR_PLACES}; got {error_at!r}")
        needed = feedback_width(layout.widths, shared)
        if projector.n_outputs != needed:
            raise ValueError(
                f"projector gives {projector.n_outputs} outputs; the feedback points need "
                f"{needed} ({layout.widths}, shared={shared})"
            )
        super().__init__(layout, select_output)
        self.projector = projector
        self.shared = shared
        self.scales = [scale / math.sqrt(width) for width in layout.widths]
        self.error_at = error_at
        self.rows = rows
        self.feature_maps = feature_maps

    def alignment_parts(self, model: nn.Module) -> dict[str, list[nn.Parameter]]:
        """The parts whose alignment with BP is measured: each point's segment (the parameters
        its graph holds)."""
        return self.resolve(model).parts

    def projected_signal(self, error: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """What the feedback matrix projects: DFA's is the error itself."""
        del targets
        return error

    def compute_gradients(
        self,
        model: nn.Module,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss_function: LossFunction,
    ) -> torch.Tensor:
        output, cut = self._forward(model, inputs, self.error_at == "tail_input")
        loss = loss_function(output, targets)
        at_output = self.error_at == "output"
        # The error first (at the output, only the loss's own backward runs), then one backward
        # pass reaches every parameter: the tail's from the error (or the loss), each segment's
        # from its projected signal. One pass is what DistributedDataParallel synchronises.
        (error,) = torch.autograd.grad(
            loss, output if at_output else cut.tail_input, retain_graph=not at_output
        )
        projection = self.projector(error_rows(self.projected_signal(error, targets), self.rows))
        widths = self.layout.widths
        if self.shared:
            signals = [projection[:, :width] for width in widths]
        else:
            signals = projection.split(widths, dim=-1)
        roots, gradients = ([output], [error]) if at_output else ([loss], [torch.ones_like(loss)])
        for signal, scale, point in zip(signals, self.scales, cut.outputs, strict=True):
            if point.requires_grad:  # a point right after another, with no parameters
                roots.append(point)  # between, has no graph
                gradients.append(
                    signal_for(point, signal * scale, self.feature_maps).to(point.dtype)
                )
        torch.autograd.backward(roots, gradients, inputs=self.resolve(model).trained)
        return loss.detach()


@dataclass(frozen=True)
class FeedbackSettings:
    """DFA's feedback: the matrices' seed and sharing, the signal's scale, where the error is
    taken and what one projection carries (see the config schema's `feedback` section, which
    holds every default and bound)."""

    seed: int
    shared_matrix: bool
    scale: float
    error_at: str
    error_rows: str
    feature_maps: str

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FeedbackSettings:
        """From a `feedback` section: validated, with the schema's defaults filled in."""
        return cls(**validate_section(settings, "feedback", source="feedback"))


def projection_shape(layout: PointLayout, feedback: FeedbackSettings) -> tuple[int, int]:
    """(inputs, outputs) of the projection: the width of an error row where the error is taken,
    and what the points take (see `feedback_width`)."""
    return layout.error_widths[feedback.error_at], feedback_width(
        layout.widths, feedback.shared_matrix
    )


def method_options(
    layout: PointLayout, feedback: FeedbackSettings, select_output: OutputSelector
) -> dict[str, Any]:
    """The arguments of `DirectFeedbackAlignment` after its projector."""
    return {
        "layout": layout,
        "scale": feedback.scale,
        "shared": feedback.shared_matrix,
        "select_output": select_output,
        "error_at": feedback.error_at,
        "rows": feedback.error_rows,
        "feature_maps": feedback.feature_maps,
    }


def digital_feedback_alignment(
    method_class: type[DirectFeedbackAlignment],
    layout: PointLayout,
    feedback: FeedbackSettings,
    device: torch.device,
    select_output: OutputSelector,
) -> DirectFeedbackAlignment:
    """`method_class` (DFA or a variant) with the seeded Gaussian projector of the `feedback`
    settings."""
    projector = GaussianProjector(*projection_shape(layout, feedback), feedback.seed, device)
    return method_class(projector, **method_options(layout, feedback, select_output))


def build(
    name: str,
    layout: PointLayout | None,
    feedback: FeedbackSettings | None,
    sections: Mapping[str, Any],
    device: torch.device,
    select_output: OutputSelector,
) -> TrainingMethod:
    """BP, shallow or digital DFA (with its `feedback` settings); `sections` are not read."""
    del sections
    if name == "bp":
        return Backprop(select_output)
    if name == "shallow":
        return Shallow(layout, select_output)
    return digital_feedback_alignment(
        DirectFeedbackAlignment, layout, feedback, device, select_output
    )
