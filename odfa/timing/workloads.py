"""What a benchmark trains: a model of a given size, a fixed random batch and its loss.

The FCNN is Study 3's (tanh, cross-entropy over `outputs` classes); the GPT is the dialogs
study's decoder (next-token cross-entropy) and the ViT the climate study's encoder (per-token
mean squared error), their sizes taken from the config unless given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from odfa.data.climatebench import INPUT_VARIABLES
from odfa.feedback.methods import LossFunction
from odfa.models import FCNN, FCNNConfig
from odfa.models.gpt import GPT, GPTConfig
from odfa.models.vit import ViT, ViTConfig
from odfa.registry import BENCH_MODELS


@dataclass(frozen=True)
class Workload:
    """A model factory (each method trains its own, identically initialised copy), one batch
    of inputs and targets, the loss, and the sizes that describe it."""

    build_model: Callable[[], nn.Module]
    inputs: torch.Tensor
    targets: torch.Tensor
    loss_function: LossFunction
    sizes: dict[str, int]

    @property
    def batch(self) -> int:
        return self.inputs.shape[0]


def _next_token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def fcnn_workload(width: int, depth: int, batch: int, outputs: int) -> Workload:
    """`depth` tanh layers of `width` on a (batch, width) Gaussian batch, `outputs` classes."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(batch, width, generator=generator)
    targets = torch.randint(outputs, (batch,), generator=generator)
    return Workload(
        lambda: FCNN(FCNNConfig(width, [width] * depth, outputs, "tanh")),
        inputs,
        targets,
        F.cross_entropy,
        {"width": width, "depth": depth, "batch": batch, "outputs": outputs},
    )


def gpt_workload(
    config: dict[str, Any], width: int | None, depth: int | None, batch: int | None
) -> Workload:
    """The dialogs GPT (`dialogs.model`, vocabulary `dialogs.tokenizer.vocab_size`) with
    `width` = embedding_dim and `depth` = n_layers when given, on random token ids."""
    dialogs = config["dialogs"]
    settings = {**dialogs["model"], "dropout": 0.0}
    settings["embedding_dim"] = width or settings["embedding_dim"]
    settings["n_layers"] = depth or settings["n_layers"]
    model = GPTConfig(vocab_size=dialogs["tokenizer"]["vocab_size"], **settings)
    batch = batch or dialogs["training"]["batch_size"]
    generator = torch.Generator().manual_seed(0)
    shape = (batch, model.context_length)
    inputs = torch.randint(model.vocab_size, shape, generator=generator)
    targets = torch.randint(model.vocab_size, shape, generator=generator)
    sizes = {
        "width": model.embedding_dim,
        "depth": model.n_layers,
        "batch": batch,
        "heads": model.n_heads,
        "context": model.context_length,
        "vocabulary": model.vocab_size,
    }
    return Workload(lambda: GPT(model), inputs, targets, _next_token_loss, sizes)


def vit_workload(
    config: dict[str, Any], width: int | None, depth: int | None, batch: int | None
) -> Workload:
    """The climate ViT (`climate.models.vit` on the sample grid, `climate.window` years of the
    four forcers in, `climate.variables` out) with `width` = embedding_dim and `depth` =
    n_layers when given, on Gaussian maps."""
    climate = config["climate"]
    settings = {**climate["models"]["vit"], "dropout": 0.0}
    settings["embedding_dim"] = width or settings["embedding_dim"]
    settings["n_layers"] = depth or settings["n_layers"]
    height, map_width = climate["sample"]["n_lat"], climate["sample"]["n_lon"]
    channels = len(INPUT_VARIABLES) * climate["window"]
    model = ViTConfig(channels, len(climate["variables"]), height, map_width, **settings)
    batch = batch or climate["training"]["vit"]["batch_size"]
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(batch, model.in_channels, height, map_width, generator=generator)
    outputs = model.patch_size**2 * model.out_channels
    targets = torch.randn(batch, model.tokens, outputs, generator=generator)
    sizes = {
        "width": model.embedding_dim,
        "depth": model.n_layers,
        "batch": batch,
        "heads": model.n_heads,
        "tokens": model.tokens,
        "outputs": outputs,
    }
    return Workload(lambda: ViT(model), inputs, targets, F.mse_loss, sizes)


def climate_fcnn_workload(config: dict[str, Any], batch: int | None) -> Workload:
    """The climate FCNN (`climate.models.fcnn`): flattened forcing maps of the sample grid in,
    the target maps out, on Gaussian data."""
    climate = config["climate"]
    settings = climate["models"]["fcnn"]
    cells = climate["sample"]["n_lat"] * climate["sample"]["n_lon"]
    inputs_dim = len(INPUT_VARIABLES) * climate["window"] * cells
    outputs_dim = len(climate["variables"]) * cells
    model = FCNNConfig(
        inputs_dim, list(settings["hidden_dims"]), outputs_dim, settings["activation"]
    )
    batch = batch or climate["training"]["fcnn"]["batch_size"]
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(batch, inputs_dim, generator=generator)
    targets = torch.randn(batch, outputs_dim, generator=generator)
    sizes = {"inputs": inputs_dim, "hidden": sum(model.hidden_dims), "outputs": outputs_dim}
    return Workload(lambda: FCNN(model), inputs, targets, F.mse_loss, sizes | {"batch": batch})


def workload(
    config: dict[str, Any],
    model: str,
    width: int | None = None,
    depth: int | None = None,
    batch: int | None = None,
    outputs: int = 10,
) -> Workload:
    """The benchmark workload of `model` (one of BENCH_MODELS)."""
    if model == "fcnn":
        return fcnn_workload(width or 1024, depth or 8, batch or 64, outputs)
    if model == "gpt":
        return gpt_workload(config, width, depth, batch)
    if model == "vit":
        return vit_workload(config, width, depth, batch)
    raise ValueError(f"unknown benchmark model {model!r}; choose one of {BENCH_MODELS}")
