"""DFA and ODFA on a model's named modules: the same update as the segmented path, no gradient
from downstream of a point, skip connections inside a segment, clear errors."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from transformers import GPT2Config, GPT2LMHeadModel

from odfa.feedback import build_method
from odfa.feedback.points import find_modules, point_widths
from odfa.models import FCNN, FCNNConfig

CPU = torch.device("cpu")


def _data(samples: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(samples, 12, generator=generator)
    return inputs, inputs[:, :5].argmax(dim=1)


def _gradients(model: nn.Module) -> list[torch.Tensor]:
    return [parameter.grad.clone() for parameter in model.parameters()]


def _with_error_at(config: dict, place: str) -> dict:
    return {**config, "feedback": {**config["feedback"], "error_at": place}}


@pytest.mark.parametrize("method", ["dfa", "odfa"])
@pytest.mark.parametrize("error_at", ["output", "tail_input"])
def test_named_points_give_the_update_of_the_segmented_network(config, method, error_at):
    config = _with_error_at(config, error_at)
    torch.manual_seed(0)
    model = FCNN(FCNNConfig(input_dim=12, hidden_dims=[16, 8], output_dim=5))
    inputs, targets = _data()
    segmented = build_method(method, model, config, CPU)
    segmented.compute_gradients(model, inputs, targets, F.cross_entropy)
    expected = _gradients(model)
    model.zero_grad()
    named = build_method(
        method, model, config, CPU, points=["segments.0", "segments.1"], example_inputs=inputs
    )
    named.compute_gradients(model, inputs, targets, F.cross_entropy)
    for want, got in zip(expected, _gradients(model), strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


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


def test_widths_are_per_row_of_the_error():
    model = nn.Sequential(nn.Embedding(20, 6), nn.Linear(6, 4), nn.Linear(4, 20))
    tokens = torch.randint(0, 20, (3, 7))
    assert point_widths(model, ["0", "1"], tokens) == ([6, 4], 20)  # one error per token


def test_a_wrong_path_is_named_with_the_closest_ones():
    with pytest.raises(ValueError, match=r"no module 'segment\.0'; did you mean segments\.0"):
        find_modules(FCNN(FCNNConfig(12, [8], 5)), ["segment.0"])
    with pytest.raises(ValueError, match="example_inputs"):
        build_method("dfa", _chain(), {"feedback": {}}, CPU, points=["1"])


def test_the_error_can_be_taken_at_the_tails_input(config):
    config = _with_error_at(config, "tail_input")
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


# A Hugging Face GPT-2 built from its config (no download): 3 blocks, 32 wide, 64 tokens.
TINY_GPT2 = {"vocab_size": 64, "n_positions": 32, "n_embd": 32, "n_layer": 3, "n_head": 2,
             "bos_token_id": 0, "eos_token_id": 0}  # fmt: skip


def _gpt2_task() -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences that repeat a random 4-token pattern: learnable in a few hundred steps."""
    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 64, (256, 4), generator=generator).repeat(1, 5)[:, :17]
    return tokens[:, :-1], tokens[:, 1:]


def _sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_hugging_face_gpt2_learns_with_bp_dfa_and_odfa(config):
    config = _with_error_at(config, "tail_input")
    inputs, targets = _gpt2_task()
    final = {}
    for name in ("bp", "dfa", "odfa"):
        torch.manual_seed(0)
        model = GPT2LMHeadModel(GPT2Config(**TINY_GPT2))
        points = [f"transformer.h.{index}" for index in range(3)]
        method = build_method(name, model, config, CPU, points=points, example_inputs=inputs[:2])
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        losses = []
        for step in range(200):
            batch = torch.randint(0, 256, (32,), generator=torch.Generator().manual_seed(step))
            optimizer.zero_grad()
            loss = method.compute_gradients(model, inputs[batch], targets[batch], _sequence_loss)
            losses.append(float(loss))
            optimizer.step()
        final[name] = sum(losses[-10:]) / 10
        assert final[name] < 0.85 * losses[0], (name, losses[0], final[name])
    assert final["bp"] < final["dfa"] and final["bp"] < final["odfa"]
