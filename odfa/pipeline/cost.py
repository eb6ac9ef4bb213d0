"""ESTIMATED GPU-hours of a config's jobs, study by study, before running any of them.

Each training step's floating-point operations are counted by torch's FlopCounterMode for one
sample (on the meta device: no memory, no time), then multiplied by the samples the job trains
on, its epochs and replicates; ODFA adds its simulated optics (each frame a real product with
[Re T | Im T]), validation adds its forward passes. The GPU-hours assume ASSUMED_TFLOPS sustained:
an ESTIMATE, not a measurement (memory-bound steps, data loading and checkpoints are not in it;
`odfa bench paper` measures steps on a GPU).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from odfa.data.dialogs import window_count
from odfa.errors import ConfigError
from odfa.feedback.methods import FeedbackSettings, projection_shape
from odfa.feedback.points import inspect_points
from odfa.models import FCNN, FCNNConfig
from odfa.registry import DIALOGS_RUNS, climate_run_name
from odfa.studies.ablation import ablation_sized, resizes_dialogs, variant_names
from odfa.timing.flops import CPU_ATTENTION, step_flops
from odfa.timing.optical_budget import error_rows_per_window
from odfa.timing.paper import climate_training_samples
from odfa.timing.step import TrainingStep
from odfa.timing.workloads import (
    Workload,
    climate_fcnn_workload,
    gpt_workload,
    vit_workload,
)

# The study's GPU (NVIDIA RTX A6000): 38.7 TFLOP/s FP32 peak (NVIDIA's datasheet), half of it
# assumed sustained.
ASSUMED_GPU = "NVIDIA RTX A6000"
PEAK_TFLOPS, ASSUMED_UTILISATION = 38.7, 0.5
ASSUMED_TFLOPS = PEAK_TFLOPS * ASSUMED_UTILISATION
DIGITS_SAMPLES, DIGITS_FEATURES, DIGITS_CLASSES = 1797, 64, 10  # sklearn's bundled digits
FRAMES_PER_ROW = 4  # ODFA: the error's + and - parts, each shown alone and with the anchor
META = torch.device("meta")
COLUMNS = ["study", "job", "jobs", "samples_per_job", "flops_per_job", "estimated_gpu_hours"]


def gpu_hours(flops: float) -> float:
    """ESTIMATED hours of `flops` at ASSUMED_TFLOPS."""
    return flops / (ASSUMED_TFLOPS * 1e12) / 3600


def training_flops(config: dict[str, Any], method: str, work: Workload) -> int:
    """FLOPs of one step of `method` on `work`'s batch (the update's elementwise work is not
    counted, so the optimiser does not matter)."""
    with torch.device("meta"):
        step = TrainingStep(config, method, work, META)
        return step_flops(step)


def forward_flops(work: Workload) -> int:
    """FLOPs of a forward pass of `work`'s batch."""
    with torch.device("meta"):
        model = work.build_model()
    with FlopCounterMode(display=False, custom_mapping=CPU_ATTENTION) as counter:
        model(work.inputs.to(META))
    return counter.get_total_flops()


def optics_flops(config: dict[str, Any], work: Workload) -> int:
    """FLOPs of ODFA's simulated optics for `work`'s batch: each frame a product of n_inputs
    pixels with the (n_inputs, 2 n_outputs) real matrix [Re T | Im T]."""
    feedback = FeedbackSettings.from_settings(config["feedback"])
    with torch.device("meta"):
        model = work.build_model()
    layout = inspect_points(
        model, model.feedback_points, work.inputs.to(META), rows=feedback.error_rows
    )
    n_features, n_outputs = projection_shape(layout, feedback)
    n_inputs = n_features + (config["optics"]["anchor_pixels"] or n_features)
    rows = work.batch
    if work.inputs.ndim == 2 and work.inputs.dtype == torch.long:  # token windows
        rows *= error_rows_per_window(feedback, work.inputs.shape[1])
    return rows * FRAMES_PER_ROW * 2 * n_inputs * 2 * n_outputs


