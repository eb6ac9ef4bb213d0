"""dvc.yaml, generated from the Snakemake workflow: one DVC stage per job of `all`.

The Snakemake rules are the one definition of the pipeline. Each job becomes a stage running
the same `odfa` command on the same paths, with the job's inputs (code files included) as
deps, its settings' keys as params and its outputs as outs, metrics or plots. Resumable stages
(training) also keep `checkpoints/` as a persistent output, so a killed `dvc repro` resumes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from odfa.pipeline.code import PACKAGE_DIR
from odfa.pipeline.stages import stage

REPOSITORY = PACKAGE_DIR.parent
SNAKEFILE = REPOSITORY / "Snakefile"
CONFIG_FILE = "config/config.yaml"
HEADER = (
    "# Generated from the Snakemake workflow by `odfa pipeline dvc` (`make dvc.yaml`): do not\n"
    "# edit. Each stage is one job of `snakemake all` on config/config.yaml: the same command,\n"
    "# inputs (code included), settings and outputs. DVC reads config/config.yaml; vary it\n"
    "# with `dvc exp run -S 'config/config.yaml:<key>=<value>'`.\n"
)
METRICS = {"metrics.json", "metrics.csv"}
PLOT_AXES = {"log.csv": ("step", "loss"), "timings.csv": ("width", "measured_s_per_sample")}
LOCK_SUFFIX = ".lock.json"  # digests of downloads, committed to git


def _snakemake_jobs(snakefile: Path, workdir: Path) -> Iterator[Any]:
    """The jobs of `snakemake all` on the default config, as if nothing had run yet."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        DAGSettings,
        OutputSettings,
        Quietness,
        ResourceSettings,
    )

    with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
        workflow_api = api.workflow(
            resource_settings=ResourceSettings(cores=1), snakefile=snakefile, workdir=workdir
        )
        workflow_api.dag(DAGSettings(targets={"all"}, forceall=True))
        workflow = workflow_api._workflow
        workflow._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True)
        workflow._build_dag()
        order = {rule.name: index for index, rule in enumerate(workflow.rules)}
        jobs = [job for job in workflow.dag.jobs if job.rule.name != "all"]
        yield from sorted(jobs, key=lambda job: (order[job.rule.name], _stage_name(job)))


def _stage_name(job: Any) -> str:
    return "-".join([job.rule.name, *job.wildcards_dict.values()])


def _relative(path: str) -> str:
    """A path as DVC reads it: relative to the repository root."""
    path = Path(path)
    return str(PurePosixPath(path.relative_to(REPOSITORY))) if path.is_absolute() else str(path)


def _output_entry(path: str) -> tuple[str, Any]:
    """(section, entry) of one output: metrics, plots or outs. All are cached, so `dvc pull`
    restores them and `dvc exp show` reads any experiment's metrics; only a lock file of
    download digests is left to git."""
    name = PurePosixPath(path).name
    if name in METRICS:
        return "metrics", path
    if name in PLOT_AXES:
        x, y = PLOT_AXES[name]
        return "plots", {path: {"x": x, "y": y}}
    if name.endswith(".png"):
        return "plots", path
    if name.endswith(LOCK_SUFFIX):
        return "outs", {path: {"cache": False}}
    return "outs", path


def _stage(job: Any) -> dict[str, Any]:
    """The DVC stage of one Snakemake job."""
    command = job.shellcmd.replace('"$ODFA_CONFIG"', CONFIG_FILE)
    for log in job.log:
        command = command.replace(f" > {log} 2>&1", "")
    entry: dict[str, Any] = {"cmd": command}
    deps = sorted({_relative(str(path)) for path in job.input})
    if deps:
        entry["deps"] = deps
    settings = job.params.get("settings") or {}
    if settings:
        entry["params"] = [{CONFIG_FILE: sorted(settings)}]
    sections: dict[str, list[Any]] = {"outs": [], "metrics": [], "plots": []}
    for path in job.output:
        section, item = _output_entry(str(path))
        sections[section].append(item)
    if stage(job.rule.name).resumable:
        run_dir = PurePosixPath(str(job.output[0])).parent
        sections["outs"].append({str(run_dir / "checkpoints"): {"persist": True}})
    entry |= {section: items for section, items in sections.items() if items}
    return entry


def generate_dvc_yaml(snakefile: Path = SNAKEFILE) -> str:
    """The text of dvc.yaml for the workflow of `snakefile` on its default config."""
    with tempfile.TemporaryDirectory() as workdir:
        jobs = _snakemake_jobs(snakefile, Path(workdir))
        stages = {_stage_name(job): _stage(job) for job in jobs}
    return HEADER + yaml.safe_dump({"stages": stages}, sort_keys=False, width=100)
