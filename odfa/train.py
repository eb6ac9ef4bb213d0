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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
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


def _steps_per_epoch(samples: int, config: TrainingConfig) -> int:
    return math.ceil(samples / config.batch_size)


def _batches(
    samples: int, config: TrainingConfig, start: int
) -> Iterator[tuple[int, int, torch.Tensor]]:
    """The step, epoch and sample indices of every global batch from step `start` on; each
    epoch visits the samples in its own seeded order (its own generator, not torch's)."""
    steps_per_epoch = _steps_per_epoch(samples, config)
    order = None
    for step in range(start, config.epochs * steps_per_epoch):
        epoch, index = divmod(step, steps_per_epoch)
        if order is None or index == 0:
            order = _epoch_order(samples, config.seed, epoch)
        yield step, epoch, order[index * config.batch_size : (index + 1) * config.batch_size]


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


def _share_of(loss_function: LossFunction, share_size: int, batch_size: int) -> LossFunction:
    """`loss_function` weighted so that the gradients DistributedDataParallel averages over the
    ranks are those of the global batch's mean loss (itself with one rank)."""
    weight = distributed.world_size() * share_size / batch_size
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


def _data_parallel(model: nn.Module, method: TrainingMethod, device: torch.device) -> nn.Module:
    """`model` on `device`, as the forward-backward pass calls it: in DistributedDataParallel
    when several ranks train (see `odfa.distributed.wrap`)."""
    model.to(device)
    if distributed.world_size() > 1:  # DDP averages the gradients of what trains, nothing else
        trained = {id(parameter) for parameter in method.trainable_parameters(model)}
        for parameter in model.parameters():
            parameter.requires_grad_(id(parameter) in trained)
    return distributed.wrap(model, device)


