"""The settings and the code each stage of the pipeline reads: one table for both orchestrators.

Snakemake passes a stage's settings as its params and its code files as inputs, the generated
dvc.yaml lists the same keys as params and the same files as deps, the `odfa` command of the
stage sees only these settings, and a training run's fingerprint is made of them. So a changed
value or module reruns exactly the stages that read it, in either tool.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from odfa.pipeline.code import code_digest
from odfa.registry import DIALOGS_RUNS, METHODS, check_method, dialogs_training_section
from odfa.replicates import replicate_config

Wildcards = Mapping[str, str]


@dataclass(frozen=True)
class Stage:
    """The `odfa` subcommand a stage runs ("group action"), the config keys (dotted, formatted
    with the job's wildcards) and the modules it reads.

    `method` names the training method of a job from its wildcards: its config sections and its
    module join the stage's. A `resumable` stage keeps `checkpoints/` across reruns. A stage
    `replicated` for a study reads the seeds of the job's `replicate` wildcard
    (`odfa.replicates`).
    """

    command: str
    settings: tuple[str, ...]
    modules: tuple[str, ...]
    method: Callable[[Wildcards], str] | None = None
    resumable: bool = False
    replicated: str | None = None


def _method_wildcard(wildcards: Wildcards) -> str:
    return wildcards["method"]


def _dialogs_method(wildcards: Wildcards) -> str:
    return DIALOGS_RUNS[wildcards["run"]]


def _odfa(wildcards: Wildcards) -> str:
    del wildcards
    return "odfa"  # an ablation run changes one optics setting of ODFA


COMPUTE = ("device", "threads")
SWEEP_SETTINGS = ("widths", "depths", "methods", "batch", "outputs", "warmup", "repeats")
PROJECTION_SETTINGS = ("projection_sizes", "batch", "warmup", "repeats")
SCALING_SHARED = ("memory_limit_bytes",)
# What a training run of each study reads (an ablation run of the study reads the same).
DIGITS_TRAINING = (
    *COMPUTE,
    "digits.test_fraction",
    "digits.split_seed",
    "digits.model",
    "digits.training",
)
DIALOGS_TRAINING = (
    *COMPUTE,
    "dialogs.model",
    "dialogs.{training}",
    "dialogs.window_stride",
    "dialogs.milestones",
    "dialogs.validation_sequences",
)
STAGES = {
    "digits_train": Stage(
        "digits train",
        DIGITS_TRAINING,
        ("odfa.studies.digits",),
        _method_wildcard,
        resumable=True,
        replicated="digits",
    ),
    "digits_summary": Stage(
        "digits summarise", ("digits.methods", "digits.replicates"), ("odfa.studies.digits",)
    ),
    "digits_figure": Stage("digits plot", (), ("odfa.figures.digits",)),
    "dialogs_fetch": Stage(
        "dialogs fetch", ("dialogs.source", "dialogs.sample"), ("odfa.studies.dialogs_data",)
    ),
    "dialogs_prepare": Stage(
        "dialogs prepare",
        (
            "dialogs.tokenizer",
            "dialogs.validation_fraction",
            "dialogs.split_seed",
            "dialogs.train_tokens",
        ),
        ("odfa.studies.dialogs_data",),
    ),
    "dialogs_train": Stage(
        "dialogs train",
        DIALOGS_TRAINING,
        ("odfa.studies.dialogs",),
        _dialogs_method,
        resumable=True,
        replicated="dialogs",
    ),
    "dialogs_evaluate": Stage(
        "dialogs evaluate",
        ("threads", "dialogs.model", "dialogs.milestones", "dialogs.generation"),
        ("odfa.studies.dialogs",),
    ),
    "dialogs_summary": Stage(
        "dialogs summarise", ("dialogs.methods", "dialogs.replicates"), ("odfa.studies.dialogs",)
    ),
    "dialogs_figures": Stage(
        "dialogs plot", ("dialogs.methods", "dialogs.replicates"), ("odfa.figures.dialogs",)
    ),
    "climate_fetch": Stage(
        "climate fetch", ("climate.source", "climate.sample"), ("odfa.studies.climate_data",)
    ),
    "climate_prepare": Stage(
        "climate prepare",
        ("climate.grid", "climate.window", "climate.variables"),
        ("odfa.studies.climate_data",),
    ),
    "climate_train": Stage(
        "climate train",
        (*COMPUTE, "climate.models.{model}", "climate.training.{model}"),
        ("odfa.studies.climate",),
        _method_wildcard,
        resumable=True,
        replicated="climate",
    ),
    "climate_score": Stage("climate score", (), ("odfa.studies.climate_scores",)),
    "climate_baseline": Stage("climate baseline", (), ("odfa.studies.pattern_scaling",)),
    "climate_summary": Stage(
        "climate summarise",
        ("climate.methods", "climate.replicates"),
        ("odfa.studies.climate_scores",),
    ),
    "climate_figures": Stage("climate plot", (), ("odfa.figures.climate",)),
    "ablation_digits": Stage(
        "ablation train",
        DIGITS_TRAINING,
        ("odfa.studies.ablation", "odfa.studies.digits"),
        _odfa,
        resumable=True,
        replicated="digits",
    ),
    "ablation_dialogs": Stage(
        "ablation train",
        (*DIALOGS_TRAINING, "ablation.dialogs_model"),
        ("odfa.studies.ablation", "odfa.studies.dialogs"),
        _odfa,
        resumable=True,
        replicated="dialogs",
    ),
    "ablation_summary": Stage("ablation summarise", ("ablation",), ("odfa.studies.ablation",)),
    "ablation_figure": Stage("ablation plot", (), ("odfa.figures.ablation",)),
    "scaling_sweep": Stage(
        "scaling run",
        (
            "device",
            *(f"scaling.{key}" for key in SWEEP_SETTINGS + SCALING_SHARED),
            "feedback",
            "optics",
        ),
        ("odfa.studies.scaling", "odfa.feedback.optical"),
    ),
    "scaling_projections": Stage(
        "scaling projections",
        (
            "device",
            *(f"scaling.{key}" for key in PROJECTION_SETTINGS + SCALING_SHARED),
            "feedback.seed",
            "optics",
        ),
        ("odfa.studies.projections",),
    ),
    "scaling_summary": Stage("scaling summarise", (), ("odfa.studies.scaling_analysis",)),
    "scaling_figures": Stage("scaling plot", (), ("odfa.figures.scaling",)),
    "reproduction": Stage(
        "pipeline scorecard",
        (
            *(f"dialogs.{key}" for key in ("source", "train_tokens", "window_stride", "model")),
            "dialogs.training",
            "dialogs.tokenizer",
            *(f"climate.{key}" for key in ("source", "sample", "models", "training", "window")),
            "climate.variables",
            *(f"scaling.{key}" for key in ("widths", "depths", "batch")),
            "feedback",
            "optics",
        ),
        ("odfa.studies.scorecard",),
    ),
}


def stage(name: str) -> Stage:
    """The stage called `name`, or a clear error."""
    if name not in STAGES:
        raise ValueError(f"unknown pipeline stage {name!r}; the stages are {sorted(STAGES)}")
    return STAGES[name]


def setting_keys(name: str, wildcards: Wildcards) -> list[str]:
    """The dotted config keys the job of stage `name` with `wildcards` reads."""
    definition = stage(name)
    fields = dict(wildcards)
    run = wildcards.get("run", job_method(name, wildcards))  # an ablation's run is ODFA's
    if run in DIALOGS_RUNS:
        fields["training"] = dialogs_training_section(run)
    keys = [key.format(**fields) for key in definition.settings]
    if definition.method is not None:
        keys += check_method(definition.method(wildcards)).sections
    return keys


def job_method(name: str, wildcards: Wildcards) -> str | None:
    """The training method the job of stage `name` runs, None for a stage that trains nothing."""
    definition = stage(name)
    return None if definition.method is None else definition.method(wildcards)


def stage_modules(name: str, wildcards: Wildcards) -> list[str]:
    """The modules the job's command runs (the training method's module included)."""
    return _modules(name, job_method(name, wildcards))


def _modules(name: str, method: str | None) -> list[str]:
    modules = list(stage(name).modules)
    if method is not None:
        modules.append(check_method(method).module)
    return modules


def stage_handlers(name: str) -> tuple[str, ...]:
    """The functions of the `odfa` command that run the stage's subcommand: `_<group>_<action>`
    (a test holds every subcommand of `odfa.cli` to this name)."""
    return ("_" + stage(name).command.replace(" ", "_"),)


def code_key(name: str, wildcards: Wildcards) -> str:
    """The name of the code a job runs: its stage, and the training method where it has one."""
    method = job_method(name, wildcards)
    return name if method is None else f"{name}-{method}"


def code_keys() -> dict[str, tuple[str, str | None]]:
    """Every code key, with its (stage, method)."""
    return {
        name if method is None else f"{name}-{method}": (name, method)
        for name, definition in STAGES.items()
        for method in ([None] if definition.method is None else METHODS)
    }


def key_code_digest(name: str, method: str | None) -> str:
    """The digest of the code stage `name` runs with training `method`: it changes with the
    code's behaviour only."""
    return code_digest(_modules(name, method), stage_handlers(name))


