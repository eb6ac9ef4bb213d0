"""Snakemake and DVC rerun the same jobs after a change of a setting, of a module's behaviour or
of a replicate count, and no others: each test changes its own copy of the tiny project (the
`project` fixture), brought up to date by Snakemake and recorded in DVC by `odfa pipeline
record`. Three modules, so that pytest-xdist shares them between its workers."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from unittest import mock

import networkx
from dvc.repo import Repo

from odfa.pipeline.plan import dry_run_jobs
from tests.conftest import BIN, in_project_ok, project_environment, tiny_config


def snakemake_jobs(workspace: Path) -> set[str]:
    """The jobs a dry run plans, named as their DVC stages (rule-wildcard-values)."""
    return {
        job.name
        for job in dry_run_jobs(
            in_project_ok(workspace, str(BIN / "snakemake"), "all", "-n").stdout
        )
    }


def dvc_jobs(workspace: Path) -> set[str]:
    """The stages `dvc status` reports changed once `dvc repro code` has written the digests of
    the code, and every stage downstream of them: through DVC's API behind those commands, in
    this process (a command would spend a second starting DVC), the stage's own command run
    with the workspace's package."""
    with (
        contextlib.chdir(workspace),  # a stage's address is relative to the working directory
        mock.patch.dict(os.environ, project_environment(workspace)),
        Repo(".") as repo,
    ):
        repo.reproduce("code")
        status = repo.status()
        graph = repo.index.graph  # edges run from a stage to what it depends on
        names = {stage: stage.addressing.replace("@", "-") for stage in graph.nodes}
    changed = {name.replace("@", "-") for name in status}  # a matrix stage is `<name>@<values>`
    downstream = {
        names[ancestor]
        for stage, name in names.items()
        if name in changed
        for ancestor in networkx.ancestors(graph, stage)
    }
    return changed | downstream


def set_value(config: dict, key: str, value) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        config = config[part]
    config[leaf] = value


TINY = tiny_config()


def replicated(study: str, *jobs: str) -> set[str]:
    """Each job once per replicate of `study` in the tiny config (stage names end with the
    replicate)."""
    return {f"{job}-{replicate}" for job in jobs for replicate in range(TINY[study]["replicates"])}


# The tiny config's optics ablation: two variants of each study's ODFA run, their table and figure.
ABLATION_RUNS = replicated("ablation", *(f"ablation_{study}-{variant}"
    for study in ("digits", "dialogs")
    for variant in ("camera-ideal", "camera_bits-6")))  # fmt: skip
ABLATION = ABLATION_RUNS | {"ablation_summarise", "ablation_plot"}


ODFA_TRAINING = (
    replicated("digits", "digits_train-odfa")
    | replicated("dialogs", "dialogs_train-odfa")
    | replicated("climate", "climate_train-vit-odfa", "climate_train-fcnn-odfa")
)
