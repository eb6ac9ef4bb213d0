"""dvc.yaml is generated from the Snakemake workflow: the same jobs, commands, inputs, settings
and outputs, and the committed file is what the generator writes."""

from __future__ import annotations

import collections
from pathlib import PurePosixPath

import pytest
from dvc.repo import Repo

from odfa.pipeline.dvc import CODE_STAGE, code_digest_file, generate_dvc_yaml, write_code_digests
from odfa.pipeline.stages import STAGES, code_key, setting_keys
from tests.conftest import DEFAULT_CONFIG, REPO, planned_jobs


@pytest.fixture(scope="module")
def dvc_stages():
    return {stage.addressing: stage for stage in Repo(str(REPO)).index.stages}


def test_the_committed_dvc_yaml_is_what_the_generator_writes():
    assert (REPO / "dvc.yaml").read_text() == generate_dvc_yaml(), "run `make dvc.yaml`"


def test_one_stage_per_snakemake_job(dvc_stages, tmp_path):
    jobs = planned_jobs(tmp_path, DEFAULT_CONFIG)
    del jobs["all"], jobs["total"]
    jobs["code"] = 1  # DVC's own: the digests of the code
    assert collections.Counter(name.split("-")[0] for name in dvc_stages) == jobs
    assert jobs["climate_train"] == 6 * DEFAULT_CONFIG["climate"]["replicates"]


@pytest.mark.parametrize(
    ("name", "stage", "wildcards"),
    [
        ("digits_train-odfa-1", "digits_train", {"method": "odfa", "replicate": "1"}),
        ("dialogs_train-bp_star-0", "dialogs_train", {"run": "bp_star", "replicate": "0"}),
        ("dialogs_evaluate-dfa", "dialogs_evaluate", {"run": "dfa"}),
        (
            "climate_train-vit-bp-2",
            "climate_train",
            {"model": "vit", "method": "bp", "replicate": "2"},
        ),
        (
            "climate_score-fcnn-odfa-0",
            "climate_score",
            {"model": "fcnn", "method": "odfa", "replicate": "0"},
        ),
        ("scaling_sweep", "scaling_sweep", {}),
    ],
)
def test_a_stage_has_the_settings_and_code_of_its_snakemake_job(dvc_stages, name, stage, wildcards):
    dvc_stage = dvc_stages[name]
    params = [key for dep in dvc_stage.deps for key in getattr(dep, "params", None) or []]
    assert sorted(params) == sorted(setting_keys(stage, wildcards))
    deps = {str(dep) for dep in dvc_stage.deps if not getattr(dep, "params", None)}
    code = {str(path) for path in deps if path.startswith(".odfa/")}
    assert code == {str(code_digest_file(code_key(stage, wildcards)))}
    assert all(dep.startswith((".odfa/code/", "data/", "results/")) for dep in deps)
    program, *_ = dvc_stage.cmd.split()
    assert program == "odfa" and "$ODFA_CONFIG" not in dvc_stage.cmd and ">" not in dvc_stage.cmd


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
        if STAGES[name.split("-")[0]].resumable:  # the training stages, ablation runs included
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
