"""dvc.yaml, generated from the Snakemake workflow: one DVC stage per job of `all`.

The Snakemake rules are the one definition of the pipeline. Each job becomes a stage running
the same `odfa` command on the same paths, with the job's inputs as deps, its settings' keys as
params and its outputs as outs, metrics or plots. Resumable stages (training) also keep
`checkpoints/` as a persistent output, so a killed `dvc repro` resumes. The jobs of a rule that
differ only in their last wildcards (replicates, variants) are written once, as a DVC `matrix`
stage over their values: DVC expands it into one stage per job, `<name>@<values>`.

Code is a dep as Snakemake has it, a param: the first stage, `code`, writes the digest of the
code of every kind of job (`odfa pipeline code`) to CODE_DIGESTS whenever a file of the package
changes, and each stage depends on its job's digest file. A comment or a docstring leaves every
digest as it was, so nothing downstream reruns.
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from odfa.io import write_text
from odfa.pipeline.code import PACKAGE, PACKAGE_DIR
from odfa.pipeline.plan import PlannedJob, planned_jobs
from odfa.pipeline.stages import STAGES, code_key, code_keys, key_code_digest, setting_keys, stage

REPOSITORY = PACKAGE_DIR.parent
SNAKEFILE = REPOSITORY / "Snakefile"
CONFIG_FILE = "config/config.yaml"
# The files the workflow passes to its jobs in environment variables, as DVC's stages name them.
FILES_OF_VARIABLES = {
    "ODFA_CONFIG": CONFIG_FILE,
    "ODFA_CLIMATEBENCH_LOCK": "data/climatebench.lock.json",
    "ODFA_PAPER_CONFIG": "config/paper.yaml",
}
HEADER = (
    "# Generated from the Snakemake workflow by `make dvc.yaml`; do not edit. A stage per job\n"
    "# of `snakemake all`: its command, inputs, settings, outputs and code digest. Vary a\n"
    "# setting with `dvc exp run -S 'config/config.yaml:<key>=<value>'`.\n"
)
SUMMARY_METRICS = "metrics.json"  # a study's summary (each run's, with its provenance: an out)
RUNS = "runs"  # the folder of a study's runs
PLOT_AXES = {"log.csv": ("step", "loss"), "timings.csv": ("width", "measured_s_per_sample")}
CODE_DIGESTS = PurePosixPath(".odfa/code")  # one file per kind of job, the `code` stage's
CODE_STAGE = {
    "cmd": f"odfa pipeline code --out {CODE_DIGESTS}",
    "deps": [PACKAGE],
    "outs": [str(CODE_DIGESTS)],  # cached: an experiment's workspace and `dvc pull` get them
}


def code_digest_file(key: str) -> PurePosixPath:
    """The file holding the digest of the code called `key` (see `code_key`)."""
    return CODE_DIGESTS / f"{key}.sha256"


def write_code_digests(out_dir: str | Path) -> None:
    """Write the digest of every kind of job's code into `out_dir`, one file each."""
    for key, (name, method) in code_keys().items():
        write_text(Path(out_dir) / code_digest_file(key).name, key_code_digest(name, method) + "\n")


def record_snakemake_run(repository: str | Path = ".") -> None:
    """After a Snakemake run of config/config.yaml: write the code digests (the `code` stage) and
    record every stage's outputs in dvc.lock and the cache, so `dvc repro` has nothing to do."""
    from dvc.repo import Repo

    with Repo(str(repository)) as repo:
        repo.reproduce("code")
        repo.commit(force=True)


def _relative(path: str) -> str:
    """A path as DVC reads it: relative to the repository root."""
    path = Path(path)
    return str(PurePosixPath(path.relative_to(REPOSITORY))) if path.is_absolute() else str(path)


def _output_entry(path: str) -> tuple[str, Any]:
    """(section, entry) of one output: metrics (the studies' summaries, so that `dvc exp show`
    lists headline numbers, not every run's provenance), plots or outs. All are cached, so
    `dvc pull` restores them and `dvc exp show` reads any experiment's metrics."""
    name = PurePosixPath(path).name
    if name == SUMMARY_METRICS and RUNS not in PurePosixPath(path).parts:
        return "metrics", path
    if name in PLOT_AXES:
        x, y = PLOT_AXES[name]
        return "plots", {path: {"x": x, "y": y}}
    if name.endswith(".png"):
        return "plots", path
    return "outs", path


