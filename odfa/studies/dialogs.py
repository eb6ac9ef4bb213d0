"""Study 1: a GPT-like Transformer on movie dialogues trained with BP, BP*, DFA, ODFA and SHLW."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from odfa.data.dialogs import UTTERANCE_END, decode, encode_text, window_count
from odfa.data.prepared import load_tokens
from odfa.errors import ConfigError, DataError
from odfa.feedback.methods import TrainingMethod
from odfa.io import atomic_output, milestone_file_name, write_json
from odfa.models import parameter_count
from odfa.models.gpt import GPT, GPTConfig
from odfa.registry import DIALOGS_RUNS, dialogs_training_section
from odfa.studies.training_job import TrainingJob, run_training_job
from odfa.train import Evaluator, TrainingConfig, TrainingResult, use_threads

DATA_FILES = ("train.npy", "validation.npy", "report.json", "tokenizer.model")
EVALUATION_BATCH = 256


def token_sequences(
    tokens: np.ndarray, context_length: int, stride: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a token stream into (inputs, next-token targets) windows of `context_length`, one
    starting every `stride` tokens (None: `context_length`, windows side by side; 1: a window at
    every token). The windows are views of one stream: overlap costs no memory."""
    stride = context_length if stride is None else stride
    if stride < 1:
        raise ConfigError(f"dialogs.window_stride must be >= 1; got {stride}")
    if window_count(len(tokens), context_length, stride) < 1:
        raise DataError(
            f"{len(tokens)} tokens cannot fill one sequence of context length {context_length}"
        )
    stream = torch.from_numpy(tokens.astype(np.int64))
    inputs = stream[:-1].unfold(0, context_length, stride)  # (windows, context_length)
    targets = stream[1:].unfold(0, context_length, stride)
    return inputs, targets


def sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy over every position: logits (B, T, V), targets (B, T)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def model_config(dialogs: Mapping[str, Any], data_dir: Path) -> GPTConfig:
    """The GPT of the `dialogs` section, over the prepared corpus's vocabulary."""
    return GPTConfig(vocab_size=_vocab_size(data_dir), **dialogs["model"])


def training_config(dialogs: Mapping[str, Any], run: str) -> TrainingConfig:
    """A run's training settings from the `dialogs` section: BP* uses its own tuned ones, every
    other run shares the ODFA-adopted ones. Every run keeps its model at the study's
    milestones."""
    section = dialogs_training_section(run)
    if dialogs[section].get("milestones"):
        raise ConfigError(
            f"dialogs.{section}.milestones: the milestones of Study 1 are set once for all runs, "
            "in dialogs.milestones"
        )
    return TrainingConfig.from_settings(dialogs[section] | {"milestones": dialogs["milestones"]})


def _vocab_size(data_dir: Path) -> int:
    return json.loads((data_dir / "report.json").read_text())["vocab_size"]


def validation_loss(inputs: torch.Tensor, targets: torch.Tensor) -> Evaluator:
    """An evaluator: mean validation loss (and perplexity) of a model, in batches."""

    def evaluate(model: nn.Module) -> dict[str, float]:
        device = next(model.parameters()).device
        total, count = 0.0, 0
        for start in range(0, len(inputs), EVALUATION_BATCH):
            batch_inputs = inputs[start : start + EVALUATION_BATCH].to(device)
            batch_targets = targets[start : start + EVALUATION_BATCH].to(device)
            total += float(sequence_loss(model(batch_inputs), batch_targets)) * len(batch_inputs)
            count += len(batch_inputs)
        return {"validation_loss": total / count}

    return evaluate


def train_dialogs(
    config: dict[str, Any],
    run: str,
    replicate: int,
    data_dir: str | Path,
    out_dir: str | Path,
    identity: Mapping[str, Any],
) -> dict[str, float]:
    """Train one replicate of one run (bp, bp_star, dfa, odfa or shallow); write
    `out_dir/metrics.json`.

    `config` needs the settings of the `dialogs_train` stage only, with the replicate's seeds
    (`odfa.pipeline.stages.restricted_config`).
    `identity` is the run's provenance (`odfa.pipeline.identity.run_identity`): the trainer
    digests it into the fingerprint a checkpoint must carry, and the metrics carry it.
    """
    prepare = functools.partial(_job, config["dialogs"], run, Path(data_dir))
    return run_training_job(config, DIALOGS_RUNS[run], prepare, out_dir, identity)


