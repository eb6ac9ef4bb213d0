"""One training loop for every study and method: logging, checkpoints, resume, clear stops."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from threadpoolctl import threadpool_limits
from torch import nn
from tqdm import tqdm

from odfa import distributed
from odfa.config import validate_section
from odfa.errors import DivergingLossError, NonFiniteLossError
from odfa.feedback.alignment import gradient_alignment, parameter_norms, sample_alignment
from odfa.feedback.methods import DirectFeedbackAlignment, LossFunction, TrainingMethod
from odfa.io import atomic_output, milestone_file_name, writable_folder

Evaluator = Callable[[nn.Module], dict[str, float]]


@dataclass(frozen=True)
class TrainingConfig:
    """A study's training settings, built by `from_settings` from a `training` section checked
    against the config schema (which holds every default and bound)."""

    epochs: int
    batch_size: int
    optimizer: str
    learning_rate: float
    momentum: float
    weight_decay: float
    schedule: str
    warmup_steps: int
    grad_clip: float | None
    checkpoint_every: int
    alignment_every: int
    alignment_samples: int
    eval_every: int
    milestones: tuple[float, ...]
    seed: int
    divergence_factor: float | None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> TrainingConfig:
        """From a `training` section: validated, with the schema's defaults filled in."""
        checked = validate_section(settings, "training", source="training")
        return cls(**checked | {"milestones": tuple(checked["milestones"])})


@dataclass(frozen=True)
class TrainingResult:
    steps: int
    final_loss: float
    measured_seconds: float
    log: pd.DataFrame
    fingerprint: str


def use_threads(count: int) -> None:
    """Run torch and the BLAS libraries on `count` CPU threads for the rest of the process.

    Float sums depend on the thread count, so each command sets it from its settings instead
    of inheriting whatever its launcher (Snakemake, dvc repro, a SLURM job) left in OMP_NUM_THREADS.
    """
    torch.set_num_threads(count)
    threadpool_limits(count)


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when available, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def training_device(name: str) -> torch.device:
    """The device this process trains on: `resolve_device(name)`, or under torchrun this
    rank's (its process group joined, see `odfa.distributed.start`)."""
    return distributed.start(resolve_device(name))


def _optimizer(
    parameters: list[torch.nn.Parameter], config: TrainingConfig
) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            parameters,
            lr=config.learning_rate,
            momentum=config.momentum,
            weight_decay=config.weight_decay,
        )
    return torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)


