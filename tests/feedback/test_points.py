"""DFA and ODFA on a model's named modules: the update by hand, no gradient from downstream of a
point, skip connections inside a segment, every placement, clear errors."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from odfa.feedback import build_method
from odfa.feedback.points import find_modules, inspect_points
from odfa.models import FCNN, FCNNConfig

CPU = torch.device("cpu")


def _data(samples: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(samples, 12, generator=generator)
    return inputs, inputs[:, :5].argmax(dim=1)


def _gradients(model: nn.Module) -> list[torch.Tensor]:
    return [parameter.grad.clone() for parameter in model.parameters()]


def _with_feedback(config: dict, **settings: object) -> dict:
    return {**config, "feedback": {**config["feedback"], **settings}}


class Residual(nn.Module):
    """x + f(x): a skip connection inside a segment."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.inner = nn.Sequential(nn.Linear(width, width), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.inner(x)


def _chain() -> nn.Sequential:
    torch.manual_seed(1)
    return nn.Sequential(
        nn.Linear(12, 16), Residual(16), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 5)
    )


def test_upstream_of_a_point_only_its_projected_error_arrives(config):
    model = _chain()
    inputs, targets = _data()
    method = build_method("dfa", model, config, CPU, points=["1", "3"], example_inputs=inputs)
    method.compute_gradients(model, inputs, targets, F.cross_entropy)
    # Recompute by hand: the error at the output, projected, is the only gradient at point "1".
    output = model(inputs).detach().requires_grad_()
    error = torch.autograd.grad(F.cross_entropy(output, targets), output)[0]
    signal = (error @ method.projector.matrix)[:, :16] * config["feedback"]["scale"] / math.sqrt(16)
    point = model[1](model[0](inputs))
    expected = torch.autograd.grad(point, list(model[0].parameters()), grad_outputs=signal)
    for parameter, want in zip(model[0].parameters(), expected, strict=True):
        torch.testing.assert_close(parameter.grad, want, rtol=1e-6, atol=1e-7)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_no_backward_runs_through_the_blocks_between_points(config):
    model = _chain()
    inputs, targets = _data()
    method = build_method("dfa", model, config, CPU, points=["1", "3"], example_inputs=inputs)
    seen = []
    model[2].register_full_backward_hook(lambda module, grad_in, grad_out: seen.append(grad_in))
    method.compute_gradients(model, inputs, targets, F.cross_entropy)
    assert len(seen) == 1 and seen[0][0] is None  # its input is cut: no gradient flows upstream


def test_a_model_with_skip_connections_learns_with_dfa_and_odfa(config):
    inputs, targets = _data(256)
    for name in ("dfa", "odfa"):
        model = _chain()
        method = build_method(name, model, config, CPU, points=["1", "3"], example_inputs=inputs)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        losses = []
        for _ in range(60):
            optimizer.zero_grad()
            losses.append(float(method.compute_gradients(model, inputs, targets, F.cross_entropy)))
            optimizer.step()
        assert losses[-1] < 0.7 * losses[0], name


def test_the_layout_gives_widths_per_token_and_finds_the_tail():
    model = nn.Sequential(nn.Embedding(20, 6), nn.Linear(6, 4), nn.Linear(4, 20))
    tokens = torch.randint(0, 20, (3, 7))
    layout = inspect_points(model, ["0", "1"], tokens)
    assert layout.widths == [6, 4]  # one error row per token
    assert layout.error_widths == {"output": 20, "tail_input": 4}
    assert layout.point_parameters == (("0.weight",), ("1.weight", "1.bias"))
    assert layout.tail_parameters == ("2.weight", "2.bias") and not layout.graphs_overlap


def test_one_projection_per_sample_feeds_every_token_of_a_point(config):
    model = nn.Sequential(nn.Embedding(20, 6), nn.Linear(6, 4), nn.Linear(4, 3))
    tokens, targets = torch.randint(0, 20, (5, 7)), torch.randn(5, 7, 3)
    layout = inspect_points(model, ["0", "1"], tokens, rows="sample")
    assert layout.widths == [7 * 6, 7 * 4] and layout.error_widths["output"] == 7 * 3
    method = build_method(
        "dfa", model, _with_feedback(config, error_rows="sample"), CPU, tokens, ["0", "1"]
    )
    assert method.projector.matrix.shape == (21, 42)  # the whole output of a sample, once
    method.compute_gradients(model, tokens, targets, F.mse_loss)
    output = model(tokens).detach().requires_grad_()
    error = torch.autograd.grad(F.mse_loss(output, targets), output)[0].reshape(5, 21)
    signal = (error @ method.projector.matrix)[:, :28] / math.sqrt(28)
    point = model[1](model[0](tokens))
    expected = torch.autograd.grad(point, list(model[1].parameters()), signal.reshape(5, 7, 4))
    for parameter, want in zip(model[1].parameters(), expected, strict=True):
        torch.testing.assert_close(parameter.grad, want, rtol=1e-5, atol=1e-7)


def _conv_net() -> nn.Sequential:
    torch.manual_seed(2)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 5 * 5, 3)
    )


