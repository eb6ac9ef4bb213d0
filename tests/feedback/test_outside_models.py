"""DFA and ODFA on models no one here wrote: a Hugging Face GPT-2 and a torchvision-style ResNet,
with every feedback placement the literature uses."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from odfa.data.digits import load_digits_split
from odfa.feedback import build_method

CPU = torch.device("cpu")

# A Hugging Face GPT-2 built from its config (no download): 3 blocks, 32 wide, 64 tokens.
TINY_GPT2 = {"vocab_size": 64, "n_positions": 32, "n_embd": 32, "n_layer": 3, "n_head": 2,
             "bos_token_id": 0, "eos_token_id": 0}  # fmt: skip


def _tiny_gpt2() -> torch.nn.Module:
    """A small Hugging Face GPT-2 (transformers imported here: seconds that no other test of a
    pytest-xdist worker needs)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2LMHeadModel(GPT2Config(**TINY_GPT2))


def _with_feedback(config: dict, **settings: object) -> dict:
    return {**config, "feedback": {**config["feedback"], **settings}}


def _gpt2_task() -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences that repeat a random 4-token pattern: learnable in a few hundred steps."""
    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 64, (256, 4), generator=generator).repeat(1, 5)[:, :17]
    return tokens[:, :-1], tokens[:, 1:]


def _sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


def _train(method, model, inputs, targets, loss, steps: int, batch: int, lr: float) -> list[float]:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        rows = torch.randint(
            0, len(inputs), (batch,), generator=torch.Generator().manual_seed(step)
        )
        optimizer.zero_grad()
        losses.append(float(method.compute_gradients(model, inputs[rows], targets[rows], loss)))
        optimizer.step()
    return losses


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_hugging_face_gpt2_learns_with_bp_dfa_and_odfa(config):
    config = _with_feedback(config, error_at="tail_input")
    inputs, targets = _gpt2_task()
    final = {}
    for name in ("bp", "dfa", "odfa"):
        torch.manual_seed(0)
        model = _tiny_gpt2()
        points = [f"transformer.h.{index}" for index in range(3)]
        method = build_method(name, model, config, CPU, inputs[:2], points)
        losses = _train(method, model, inputs, targets, _sequence_loss, 200, 32, 3e-3)
        final[name] = sum(losses[-10:]) / 10
        assert final[name] < 0.85 * losses[0], (name, losses[0], final[name])
    assert final["bp"] < final["dfa"] and final["bp"] < final["odfa"]


GPT2_PLACEMENTS = {  # points, width of each (d_model 32, d_ff 128), is the last block in the tail
    "blocks, last by BP": (["transformer.h.0", "transformer.h.1"], [32, 32], True),
    "blocks, last by DFA": ([f"transformer.h.{i}" for i in range(3)], [32, 32, 32], False),
    "sublayers": (
        [f"transformer.h.{i}.{part}" for i in range(2) for part in ("attn", "mlp")],
        [32] * 4,
        True,
    ),
    "inside the MLP": (["transformer.h.0.mlp.act", "transformer.h.1.mlp.act"], [128, 128], True),
    "embedding": (["transformer.drop", "transformer.h.0", "transformer.h.1"], [32] * 3, True),
}


@pytest.mark.filterwarnings("ignore:feedback point")  # sublayers: the residual skips them
@pytest.mark.parametrize("placement", list(GPT2_PLACEMENTS))
@pytest.mark.parametrize("shared", [True, False])
def test_every_gpt2_placement_trains_its_points_and_tail(config, placement, shared):
    points, widths, last_block_in_tail = GPT2_PLACEMENTS[placement]
    inputs, targets = _gpt2_task()
    torch.manual_seed(0)
    model = _tiny_gpt2()
    config = _with_feedback(config, shared_matrix=shared)
    method = build_method("dfa", model, config, CPU, inputs[:2], points)
    assert method.layout.widths == widths
    assert method.projector.matrix.shape == (64, max(widths) if shared else sum(widths))
    tail = set(method.layout.tail_parameters)
    assert {"transformer.ln_f.weight", "transformer.wte.weight"} <= tail  # head tied to wte
    assert ("transformer.h.2.mlp.c_fc.weight" in tail) == last_block_in_tail
    method.compute_gradients(model, inputs[:8], targets[:8], _sequence_loss)
    for part in method.layout.point_parameters:
        assert part and all(model.get_parameter(name).grad.abs().sum() > 0 for name in part)
    assert all(model.get_parameter(name).grad is not None for name in tail)


class BasicBlock(nn.Module):
    """torchvision's ResNet basic block: two 3x3 convolutions with batch norm, plus a shortcut."""

    def __init__(self, channels_in: int, channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = (
            nn.Sequential(
                nn.Conv2d(channels_in, channels, 1, stride, bias=False), nn.BatchNorm2d(channels)
            )
            if stride != 1 or channels_in != channels
            else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.downsample(x))


class ResNet(nn.Module):
    """A small torchvision-style ResNet for 8 x 8 digit images: stem, two stages, pooled head."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 16, 1))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32, 1))
        self.fc = nn.Linear(32, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(images)))  # (B, 16, 8, 8)
        x = self.layer2(self.layer1(x))  # (B, 32, 4, 4)
        return self.fc(x.mean(dim=(2, 3)))


RESNET_POINTS = ["layer1.0", "layer1.1", "layer2.0"]  # the last block and the head are the tail


@pytest.mark.slow
@pytest.mark.parametrize("feature_maps", ["per_position", "pooled"])
def test_a_resnet_learns_digits_with_dfa_and_odfa(config, feature_maps):
    split = load_digits_split(0.2, 0)
    images = split.train_inputs.view(-1, 1, 8, 8)
    config = _with_feedback(config, feature_maps=feature_maps)
    for name in ("dfa", "odfa"):
        torch.manual_seed(0)
        model = ResNet()
        method = build_method(name, model, config, CPU, images[:2], RESNET_POINTS)
        widths = [16 * 64, 16 * 64, 32 * 16] if feature_maps == "per_position" else [16, 16, 32]
        assert method.layout.widths == widths
        losses = _train(method, model, images, split.train_labels, F.cross_entropy, 150, 64, 3e-3)
        assert sum(losses[-10:]) / 10 < 0.5 * losses[0], (name, losses[0], losses[-10:])
        model.eval()
        with torch.no_grad():
            predictions = model(split.test_inputs.view(-1, 1, 8, 8)).argmax(dim=1)
        assert float((predictions == split.test_labels).float().mean()) > 0.5, name


class SmallCNN(nn.Module):
    """A plain ReLU CNN for 8 x 8 digits: conv-pool, conv, a dense layer, a head."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.dense = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 32), nn.ReLU())
        self.head = nn.Linear(32, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.dense(self.conv2(self.conv1(images))))  # (B, 10)


ODFA_MARGIN = 0.1  # ODFA's test accuracy on the small ReLU CNN is at most this far below DFA's


def test_odfa_trains_a_small_relu_cnn_within_a_margin_of_dfa(config):
    """Ternarisation drops the error's mean; unrestored, every sample's signal shares one
    direction and the ReLU activations grow until the loss rises (test accuracy ~0.1-0.6)."""
    split = load_digits_split(0.2, 0)
    images = split.train_inputs.view(-1, 1, 8, 8)
    accuracy = {}
    for name in ("dfa", "odfa"):
        torch.manual_seed(0)
        model = SmallCNN()
        method = build_method(name, model, config, CPU, images[:2], ["conv1", "conv2", "dense"])
        _train(method, model, images, split.train_labels, F.cross_entropy, 200, 32, 1e-3)
        with torch.no_grad():
            predictions = model(split.test_inputs.view(-1, 1, 8, 8)).argmax(dim=1)
        accuracy[name] = float((predictions == split.test_labels).float().mean())
    assert accuracy["dfa"] > 0.7, accuracy  # the task is learnt at all
    assert accuracy["odfa"] > accuracy["dfa"] - ODFA_MARGIN, accuracy