def _stage(job: PlannedJob) -> dict[str, Any]:
    """The DVC stage of one Snakemake job."""
    command = job.shell
    for variable, path in FILES_OF_VARIABLES.items():
        command = command.replace(f'"${variable}"', path)
    for log in job.log:
        command = command.replace(f" > {log} 2>&1", "")
    entry: dict[str, Any] = {"cmd": command}
    code = str(code_digest_file(code_key(job.rule, job.wildcards)))
    read = {path for variable, path in FILES_OF_VARIABLES.items() if f"${variable}" in job.shell}
    entry["deps"] = sorted({_relative(path) for path in job.inputs} | {code} | read - {CONFIG_FILE})
    settings = setting_keys(job.rule, job.wildcards)
    if settings:
        entry["params"] = [{CONFIG_FILE: sorted(settings)}]
    sections: dict[str, list[Any]] = {"outs": [], "metrics": [], "plots": []}
    for path in job.outputs:
        section, item = _output_entry(path)
        sections[section].append(item)
    if stage(job.rule).resumable:
        run_dir = PurePosixPath(job.outputs[0]).parent
        sections["outs"].append({str(run_dir / "checkpoints"): {"persist": True}})
    entry |= {section: items for section, items in sections.items() if items}
    return entry


def _templated(value: Any, wildcards: dict[str, str], varying: tuple[str, ...]) -> Any:
    """`value` (a stage's entry) with each whole-token occurrence of a `varying` wildcard's value
    replaced by DVC's `${item.<wildcard>}`."""
    if isinstance(value, dict):
        return {
            _templated(key, wildcards, varying): _templated(item, wildcards, varying)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_templated(item, wildcards, varying) for item in value]
    if isinstance(value, str):
        for name in varying:
            token = re.compile(rf"(?<![\w.]){re.escape(wildcards[name])}(?![\w.])")
            value = token.sub(f"${{item.{name}}}", value)
    return value


def _filled(value: Any, wildcards: dict[str, str]) -> Any:
    """A templated entry with `${item.<wildcard>}` filled in, as DVC fills it."""
    if isinstance(value, dict):
        return {_filled(key, wildcards): _filled(item, wildcards) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, wildcards) for item in value]
    if isinstance(value, str):
        for name, filled in wildcards.items():
            value = value.replace(f"${{item.{name}}}", filled)
    return value


def _matrix_stages(rule: str, jobs: list[tuple[dict[str, str], dict[str, Any]]]) -> dict:
    """The jobs of one rule as DVC matrix stages: jobs that differ only in the values of their
    last wildcards (a replicate, a variant) share one templated stage over the product of
    those values, named `<rule>-<other values>` (DVC calls each `<name>@<values>`). A stage
    is kept only where filling its template in gives every job's entry back."""
    names = list(jobs[0][0])
    for fixed in range(len(names)):
        stages = _templated_stages(rule, jobs, names[:fixed], tuple(names[fixed:]))
        if stages is not None:
            return stages
    return {"-".join([rule, *wildcards.values()]): entry for wildcards, entry in jobs}


def _templated_stages(
    rule: str,
    jobs: list[tuple[dict[str, str], dict[str, Any]]],
    fixed: list[str],
    varying: tuple[str, ...],
) -> dict | None:
    """One matrix stage per value of the `fixed` wildcards over the `varying` ones, or None
    where a group's jobs are not the product of their values or its template does not give
    every job back."""
    groups: dict[tuple[str, ...], list] = {}
    for wildcards, entry in jobs:
        groups.setdefault(tuple(wildcards[name] for name in fixed), []).append((wildcards, entry))
    stages = {}
    for key, members in groups.items():
        template = _templated(members[0][1], members[0][0], varying)
        values = {
            name: list(dict.fromkeys(wildcards[name] for wildcards, _ in members))
            for name in varying
        }
        if len(members) != math.prod(map(len, values.values())) or not all(
            _filled(template, {name: wildcards[name] for name in varying}) == entry
            for wildcards, entry in members
        ):
            return None
        stages["-".join([rule, *key])] = {"matrix": values, **template}
    return stages


def generate_dvc_yaml(snakefile: Path = SNAKEFILE) -> str:
    """The text of dvc.yaml for the workflow of `snakefile` on its default config: its jobs read
    from Snakemake's dry run, in the order of the stage table, a rule's by name."""
    with tempfile.TemporaryDirectory() as workdir:
        jobs = planned_jobs(snakefile, Path(workdir))
    order = {name: index for index, name in enumerate(STAGES)}
    by_rule: dict[str, list] = {}
    for job in sorted(jobs, key=lambda job: (order[job.rule], job.name)):
        by_rule.setdefault(job.rule, []).append((job.wildcards, _stage(job)))
    stages = {"code": CODE_STAGE}
    for rule, rule_jobs in by_rule.items():
        stages |= _matrix_stages(rule, rule_jobs)
    return HEADER + yaml.safe_dump({"stages": stages}, sort_keys=False, width=100)