@dataclass
class _Trainer:
    """One run's model, method, optimiser and schedule, and what its checkpoints keep: the log
    rows, the step to start from and the norms that weight growth is measured against."""

    model: nn.Module
    forward_model: nn.Module  # `model`, in DistributedDataParallel when several ranks train
    method: TrainingMethod
    loss_function: LossFunction
    config: TrainingConfig
    device: torch.device
    evaluate: Evaluator | None
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    checkpoints: Path
    fingerprint: str
    total_steps: int
    milestones: dict[int, float]  # the step each requested fraction of training falls on
    measures_alignment: bool
    alignment_parts: dict[str, list[nn.Parameter]]
    rows: list[dict[str, float]] = field(default_factory=list)
    start: int = 0
    initial_norms: dict[str, float] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls,
        model: nn.Module,
        method: TrainingMethod,
        loss_function: LossFunction,
        config: TrainingConfig,
        device: torch.device,
        evaluate: Evaluator | None,
        checkpoints: Path,
        fingerprint: str,
        samples: int,
    ) -> _Trainer:
        """A trainer at step 0: `model` on `device`, its optimiser and learning-rate schedule."""
        total_steps = config.epochs * _steps_per_epoch(samples, config)
        forward_model = _data_parallel(model, method, device)
        optimizer = _optimizer(method.trainable_parameters(model), config)
        measures_alignment = config.alignment_every > 0 and isinstance(
            method, DirectFeedbackAlignment
        )
        return cls(
            model=model,
            forward_model=forward_model,
            method=method,
            loss_function=loss_function,
            config=config,
            device=device,
            evaluate=evaluate,
            optimizer=optimizer,
            scheduler=_schedule(optimizer, config, total_steps),
            checkpoints=checkpoints,
            fingerprint=fingerprint,
            total_steps=total_steps,
            milestones={round(fraction * total_steps): fraction for fraction in config.milestones},
            measures_alignment=measures_alignment,
            alignment_parts=method.alignment_parts(model) if measures_alignment else {},
        )

    @property
    def checkpoint_path(self) -> Path:
        """The checkpoint a run resumes from."""
        return self.checkpoints / "last.pt"

    def restore(self) -> None:
        """Take up this experiment's last checkpoint where there is one (rank 0 chooses it, see
        `_resumable_state`), else start afresh from the model as it is."""
        main = distributed.is_main()
        state = _resumable_state(self.checkpoints, self.fingerprint, self.device) if main else None
        distributed.barrier()  # rank 0 has set aside another experiment's checkpoints
        if not main and self.checkpoint_path.exists():
            state = torch.load(self.checkpoint_path, map_location=self.device, weights_only=False)
        if state is None:
            self.initial_norms = parameter_norms(self.alignment_parts)
            return
        self.load_state(state)
        if main:
            print(
                f"resuming from {self.checkpoint_path} at step {self.start} of {self.total_steps} "
                f"(fingerprint {self.fingerprint})",
                file=sys.stderr,
            )

    def load_state(self, state: dict[str, Any]) -> None:
        """A checkpoint's model, optimiser, schedule, method, random state and log rows."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        ranks = state["method_ranks"]
        if distributed.rank() < len(ranks):  # a rank new to the run keeps its own fresh state
            self.method.load_state_dict(ranks[distributed.rank()])
        self.method.set_totals(state.get("method_totals", self.method.totals()))
        torch.set_rng_state(state["rng"])
        if state["cuda_rng"]:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        self.rows, self.start = state["rows"], state["step"]
        self.initial_norms = state["initial_norms"]

    def train_step(
        self, step: int, epoch: int, inputs: torch.Tensor, targets: torch.Tensor, batch_size: int
    ) -> dict[str, float]:
        """One step on this rank's share (`inputs`, `targets`) of a global batch of `batch_size`:
        the gradients, the alignment due, the update; the step's log row."""
        self.model.train()
        _synchronise(self.device)
        started = time.perf_counter()
        loss = self.forward_backward(step, inputs, targets, batch_size)
        _synchronise(self.device)
        gradient_seconds = time.perf_counter() - started
        row: dict[str, float] = {"step": step + 1, "epoch": epoch + 1, "loss": loss}
        # Alignment reads the gradients before the update uses them, outside the step's timing
        row |= self.alignment(step + 1, inputs, targets)
        started = time.perf_counter()
        row["learning_rate"] = self.update()
        _synchronise(self.device)
        row["step_seconds"] = gradient_seconds + time.perf_counter() - started
        return row | self.method.log_fields()

    def forward_backward(
        self, step: int, inputs: torch.Tensor, targets: torch.Tensor, batch_size: int
    ) -> float:
        """The method's gradients on this rank's share of the batch, and the global batch's
        loss (stopped by `check_loss` when it is bad)."""
        self.optimizer.zero_grad(set_to_none=True)
        totals = self.method.totals()
        loss_function = _share_of(self.loss_function, len(inputs), batch_size)
        loss = self.method.compute_gradients(self.forward_model, inputs, targets, loss_function)
        if distributed.world_size() > 1:  # the global batch's loss, and the counts of every rank
            loss = torch.tensor(
                distributed.sum_over_ranks({"loss": float(loss)}, self.device)["loss"]
            )
            loss /= distributed.world_size()
            self.method.set_totals(_added_over_ranks(totals, self.method.totals(), self.device))
        self.check_loss(step, loss, inputs, targets)
        return float(loss)

    def check_loss(
        self, step: int, loss: torch.Tensor, inputs: torch.Tensor, targets: torch.Tensor
    ) -> None:
        """Stop, after checkpointing the last good state, on a loss that is not finite or is
        divergence_factor times the first step's (every rank sees the same global loss)."""
        if not torch.isfinite(loss):
            self.checkpoint(step)
            raise NonFiniteLossError(
                f"loss became {float(loss)} at step {step + 1} ({self.method.name}); the last good "
                f"state is in {self.checkpoint_path}. " + _non_finite_advice(inputs, targets)
            )
        first_loss = self.rows[0]["loss"] if self.rows else float(loss)
        factor = self.config.divergence_factor
        if factor is not None and float(loss) > factor * abs(first_loss):
            self.checkpoint(step)
            raise DivergingLossError(
                f"loss {float(loss):.4g} at step {step + 1} ({self.method.name}) is more than "
                f"{factor:g} times the first step's {first_loss:.4g}: the run diverges. Lower the "
                f"learning rate or enable grad_clip (training.divergence_factor: null lets it run "
                f"on); the last good state is in {self.checkpoint_path}."
            )

    def update(self) -> float:
        """Clip the gradients, step the optimiser and the schedule; the learning rate used."""
        if self.config.grad_clip is not None:
            parameters = self.method.trainable_parameters(self.model)
            torch.nn.utils.clip_grad_norm_(parameters, self.config.grad_clip)
        learning_rate = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        return learning_rate

    def alignment(self, step: int, inputs: torch.Tensor, targets: torch.Tensor) -> dict[str, float]:
        """Every alignment_every steps (rank 0): how the gradients in `.grad` align with BP's,
        on the batch and per sample, and how far each part's weights grew since step 0."""
        due = self.measures_alignment and step % self.config.alignment_every == 0
        if not (distributed.is_main() and due):
            return {}
        model, parts, loss_function = self.model, self.alignment_parts, self.loss_function
        measures = gradient_alignment(
            model, inputs, targets, loss_function, parts, self.method.select_output
        )
        measures |= sample_alignment(
            model, self.method, inputs, targets, loss_function, self.config.alignment_samples
        )
        growth = parameter_norms(parts)
        return measures | {
            f"weight_growth_{part}": norm / self.initial_norms[part]
            for part, norm in growth.items()
        }

    def evaluation(self, step: int) -> dict[str, float]:
        """The evaluator's measures after `step`, every eval_every steps and at the end (rank 0)."""
        due = step == self.total_steps or (
            self.config.eval_every and step % self.config.eval_every == 0
        )
        if not (distributed.is_main() and self.evaluate is not None and due):
            return {}
        self.model.eval()
        with torch.no_grad():
            return self.evaluate(self.model)

    def save_milestone(self, step: int) -> None:
        """The model at `step` where a requested fraction of training falls (rank 0)."""
        if distributed.is_main() and step in self.milestones:
            name = milestone_file_name(self.milestones[step])
            _save(self.checkpoints / name, {"step": step, "model": self.model.state_dict()})

    def checkpoint(self, step: int) -> None:
        """The log so far and everything a run resumes from at `step`; every rank must call it
        (each rank's method state is gathered), rank 0 writes."""
        method_ranks = distributed.gather(self.method.state_dict())
        if not distributed.is_main():
            return
        _write_log(self.checkpoints.parent / "log.csv", self.rows)
        _save(
            self.checkpoint_path,
            {
                "fingerprint": self.fingerprint,
                "step": step,
                "rows": self.rows,
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "method_ranks": method_ranks,  # rank 0's first
                "method_totals": self.method.totals(),
                "rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else [],
                "initial_norms": self.initial_norms,
            },
        )


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
    fingerprint = run_fingerprint(config, method, len(inputs), identity or {})
    trainer = _Trainer.prepare(
        model, method, loss_function, config, device, evaluate, out_dir / "checkpoints",
        fingerprint, len(inputs),
    )  # fmt: skip
    trainer.restore()
    if trainer.start == 0:
        trainer.save_milestone(0)
    bar = _progress_bar(
        trainer.total_steps, trainer.start, method.name, progress and distributed.is_main()
    )
    for step, epoch, batch in _batches(len(inputs), config, trainer.start):
        share = distributed.shard(batch)  # this rank's part of the global batch
        batch_inputs, batch_targets = inputs[share].to(device), targets[share].to(device)
        row = trainer.train_step(step, epoch, batch_inputs, batch_targets, len(batch))
        trainer.rows.append(row | trainer.evaluation(step + 1))
        trainer.save_milestone(step + 1)
        if step + 1 == trainer.total_steps or (step + 1) % config.checkpoint_every == 0:
            trainer.checkpoint(step + 1)
        bar.set_postfix(loss=f"{row['loss']:.4f}", refresh=False)
        bar.update()
    bar.close()
    if distributed.is_main():
        trained = trainer.start < trainer.total_steps
        _finish(out_dir, trainer.rows, model, trained, list(trainer.milestones.values()))
    distributed.barrier()  # the outputs are complete before any rank reads them
    return _result(trainer.rows, trainer.total_steps, fingerprint)


def _result(rows: list[dict[str, float]], steps: int, fingerprint: str) -> TrainingResult:
    """What `train` returns: the log of every step, its last loss and measured seconds."""
    log = pd.DataFrame(rows)
    return TrainingResult(
        steps=steps,
        final_loss=float(log["loss"].iloc[-1]) if len(log) else float("nan"),
        measured_seconds=float(log["step_seconds"].sum()) if len(log) else 0.0,
        log=log,
        fingerprint=fingerprint,
    )
