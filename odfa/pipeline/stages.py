"""The settings and the code each stage of the pipeline reads, from the studies' declarations
(`odfa.stages`): one source for both orchestrators and the `odfa` command.

Snakemake passes a stage's settings and code digest as its params, the generated dvc.yaml lists
the same keys as params, the `odfa` command of the stage sees only these settings, and a training
run's fingerprint is made of them. So a changed value or module reruns exactly the stages that
read it, in either tool.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

from odfa import stages as stages_package
from odfa.pipeline.code import DISPATCHER, code_digest
from odfa.registry import DIALOGS_RUNS, METHODS, check_method, dialogs_training_section
from odfa.replicates import replicate_config
from odfa.stages.declaration import Stage, Study, Wildcards, flag_name


def _studies() -> dict[str, Study]:
    """Every study `odfa.stages` declares: its module's name -> its `STUDY`."""
    return {
        module.name: importlib.import_module(f"{stages_package.__name__}.{module.name}").STUDY
        for module in pkgutil.iter_modules(stages_package.__path__)
        if module.name != "declaration"
    }


STUDIES = _studies()
STAGES: dict[str, Stage] = {
    definition.name: definition for study in STUDIES.values() for definition in study.stages
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


# The functions of `odfa.cli` that run a stage's command (a training stage's under torchrun
# where it has several GPUs).
STAGE_RUNNER, TRAINING_STAGE_RUNNER = "run_stage", "run_training_stage"


def stage_handlers(name: str) -> tuple[str, ...]:
    """The functions the stage's command runs ("module:function"): the command's stage runner
    and the functions of the stage's declaration."""
    definition = stage(name)
    runner = STAGE_RUNNER if definition.method is None else TRAINING_STAGE_RUNNER
    declared = (f"{function.__module__}:{function.__name__}" for function in definition.functions)
    return (f"{DISPATCHER}:{runner}", *declared)


def command_line(name: str, **arguments: str) -> str:
    """The shell command of a rule of stage `name`: `odfa <group> <action>`, the effective
    config where the stage reads settings, `arguments` as its options (by argparse name, values
    as Snakemake placeholders) and its output in the rule's log."""
    definition = stage(name)
    flags = {flag_name(flag): (flag, keywords) for flag, keywords in definition.options}
    unknown = sorted(set(arguments) - set(flags))
    missing = sorted(
        key
        for key, (_, keywords) in flags.items()
        if keywords.get("required") and key not in arguments
    )
    if unknown or missing:
        raise ValueError(
            f"the command of stage {name!r} has no options {unknown} and needs {missing}; "
            f"its options are {sorted(flags)}"
        )
    words = ["odfa", definition.command]
    if definition.settings:
        words.append('--config "$ODFA_CONFIG"')
    words += [f"{flags[key][0]} {value}" for key, value in arguments.items()]
    return " ".join([*words, "> {log} 2>&1"])


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
