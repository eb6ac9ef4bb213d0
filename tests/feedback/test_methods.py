"""Training methods: what gradient each parameter receives, and what is never computed."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from odfa.errors import ConfigError
from odfa.feedback import build_method
from odfa.feedback.methods import DirectFeedbackAlignment, FeedbackSettings
from odfa.feedback.points import inspect_points
from odfa.feedback.projectors import GaussianProjector
from odfa.models import FCNN


def _batch(model: FCNN, size: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    inputs = torch.randn(size, model.config.input_dim, generator=generator)
    targets = torch.randint(model.config.output_dim, (size,), generator=generator)
    return inputs, targets


def _gradients(model: nn.Module) -> dict[str, torch.Tensor | None]:
    return {
        name: None if p.grad is None else p.grad.clone() for name, p in model.named_parameters()
    }


def test_bp_gives_the_autograd_gradient(small_fcnn, config):
    inputs, targets = _batch(small_fcnn)
    expected = torch.autograd.grad(
        F.cross_entropy(small_fcnn(inputs), targets), list(small_fcnn.parameters())
    )
    build_method("bp", small_fcnn, config, torch.device("cpu")).compute_gradients(
        small_fcnn, inputs, targets, F.cross_entropy
    )
    for parameter, gradient in zip(small_fcnn.parameters(), expected, strict=True):
        torch.testing.assert_close(parameter.grad, gradient)


def test_shallow_trains_only_the_tail(small_fcnn, config):
    inputs, targets = _batch(small_fcnn)
    method = build_method("shallow", small_fcnn, config, torch.device("cpu"), inputs)
    method.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)
    assert all(p.grad is None for p in small_fcnn.hidden.parameters())
    assert all(p.grad is not None for p in small_fcnn.output.parameters())
    assert method.trainable_parameters(small_fcnn) == list(small_fcnn.output.parameters())


def test_shallow_needs_parameters_after_the_last_point():
    model = nn.Sequential(nn.Linear(12, 5), nn.Tanh())
    with pytest.raises(ValueError, match="no parameters follow the last feedback point '0'"):
        build_method("shallow", model, example_inputs=torch.randn(2, 12), points=["0"])


def test_dfa_injects_the_scaled_projection_of_the_output_error(small_fcnn):
    inputs, targets = _batch(small_fcnn)
    layout = inspect_points(small_fcnn, small_fcnn.feedback_points, inputs)
    assert layout.widths == [16, 8] and layout.error_widths["output"] == 5
    assert layout.tail_parameters == ("output.weight", "output.bias")
    projector = GaussianProjector(5, sum(layout.widths), seed=3)
    method = DirectFeedbackAlignment(projector, layout, scale=2.0)
    method.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)

    # The tail gets its true gradient; e is the gradient of the loss at the network output.
    hidden = [inputs]
    for layer in small_fcnn.hidden:
        hidden.append(layer(hidden[-1]).detach())
    output = small_fcnn.output(hidden[-1]).detach().requires_grad_()
    (error,) = torch.autograd.grad(F.cross_entropy(output, targets), output)
    signals = (error @ projector.matrix).split(layout.widths, dim=1)
    for index, segment in enumerate(small_fcnn.hidden):
        width = layout.widths[index]
        delta = 2.0 / math.sqrt(width) * signals[index] * (1 - hidden[index + 1] ** 2)  # tanh'
        linear = segment[0]
        torch.testing.assert_close(linear.weight.grad, delta.T @ hidden[index])
        torch.testing.assert_close(linear.bias.grad, delta.sum(0))


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_dfa_never_computes_gradients_between_segments(small_fcnn, config):
    """No Linear layer receives a gradient for its input: the backward pass stops in-segment."""
    input_gradients = []
    for module in small_fcnn.modules():
        if isinstance(module, nn.Linear):
            module.register_full_backward_hook(
                lambda _module, grad_input, _out: input_gradients.append(grad_input[0])
            )
    inputs, targets = _batch(small_fcnn)
    method = build_method("dfa", small_fcnn, config, torch.device("cpu"), inputs)
    method.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)
    assert len(input_gradients) == 3  # two segments and the tail each ran their backward
    assert all(gradient is None for gradient in input_gradients)


def test_sequence_models_project_each_token_error_once():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 7))
    inputs, targets = torch.randn(2, 5, 8), torch.randint(7, (2, 5))
    layout = inspect_points(model, ["1", "3"], inputs)
    calls = []

    class RecordingProjector(GaussianProjector):
        def __call__(self, error: torch.Tensor) -> torch.Tensor:
            calls.append(tuple(error.shape))
            return super().__call__(error)

    method = DirectFeedbackAlignment(RecordingProjector(7, 16, seed=0), layout, scale=1.0)

    def token_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(output.reshape(-1, 7), target.reshape(-1))

    method.compute_gradients(model, inputs, targets, token_loss)
    assert calls == [(10, 7)]
    assert all(p.grad is not None for p in model.parameters())


def test_projector_width_must_match_the_feedback_points(small_fcnn):
    layout = inspect_points(small_fcnn, small_fcnn.feedback_points, _batch(small_fcnn)[0])
    with pytest.raises(ValueError, match="feedback points need 24"):
        DirectFeedbackAlignment(GaussianProjector(5, 20, seed=0), layout, 1.0)


def test_unknown_method_is_named(small_fcnn, config):
    with pytest.raises(ValueError, match="'adam'"):
        build_method("adam", small_fcnn, config, torch.device("cpu"))


def test_a_method_takes_the_default_config_for_the_settings_it_is_not_given(small_fcnn, config):
    inputs, _ = _batch(small_fcnn)
    configured = build_method("dfa", small_fcnn, config, torch.device("cpu"), inputs)
    for sections in (None, {"feedback": {}}):
        method = build_method("dfa", small_fcnn, sections, example_inputs=inputs)
        torch.testing.assert_close(method.projector.matrix, configured.projector.matrix)
    reseeded = build_method("dfa", small_fcnn, {"feedback": {"seed": 7}}, example_inputs=inputs)
    assert not torch.equal(reseeded.projector.matrix, configured.projector.matrix)
    odfa = build_method("odfa", small_fcnn, {"optics": {"threshold": 0.5}}, example_inputs=inputs)
    assert (odfa.projector.threshold, odfa.scales) == (0.5, configured.scales)


def test_the_feedback_settings_take_the_schemas_defaults_and_name_a_bad_key():
    section = {"seed": 1, "scale": 0.5, "shared_matrix": False}
    settings = FeedbackSettings.from_settings(section)
    assert (settings.seed, settings.scale, settings.shared_matrix) == (1, 0.5, False)
    assert (settings.error_at, settings.error_rows, settings.feature_maps) == (
        "output",
        "token",
        "per_position",
    )
    with pytest.raises(ConfigError, match=r"feedback: error_at: 'input' is not one of"):
        FeedbackSettings.from_settings(section | {"error_at": "input"})