def _digits_workload(config: dict[str, Any]) -> Workload:
    digits = config["digits"]
    model = FCNNConfig(
        DIGITS_FEATURES, list(digits["model"]["hidden_dims"]), DIGITS_CLASSES,
        digits["model"]["activation"],
    )  # fmt: skip
    inputs, labels = torch.zeros(1, DIGITS_FEATURES), torch.zeros(1, dtype=torch.long)
    return Workload(lambda: FCNN(model), inputs, labels, F.cross_entropy, {})


TRANSFORMERS = ("gpt", "vit")  # models of identical blocks: FLOPs linear in their depth


class ModelFlops:
    """FLOPs per sample of the config's study models (`gpt`, `vit`, `fcnn`, `digits`), each
    counted once. A transformer's blocks are identical, so its counts are linear in its depth:
    they are counted at depths 2 and 3 (the least a transformer has: its last block is the
    tail) and extended to the config's depth, exactly and at the cost of a three-block
    model."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self._counted: dict[tuple[str, str], int] = {}

    def workload(self, model: str, depth: int | None = None) -> Workload:
        """A batch of one sample of `model` (a transformer with `depth` blocks when given)."""
        if model == "gpt":
            return gpt_workload(self.config, None, depth, 1)
        if model == "vit":
            return vit_workload(self.config, None, depth, 1)
        if model == "fcnn":
            return climate_fcnn_workload(self.config, 1)
        return _digits_workload(self.config)

    def training(self, model: str, method: str) -> int:
        """One sample's training step of `method` (ODFA with its simulated optics)."""
        if method == "odfa":  # DFA's step, and the simulated optics
            return self.training(model, "dfa") + self._count(
                model, "optics", lambda: optics_flops(self.config, self.workload(model))
            )
        return self._count_by_depth(
            model,
            method,
            lambda depth: training_flops(self.config, method, self.workload(model, depth)),
        )

    def forward(self, model: str) -> int:
        """One sample's forward pass (a validation)."""
        return self._count_by_depth(
            model, "forward", lambda depth: forward_flops(self.workload(model, depth))
        )

    def _count_by_depth(self, model: str, what: str, count: Callable[[int | None], int]) -> int:
        if model not in TRANSFORMERS:
            return self._count(model, what, lambda: count(None))

        def extended() -> int:
            two, three = count(2), count(3)
            return two + (self.workload(model).sizes["depth"] - 2) * (three - two)

        return self._count(model, what, extended)

    def _count(self, model: str, what: str, count: Callable[[], int]) -> int:
        if (model, what) not in self._counted:
            self._counted[model, what] = count()
        return self._counted[model, what]


def _job(study: str, job: str, jobs: int, samples: int, flops: float) -> dict[str, Any]:
    return {
        "study": study,
        "job": job,
        "jobs": jobs,
        "samples_per_job": samples,
        "flops_per_job": flops,
        "estimated_gpu_hours": jobs * gpu_hours(flops),
    }


def _dialogs_run_flops(counts: ModelFlops, run: str) -> tuple[int, float]:
    """(training samples seen, FLOPs) of one dialogs run: training and its validations."""
    dialogs = counts.config["dialogs"]
    if dialogs["train_tokens"] is None:
        raise ConfigError(
            "dialogs.train_tokens is null: the corpus size is known after preparation; set it "
            "to estimate the dialogs study's cost"
        )
    training = dialogs["bp_star_training" if run == "bp_star" else "training"]
    windows = window_count(
        dialogs["train_tokens"], dialogs["model"]["context_length"], dialogs["window_stride"]
    )
    samples = training["epochs"] * windows
    steps = training["epochs"] * math.ceil(windows / training["batch_size"])
    validations = steps // training["eval_every"] + 1
    evaluation = validations * dialogs["validation_sequences"] * counts.forward("gpt")
    return samples, samples * counts.training("gpt", DIALOGS_RUNS[run]) + evaluation


def dialogs_jobs(counts: ModelFlops) -> Iterator[dict[str, Any]]:
    dialogs = counts.config["dialogs"]
    for run in dialogs["methods"]:
        samples, flops = _dialogs_run_flops(counts, run)
        yield _job("dialogs", f"train {run}", dialogs["replicates"], samples, flops)