@pytest.mark.parametrize("feature_maps", ["per_position", "pooled"])
def test_a_feature_map_takes_its_signal_per_position_or_pooled(config, feature_maps):
    model = _conv_net()
    images, labels = torch.randn(6, 1, 5, 5), torch.randint(0, 3, (6,))
    config = _with_feedback(config, feature_maps=feature_maps, shared_matrix=False)
    method = build_method("dfa", model, config, CPU, images, ["1"])
    width = 4 * 5 * 5 if feature_maps == "per_position" else 4
    assert method.layout.widths == [width]
    method.compute_gradients(model, images, labels, F.cross_entropy)
    output = model(images).detach().requires_grad_()
    error = torch.autograd.grad(F.cross_entropy(output, labels), output)[0]
    signal = error @ method.projector.matrix / math.sqrt(width)  # (6, width)
    if feature_maps == "pooled":
        signal = signal[:, :, None, None].expand(6, 4, 5, 5)  # one value per channel
    point = model[1](model[0](images))
    expected = torch.autograd.grad(point, list(model[0].parameters()), signal.reshape(6, 4, 5, 5))
    for parameter, want in zip(model[0].parameters(), expected, strict=True):
        torch.testing.assert_close(parameter.grad, want, rtol=1e-5, atol=1e-6)


def test_a_skip_connection_around_a_point_is_named_in_a_warning():
    class SkipAround(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.first, self.inner = nn.Linear(4, 4), nn.Linear(4, 4)
            self.second, self.head = nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            hidden = self.first(x)
            return self.head(self.second(hidden + self.inner(hidden)))  # a skip around `inner`

    with pytest.warns(UserWarning, match=r"'second' shares parameters \['first.bias'"):
        layout = inspect_points(SkipAround(), ["inner", "second"], torch.randn(2, 4))
    assert layout.graphs_overlap


def test_a_wrong_path_is_named_with_the_closest_ones():
    with pytest.raises(ValueError, match=r"no module 'hiden\.0'; did you mean hidden\.0"):
        find_modules(FCNN(FCNNConfig(12, [8], 5)), ["hiden.0"])
    with pytest.raises(ValueError, match="example_inputs"):
        build_method("dfa", _chain(), {"feedback": {}}, CPU, points=["1"])


def test_the_error_can_be_taken_at_the_tails_input(config):
    config = _with_feedback(config, error_at="tail_input")
    model = _chain()
    inputs, targets = _data()
    method = build_method("dfa", model, config, CPU, points=["1", "3"], example_inputs=inputs)
    assert method.projector.matrix.shape == (16, 16)  # the tail's input is 16 wide, not 5
    method.compute_gradients(model, inputs, targets, F.cross_entropy)
    tail_input = model[3](model[2](model[1](model[0](inputs)))).detach().requires_grad_()
    error = torch.autograd.grad(F.cross_entropy(model[4](tail_input), targets), tail_input)[0]
    signal = (error @ method.projector.matrix) * config["feedback"]["scale"] / math.sqrt(16)
    point = model[1](model[0](inputs))
    expected = torch.autograd.grad(point, list(model[0].parameters()), grad_outputs=signal)
    for parameter, want in zip(model[0].parameters(), expected, strict=True):
        torch.testing.assert_close(parameter.grad, want, rtol=1e-6, atol=1e-7)


class TwoOutputs(nn.Module):
    """A model returning its logits with something else, as a tuple or a dict."""

    def __init__(self, as_dict: bool) -> None:
        super().__init__()
        self.as_dict = as_dict
        self.hidden, self.head = nn.Linear(12, 16), nn.Linear(16, 5)

    def forward(self, x: torch.Tensor) -> tuple | dict:
        hidden = self.hidden(x)
        logits = self.head(hidden)
        return {"scores": logits, "hidden": hidden} if self.as_dict else (logits, hidden)


@pytest.mark.parametrize(
    ("as_dict", "hint"),
    [(False, r"a tuple.*select_output=lambda output: output\[0\]"),
     (True, r"a dict with keys \['scores', 'hidden'\].*output\['scores'\]")],
    ids=["tuple", "dict"],
)  # fmt: skip
def test_a_model_returning_a_tuple_or_dict_is_told_to_pass_select_output(as_dict, hint):
    model, (inputs, targets) = TwoOutputs(as_dict), _data()
    with pytest.raises(TypeError, match=hint):
        build_method("dfa", model, example_inputs=inputs, points=["hidden"])
    select = (lambda output: output["scores"]) if as_dict else (lambda output: output[0])
    method = build_method("dfa", model, None, CPU, inputs, ["hidden"], select_output=select)
    method.compute_gradients(model, inputs, targets, F.cross_entropy)
    assert model.hidden.weight.grad is not None


class Skips(nn.Module):
    """Blocks of which the forward runs the first twice and never the second."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.Sequential(nn.Linear(12, 12), nn.Linear(12, 12))
        self.head = nn.Linear(12, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks[0](self.blocks[0](x)))


@pytest.mark.parametrize(
    ("point", "message"),
    [("blocks.1", r"feedback points \['blocks\.1'\] did not run"),
     ("blocks.0", r"feedback point 'blocks\.0' ran twice")],
    ids=["never", "twice"],
)  # fmt: skip
def test_a_point_that_runs_twice_or_never_is_named_by_its_path(point, message):
    with pytest.raises(RuntimeError, match=message):
        build_method("dfa", Skips(), example_inputs=_data()[0], points=[point])


def test_an_empty_point_name_is_refused():
    with pytest.raises(
        ValueError, match=r"path is empty \(the whole Sequential\); name a submodule"
    ):
        build_method("dfa", _chain(), example_inputs=_data()[0], points=["1", ""])


@pytest.mark.parametrize("name", ["dfa", "odfa", "shallow"])
def test_the_output_layer_is_refused_as_a_point(name):
    with pytest.raises(ValueError, match="feedback point '4' is the output layer"):
        build_method(name, _chain(), example_inputs=_data()[0], points=["1", "4"])