def _job(settings: Mapping[str, Any], run: str, data_dir: Path) -> TrainingJob:
    """The GPT on the training windows, evaluated on the validation windows as it trains;
    final losses, perplexity and throughput after."""
    gpt = model_config(settings, data_dir)
    train_set = token_sequences(
        load_tokens(data_dir / "train.npy", gpt.vocab_size),
        gpt.context_length,
        settings["window_stride"],
    )
    validation_inputs, validation_targets = token_sequences(
        load_tokens(data_dir / "validation.npy", gpt.vocab_size), gpt.context_length
    )
    limit = settings["validation_sequences"]
    evaluate = validation_loss(validation_inputs[:limit], validation_targets[:limit])
    training = training_config(settings, run)

    def report(model: nn.Module, method: TrainingMethod, result: TrainingResult) -> dict:
        validation = result.log["validation_loss"].dropna()
        tokens = train_set[0].numel() * training.epochs
        return {
            "final_train_loss": float(result.log["loss"].tail(10).mean()),
            "final_validation_loss": float(validation.iloc[-1]),
            "final_validation_perplexity": math.exp(float(validation.iloc[-1])),
            "tokens_per_second": tokens / result.measured_seconds,
            "steps": result.steps,
            "measured_seconds": result.measured_seconds,
            "parameters": parameter_count(model.parameters()),
            "trained_parameters": parameter_count(method.trainable_parameters(model)),
            **method.summary_fields(),
        }

    return TrainingJob(training, lambda: (GPT(gpt), train_set), sequence_loss, report, evaluate)


def _load_model(gpt: GPTConfig, path: Path) -> GPT:
    """A GPT with the weights of a milestone checkpoint or of a final `model.pt`."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = GPT(gpt)
    model.load_state_dict(state.get("model", state))
    return model.eval()


def evaluate_dialogs(
    config: dict[str, Any], run: str, data_dir: str | Path, run_dir: str | Path
) -> dict[str, Any]:
    """Samples from the prompt at each milestone, and the prompt's attention at the end.

    Writes `run_dir/samples.json` ({"<percent>": text}) and `run_dir/attention.npz`
    (the attention averaged over layers and heads, with the prompt's token labels).
    """
    use_threads(config["threads"])
    settings, data_dir, run_dir = config["dialogs"], Path(data_dir), Path(run_dir)
    generation = settings["generation"]
    tokenizer = data_dir / "tokenizer.model"
    gpt = model_config(settings, data_dir)
    prompt = torch.tensor([encode_text(generation["prompt"] + UTTERANCE_END, tokenizer)])
    samples = {}
    for fraction in settings["milestones"]:
        percent = round(100 * fraction)
        checkpoint = run_dir / "milestones" / milestone_file_name(fraction)
        model = _load_model(gpt, checkpoint)
        generator = torch.Generator().manual_seed(generation["seed"])
        ids = model.generate(prompt, generation["new_tokens"], generation["temperature"], generator)
        samples[str(percent)] = {
            "prompt": decode(prompt[0].tolist(), tokenizer),
            "generated": decode(ids[0, prompt.shape[1] :].tolist(), tokenizer),
        }
    write_json(run_dir / "samples.json", samples)
    context = prompt[:, : gpt.context_length]
    final = _load_model(gpt, run_dir / "model.pt")
    attention = final.attention_maps(context).mean(dim=(0, 1, 2))  # (T, T) over layers, heads
    labels = [decode([token], tokenizer) for token in context[0].tolist()]
    with atomic_output(run_dir / "attention.npz", "wb") as handle:
        np.savez(handle, attention=attention.numpy(), tokens=np.array(labels))
    return samples
