"""dvc.yaml is generated from the Snakemake workflow: the same jobs, commands, inputs, settings
and outputs, and the committed file is what the generator writes."""

from __future__ import annotations

import collections
import re
from pathlib import PurePosixPath

import pytest
from dvc.repo import Repo

from odfa.pipeline.dvc import (
    CODE_STAGE,
    FILES_OF_VARIABLES,
    code_digest_file,
    generate_dvc_yaml,
    write_code_digests,
)
from odfa.pipeline.plan import dry_run_jobs
from odfa.pipeline.stages import STAGES, code_key, setting_keys
from tests.conftest import DEFAULT_CONFIG, REPO, snakemake

REPLICATES = DEFAULT_CONFIG["climate"]["replicates"]


@pytest.fixture(scope="module")
def dvc_stages():
    """DVC's stages of the committed dvc.yaml, named as Snakemake's jobs: a matrix stage's
    `<name>@<values>` read as `<name>-<values>`."""
    stages = Repo(str(REPO)).index.stages
    return {stage.addressing.replace("@", "-"): stage for stage in stages}


@pytest.fixture(scope="module")
def snakemake_jobs(tmp_path_factory):
    """Every job of a dry run of `all` on the default config, with its shell command."""
    root = tmp_path_factory.mktemp("plan")
    result = snakemake("all", "-n", "--forceall", "-d", str(root))
    assert result.returncode == 0, result.stderr[-2000:]
    return {job.name: job for job in dry_run_jobs(result.stdout)}


@pytest.mark.slow
def test_the_committed_dvc_yaml_is_what_the_generator_writes():
    assert (REPO / "dvc.yaml").read_text() == generate_dvc_yaml(), "run `make dvc.yaml`"


def test_the_dvc_yaml_is_templated_by_dvc_a_stage_per_rule_and_method():
    text = (REPO / "dvc.yaml").read_text()
    assert "matrix:" in text and "${item.replicate}" in text
    assert len(text.splitlines()) < 1008  # a fifth of the 5,040 lines of one stage per job


@pytest.mark.slow
def test_one_stage_per_snakemake_job(dvc_stages, snakemake_jobs):
    assert set(dvc_stages) - {"code"} == set(snakemake_jobs)
    rules = collections.Counter(job.rule for job in snakemake_jobs.values())
    assert len(rules) == len(STAGES) and rules["climate_train"] == 6 * REPLICATES


def _command(shell: str) -> str:
    """A Snakemake job's shell command as DVC runs it: the files the workflow passes in
    environment variables named, the log redirect left out (DVC shows the output)."""
    for variable, path in FILES_OF_VARIABLES.items():
        shell = shell.replace(f'"${variable}"', path)
    return re.sub(r" > \S+ 2>&1$", "", shell)


@pytest.mark.slow
def test_every_stage_runs_the_command_of_its_job_on_its_files(dvc_stages, snakemake_jobs):
    """Every job of every rule: the same command, its inputs and the digest of its code as
    deps (and the files the workflow passes it), its settings as params, its outputs."""
    for name, job in snakemake_jobs.items():
        stage = dvc_stages[name]
        assert stage.cmd == _command(job.shell), name
        params = [key for dep in stage.deps for key in getattr(dep, "params", None) or []]
        assert sorted(params) == sorted(setting_keys(job.rule, job.wildcards)), name
        deps = {str(dep) for dep in stage.deps if not getattr(dep, "params", None)}
        code = str(code_digest_file(code_key(job.rule, job.wildcards)))
        passed = {path for variable, path in FILES_OF_VARIABLES.items() if variable in job.shell}
        assert deps == set(job.inputs) | {code} | passed - {"config/config.yaml"}, name
        outs = {str(out) for out in stage.outs if not out.persist}
        assert outs == set(job.outputs), name


def test_the_code_stage_writes_every_digest_the_stages_read(dvc_stages, tmp_path):
    in_package = [str(dep) for dep in dvc_stages["code"].deps]
    assert in_package == ["odfa"] and dvc_stages["code"].cmd == CODE_STAGE["cmd"]
    read = {
        PurePosixPath(str(dep)).name
        for stage in dvc_stages.values()
        for dep in stage.deps
        if str(dep).startswith(".odfa/code/")
    }
    write_code_digests(tmp_path)
    assert read <= {path.name for path in tmp_path.iterdir()}


def test_training_stages_keep_their_checkpoints_across_reruns(dvc_stages):
    for name, stage in dvc_stages.items():
        if name == "code":
            continue
        persistent = [str(out) for out in stage.outs if out.persist]
        if STAGES[re.split("[-@]", name)[0]].resumable:  # training stages, ablation runs too
            assert persistent == [f"{PurePosixPath(str(stage.outs[0])).parent}/checkpoints"], name
        else:
            assert persistent == [], name


def test_scheduler_resources_are_no_dvc_params(dvc_stages):
    """Memory and wall time change no result, so changing them must not rerun a stage."""
    names = {
        name
        for stage in dvc_stages.values()
        for dependency in stage.deps
        for name in getattr(dependency, "params", None) or []
    }
    assert {"device", "threads", "dialogs.generation"} <= names
    assert not [name for name in names if name.split(".")[0] == "resources"]