def stage_code_digest(name: str, wildcards: Wildcards) -> str:
    """The digest of the code the job of stage `name` with `wildcards` runs."""
    return key_code_digest(name, job_method(name, wildcards))


def lookup(config: Mapping[str, Any], key: str) -> Any:
    """The value at dotted `key` of `config`."""
    value: Any = config
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"the config has no setting {key!r}")
        value = value[part]
    return value


def stage_settings(config: Mapping[str, Any], name: str, wildcards: Wildcards) -> dict[str, Any]:
    """{dotted key: value}: the settings the job reads from the workflow's `config`, as
    Snakemake's params and DVC's params (a replicate's with its own seeds)."""
    study = stage(name).replicated
    if study is not None:
        config = replicate_config(config, study, wildcards["replicate"])
    return job_settings(config, name, wildcards)


def job_settings(config: Mapping[str, Any], name: str, wildcards: Wildcards) -> dict[str, Any]:
    """{dotted key: value}: the settings of a config that is the job's own already (as
    `restricted_config` gives it: a replicate's seeds are not derived again)."""
    return {key: lookup(config, key) for key in setting_keys(name, wildcards)}


def restricted_config(config: Mapping[str, Any], name: str, wildcards: Wildcards) -> dict[str, Any]:
    """`config` holding only the job's settings: reading any other value is a KeyError."""
    restricted: dict[str, Any] = {}
    for key, value in stage_settings(config, name, wildcards).items():
        *parents, leaf = key.split(".")
        section = restricted
        for part in parents:
            section = section.setdefault(part, {})
        section[leaf] = copy.deepcopy(value)
    return restricted