def climate_jobs(counts: ModelFlops) -> Iterator[dict[str, Any]]:
    climate = counts.config["climate"]
    for model in climate["models"]:
        samples = climate["training"][model]["epochs"] * climate_training_samples(climate["window"])
        for method in climate["methods"]:
            flops = samples * counts.training(model, method)
            name = f"train {climate_run_name(model, method)}"
            yield _job("climate", name, climate["replicates"], samples, flops)


def _digits_run(counts: ModelFlops, method: str) -> tuple[int, float]:
    digits = counts.config["digits"]
    samples = digits["training"]["epochs"] * round(DIGITS_SAMPLES * (1 - digits["test_fraction"]))
    return samples, samples * counts.training("digits", method)


def digits_jobs(counts: ModelFlops) -> Iterator[dict[str, Any]]:
    digits = counts.config["digits"]
    for method in digits["methods"]:
        samples, flops = _digits_run(counts, method)
        yield _job("digits", f"train {method}", digits["replicates"], samples, flops)


def ablation_jobs(counts: ModelFlops) -> Iterator[dict[str, Any]]:
    """Every variant's replicates: the study's ODFA run (dialogs: at the ablation's own size)."""
    ablation = counts.config["ablation"]
    jobs = len(variant_names(ablation)) * ablation["replicates"]
    sized = ModelFlops(ablation_sized(counts.config)) if resizes_dialogs(ablation) else counts
    for study in ablation["studies"]:
        run = (
            _dialogs_run_flops(sized, "odfa") if study == "dialogs" else _digits_run(counts, "odfa")
        )
        yield _job("ablation", f"train {study} odfa", jobs, *run)


def scaling_jobs(counts: ModelFlops) -> Iterator[dict[str, Any]]:
    """The sweep (one job): every point's warm-up and timed steps, at 6 FLOPs per weight per
    sample (forward, and both backward products) for every method: its steps are small, so the
    estimate is a floor (the study's batch-of-one steps are memory-bound)."""
    settings = counts.config["scaling"]
    steps = (settings["warmup"] + settings["repeats"]) * len(settings["methods"])
    flops = 0
    for width in settings["widths"]:
        for depth in settings["depths"]:
            outputs = settings["outputs"] or width
            weights = depth * (width * width + width) + width * outputs + outputs
            flops += 6 * weights * settings["batch"] * steps
    yield _job("scaling", "sweep", 1, 0, flops)


STUDIES = {
    "digits": digits_jobs,
    "dialogs": dialogs_jobs,
    "climate": climate_jobs,
    "ablation": ablation_jobs,
    "scaling": scaling_jobs,
}


def study_totals(cost: pd.DataFrame) -> pd.Series:
    """ESTIMATED GPU-hours of each study (in the order of STUDIES) and their total."""
    totals = cost.groupby("study", sort=False)["estimated_gpu_hours"].sum()
    return pd.concat([totals, pd.Series({"total": totals.sum()})])


def estimate_notice(config: dict[str, Any]) -> str:
    """The dry run's line where an estimate can be made: each study's ESTIMATED GPU-hours."""
    totals = study_totals(estimate_cost(config))
    hours = ", ".join(f"{study} {value:.3g}" for study, value in totals.items())
    return (
        f"odfa: ESTIMATED GPU-hours of this config's jobs ({ASSUMED_UTILISATION:.0%} of an "
        f"{ASSUMED_GPU}'s {PEAK_TFLOPS:g} TFLOP/s FP32): {hours}; details: `odfa pipeline cost`"
    )


def estimate_cost(config: dict[str, Any]) -> pd.DataFrame:
    """One row per kind of training job: how many, samples and FLOPs each, ESTIMATED GPU-hours
    of all of them (see the module docstring)."""
    counts = ModelFlops(config)
    rows = [row for jobs in STUDIES.values() for row in jobs(counts)]
    return pd.DataFrame(rows, columns=COLUMNS)