def _schedule(
    optimizer: torch.optim.Optimizer, config: TrainingConfig, total_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < config.warmup_steps:
            return (step + 1) / config.warmup_steps
        if config.schedule == "cosine":
            progress = (step - config.warmup_steps) / max(1, total_steps - config.warmup_steps)
            return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
        return 1.0

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _epoch_order(size: int, seed: int, epoch: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(size, generator=generator)


def _save(path: Path, state: dict[str, Any]) -> None:
    with atomic_output(path, "wb") as handle:
        torch.save(state, handle)


def _write_log(path: Path, rows: list[dict[str, float]]) -> None:
    with atomic_output(path) as handle:
        pd.DataFrame(rows).to_csv(handle, index=False)


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_fingerprint(
    config: TrainingConfig, method: TrainingMethod, samples: int, identity: Mapping[str, Any]
) -> str:
    """The digest a checkpoint must carry to be resumed: training settings, method, data size
    and the run's identity (settings, input digests and code of the stage that trains)."""
    content = {
        "training": dataclasses.asdict(config),
        "method": method.name,
        "samples": samples,
        "identity": identity,
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


SET_ASIDE = "checkpoints-set-aside"  # beside checkpoints/: other experiments', by fingerprint
SET_ASIDE_KEPT = 3  # the most recently set aside experiments kept; older ones are deleted
FINISHED = "finished"  # in checkpoints/: the run wrote every output (see `mark_finished`)


def _set_aside(checkpoints: Path, fingerprint: str) -> Path:
    """Move another experiment's checkpoints to SET_ASIDE/<fingerprint>, keeping the further
    advanced of two of one fingerprint, and the SET_ASIDE_KEPT most recently set aside."""
    shelf = checkpoints.with_name(SET_ASIDE)
    destination = shelf / fingerprint
    if destination.exists() and _step(destination) > _step(checkpoints):
        shutil.rmtree(checkpoints)
    else:
        shutil.rmtree(destination, ignore_errors=True)
        shelf.mkdir(exist_ok=True)
        checkpoints.rename(destination)
        os.utime(destination)  # its time of setting aside orders the shelf
    kept = sorted(shelf.iterdir(), key=lambda folder: folder.stat().st_mtime, reverse=True)
    for folder in kept[SET_ASIDE_KEPT:]:
        shutil.rmtree(folder)
        print(
            f"deleted {folder}: only {SET_ASIDE_KEPT} experiments are kept set aside",
            file=sys.stderr,
        )
    return destination


def _step(checkpoints: Path) -> int:
    """The step of `checkpoints/last.pt` (-1 without one)."""
    path = checkpoints / "last.pt"
    return torch.load(path, map_location="cpu", weights_only=False)["step"] if path.exists() else -1


def _restore(checkpoints: Path, fingerprint: str) -> bool:
    """Bring this experiment's set-aside checkpoints back into `checkpoints` (resumed, even if
    finished: its outputs are then written again without training); whether there were any."""
    kept = checkpoints.with_name(SET_ASIDE) / fingerprint
    if not (kept / "last.pt").exists():
        return False
    kept.rename(checkpoints)
    (checkpoints / FINISHED).unlink(missing_ok=True)
    print(f"found this experiment's checkpoints set aside in {kept}: restored", file=sys.stderr)
    return True


def mark_finished(out_dir: str | Path) -> None:
    """Record that the run in `out_dir` wrote every output: a run of it again (a forced rerun)
    trains afresh, where a run killed before this resumes from its last checkpoint."""
    if distributed.is_main():
        (Path(out_dir) / "checkpoints" / FINISHED).touch()


def _publish(source: Path, destination: Path) -> None:
    """Place `source` at `destination` (a hard link where the file system allows, else a copy)."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)


def _progress_bar(total: int, initial: int, name: str, enabled: bool) -> tqdm:
    """A progress bar that redraws often on a terminal and every 30 s in a log file."""
    interactive = sys.stderr.isatty()
    return tqdm(
        total=total,
        initial=initial,
        desc=name,
        disable=not enabled,
        mininterval=0.1 if interactive else 30.0,
        maxinterval=10.0 if interactive else 300.0,
    )


def _resumable_state(
    checkpoints: Path, fingerprint: str, device: torch.device
) -> dict[str, Any] | None:
    """The last checkpoint of this experiment, from `checkpoints` or restored from those set
    aside; None to train afresh: after a finished run (a forced rerun), or with another
    experiment's checkpoints (set aside). Milestones that have no last.pt (a run killed at its
    start) are removed."""
    checkpoint_path = checkpoints / "last.pt"
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
        found = state.get("fingerprint", "unknown")
        if found == fingerprint and not (checkpoints / FINISHED).exists():
            return state
        if found == fingerprint:
            shutil.rmtree(checkpoints)
            print(
                f"{checkpoints} holds a finished run of this experiment: training afresh (a "
                "rerun of a finished run retrains; a killed run resumes)",
                file=sys.stderr,
            )
            return None
        stale = _set_aside(checkpoints, found)
        print(
            f"{checkpoint_path} belongs to another experiment (fingerprint {found}, this run's "
            f"is {fingerprint}): set aside as {stale}",
            file=sys.stderr,
        )
    shutil.rmtree(checkpoints, ignore_errors=True)
    if _restore(checkpoints, fingerprint):
        return torch.load(checkpoint_path, map_location=device, weights_only=False)
    return None


def _non_finite_advice(inputs: torch.Tensor, targets: torch.Tensor) -> str:
    """What to do about a non-finite loss: fix the data if the batch holds NaN or infinities,
    else tame the optimisation."""
    bad = [
        name
        for name, values in (("inputs", inputs), ("targets", targets))
        if values.is_floating_point() and not bool(torch.isfinite(values).all())
    ]
    if bad:
        return (
            f"The batch's {' and '.join(bad)} hold NaN or infinite values: the data are bad, "
            "not the settings; prepare them again."
        )
    return "The batch's inputs and targets are finite: lower the learning rate or enable grad_clip."


def _share_of(
    loss_function: LossFunction, share: torch.Tensor, batch: torch.Tensor
) -> LossFunction:
    """`loss_function` weighted so that the gradients DistributedDataParallel averages over the
    ranks are those of the global batch's mean loss (itself with one rank)."""
    weight = distributed.world_size() * len(share) / len(batch)
    if weight == 1:
        return loss_function
    return lambda output, targets: loss_function(output, targets) * weight


def _added_over_ranks(
    before: dict[str, float], after: dict[str, float], device: torch.device
) -> dict[str, float]:
    """`before` plus the increments to `after` of every rank."""
    increments = {key: after[key] - before[key] for key in before}
    added = distributed.sum_over_ranks(increments, device)
    return {key: before[key] + added[key] for key in before}


def _finish(
    out_dir: Path,
    rows: list[dict[str, float]],
    model: nn.Module,
    trained: bool,
    milestones: list[float],
) -> None:
    """The log, the model (when trained here or missing) and the published milestones."""
    _write_log(out_dir / "log.csv", rows)  # the orchestrator may have removed it before a rerun
    if trained or not (out_dir / "model.pt").exists():
        _save(out_dir / "model.pt", model.state_dict())
    published = out_dir / "milestones"
    shutil.rmtree(published, ignore_errors=True)
    for fraction in milestones:
        published.mkdir(exist_ok=True)
        name = milestone_file_name(fraction)
        _publish(out_dir / "checkpoints" / name, published / name)


def train(
    model: nn.Module,
    method: TrainingMethod,
    dataset: tuple[torch.Tensor, torch.Tensor],
    loss_function: LossFunction,
    config: TrainingConfig,
    out_dir: str | Path,
    device: torch.device,
    evaluate: Evaluator | None = None,
    progress: bool = True,
    identity: Mapping[str, Any] | None = None,
) -> TrainingResult:
    """Train `model` with `method` on `(inputs, targets)`; resume from `out_dir` if possible.

    Writes `out_dir/log.csv` (one row per step: loss, learning rate, measured step seconds,
    method fields, alignment and evaluation where due), `out_dir/checkpoints/last.pt` every
    `checkpoint_every` steps (for resume), `checkpoints/milestone-XXX.pt` at the requested
    fractions of training (published to `out_dir/milestones/` at the end) and `out_dir/model.pt`.
    Every file is written atomically. A checkpoint resumes only when its fingerprint (see
    `run_fingerprint`; `identity` describes the experiment) matches; otherwise the old
    checkpoints are set aside in `checkpoints-set-aside/<fingerprint>` (and found there again
    when this experiment comes back) and training starts afresh.
    """
    out_dir = writable_folder(out_dir) if distributed.is_main() else Path(out_dir)
    inputs, targets = dataset
    steps_per_epoch = math.ceil(len(inputs) / config.batch_size)
    total_steps = config.epochs * steps_per_epoch
    milestones = {round(fraction * total_steps): fraction for fraction in config.milestones}
    fingerprint = run_fingerprint(config, method, len(inputs), identity or {})

    model.to(device)
    parallel = distributed.world_size() > 1
    if parallel:  # DistributedDataParallel averages the gradients of what trains, nothing else
        trained = {id(parameter) for parameter in method.trainable_parameters(model)}
        for parameter in model.parameters():
            parameter.requires_grad_(id(parameter) in trained)
    forward_model = distributed.wrap(model, device)
    main = distributed.is_main()
    optimizer = _optimizer(method.trainable_parameters(model), config)
    scheduler = _schedule(optimizer, config, total_steps)
    checkpoints = out_dir / "checkpoints"
    checkpoint_path = checkpoints / "last.pt"
    rows: list[dict[str, float]] = []
    start = 0
    state = _resumable_state(checkpoints, fingerprint, device) if main else None
    distributed.barrier()  # rank 0 has set aside another experiment's checkpoints
    if not main and checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        ranks = state["method_ranks"]
        if distributed.rank() < len(ranks):  # a rank new to the run keeps its own fresh state
            method.load_state_dict(ranks[distributed.rank()])
        method.set_totals(state.get("method_totals", method.totals()))
        torch.set_rng_state(state["rng"])
        if state["cuda_rng"]:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        rows, start = state["rows"], state["step"]
        if main:
            print(
                f"resuming from {checkpoint_path} at step {start} of {total_steps} "
                f"(fingerprint {fingerprint})",
                file=sys.stderr,
            )

    def checkpoint(step: int) -> None:
        method_ranks = distributed.gather(method.state_dict())  # every rank takes part
        if not main:
            return
        _write_log(out_dir / "log.csv", rows)
        _save(
            checkpoint_path,
            {
                "fingerprint": fingerprint,
                "step": step,
                "rows": rows,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "method_ranks": method_ranks,  # rank 0's first
                "method_totals": method.totals(),
                "rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
                "initial_norms": initial_norms,
            },
        )

    def save_milestone(step: int) -> None:
        if main and step in milestones:
            state = {"step": step, "model": model.state_dict()}
            _save(checkpoints / milestone_file_name(milestones[step]), state)

    if start == 0:
        save_milestone(0)
    measure_alignment = config.alignment_every > 0 and isinstance(method, DirectFeedbackAlignment)
    parts = method.alignment_parts(model) if measure_alignment else {}
    initial_norms = parameter_norms(parts) if state is None else state["initial_norms"]
    bar = _progress_bar(total_steps, start, method.name, progress and main)
    first_loss = rows[0]["loss"] if rows else None
    order = None
    for step in range(start, total_steps):
        epoch, index = divmod(step, steps_per_epoch)
        if order is None or index == 0:
            order = _epoch_order(len(inputs), config.seed, epoch)
        batch = order[index * config.batch_size : (index + 1) * config.batch_size]
        share = distributed.shard(batch)
        batch_inputs, batch_targets = inputs[share].to(device), targets[share].to(device)

        model.train()
        _synchronise(device)
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        totals = method.totals()
        loss = method.compute_gradients(
            forward_model, batch_inputs, batch_targets, _share_of(loss_function, share, batch)
        )
        if parallel:  # the global batch's loss, and the counts of every rank
            loss = torch.tensor(distributed.sum_over_ranks({"loss": float(loss)}, device)["loss"])
            loss /= distributed.world_size()
            method.set_totals(_added_over_ranks(totals, method.totals(), device))
        if not torch.isfinite(loss):
            checkpoint(step)
            raise NonFiniteLossError(
                f"loss became {float(loss)} at step {step + 1} ({method.name}); the last good "
                f"state is in {checkpoint_path}. " + _non_finite_advice(batch_inputs, batch_targets)
            )
        first_loss = float(loss) if first_loss is None else first_loss
        if config.divergence_factor is not None and (
            float(loss) > config.divergence_factor * abs(first_loss)
        ):
            checkpoint(step)
            raise DivergingLossError(
                f"loss {float(loss):.4g} at step {step + 1} ({method.name}) is more than "
                f"{config.divergence_factor:g} times the first step's {first_loss:.4g}: the run "
                f"diverges. Lower the learning rate or enable grad_clip (training."
                f"divergence_factor: null lets it run on); the last good state is in "
                f"{checkpoint_path}."
            )
        _synchronise(device)
        gradient_seconds = time.perf_counter() - started
        row: dict[str, float] = {"step": step + 1, "epoch": epoch + 1, "loss": float(loss)}
        if main and measure_alignment and (step + 1) % config.alignment_every == 0:
            row |= gradient_alignment(
                model, batch_inputs, batch_targets, loss_function, parts, method.select_output
            )
            row |= sample_alignment(
                model, method, batch_inputs, batch_targets, loss_function, config.alignment_samples
            )
            row |= {
                f"weight_growth_{part}": norm / initial_norms[part]
                for part, norm in parameter_norms(parts).items()
            }
        started = time.perf_counter()
        if config.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(method.trainable_parameters(model), config.grad_clip)
        row["learning_rate"] = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        _synchronise(device)
        row["step_seconds"] = gradient_seconds + time.perf_counter() - started
        row |= method.log_fields()
        last = step + 1 == total_steps
        if (
            main
            and evaluate is not None
            and (last or (config.eval_every and (step + 1) % config.eval_every == 0))
        ):
            model.eval()
            with torch.no_grad():
                row |= evaluate(model)
        rows.append(row)
        save_milestone(step + 1)
        if last or (step + 1) % config.checkpoint_every == 0:
            checkpoint(step + 1)
        bar.set_postfix(loss=f"{row['loss']:.4f}", refresh=False)
        bar.update()
    bar.close()
    if main:
        _finish(out_dir, rows, model, start < total_steps, list(milestones.values()))
    distributed.barrier()  # the outputs are complete before any rank reads them
    log = pd.DataFrame(rows)
    return TrainingResult(
        steps=total_steps,
        final_loss=float(log["loss"].iloc[-1]) if len(log) else float("nan"),
        measured_seconds=float(log["step_seconds"].sum()) if len(log) else 0.0,
        log=log,
        fingerprint=fingerprint,
    )
