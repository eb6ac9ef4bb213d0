"""The slurm profile: the tiny workflow through the SLURM executor plugin, on stub commands."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest

from tests import slurm_stub
from tests.conftest import (
    BIN,
    comparable,
    in_project,
    odfa_here,
    project_copy,
    project_environment,
    tiny_config,
)

pytestmark = pytest.mark.slow

TRAINING_RULES = (
    "digits_train",
    "dialogs_train",
    "climate_train",
    "ablation_digits",
    "ablation_dialogs",
)


LOCAL_RULES = (
    *("all", "digits_prepare", "dialogs_fetch", "climate_fetch", "climate_score"),
    "digits_summarise",
    *("digits_plot", "dialogs_summarise", "dialogs_plot", "climate_summarise"),
    *("climate_plot", "scaling_summarise", "scaling_plot"),
    *("ablation_summarise", "ablation_plot"),
)
# A job of every kind: one run of each study and ablation, the sweep and its figures.
TARGETS = (
    "results/digits/runs/odfa/replicate-1/metrics.json",
    "results/dialogs/runs/odfa/replicate-0/metrics.json",
    "results/climate/runs/fcnn-odfa/replicate-0/metrics.json",
    "results/ablation/runs/digits/camera-ideal/replicate-0/metrics.json",
    "results/ablation/runs/dialogs/camera_bits-6/replicate-0/metrics.json",
    "results/figures/fig4a.png",
)


def _planned(project: Path) -> dict[str, int]:
    """Rule -> jobs a dry run of the targets plans in a fresh project."""
    result = in_project(project, str(BIN / "snakemake"), *TARGETS, "-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory) -> tuple[Path, dict[str, int], list[dict], list[dict]]:
    """Run the targets with the slurm profile in a fresh copy of the project (tiny config);
    return the project, the planned jobs, the sbatch calls and the srun steps."""
    root = tmp_path_factory.mktemp("slurm")
    project = project_copy(root / "project", tiny_config())
    planned = _planned(project)
    state = root / "slurm-state"
    environment = project_environment(project) | slurm_stub.install(root / "bin", state)
    result = subprocess.run(
        [
            *(str(BIN / "snakemake"), "--profile", "workflow/profiles/slurm", *TARGETS),
            *("--slurm-init-seconds-before-status-checks", "1"),
        ],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return project, planned, slurm_stub.submissions(state), slurm_stub.job_steps(state)


def _rule(submission: dict) -> str:
    """The rule name in the plugin's job comment, `rule_<name>[_wildcards_<values>]`."""
    return submission["comment"].removeprefix("rule_").split("_wildcards_")[0]


def test_every_job_but_the_light_ones_is_one_sbatch_with_memory_time_and_cpus(slurm_run):
    _, planned, submissions, _ = slurm_run
    local = sum(planned.get(rule, 0) for rule in LOCAL_RULES)  # on the login node
    assert local >= 4 and len(submissions) == planned["total"] - local
    assert not {_rule(submission) for submission in submissions} & set(LOCAL_RULES)
    assert len({submission["job_name"] for submission in submissions}) == 1  # one run id
    for submission in submissions:
        assert submission["mem"] >= 1000 and int(submission["time"]) >= 30, submission["comment"]
        assert submission["cpus_per_task"] >= 1


def test_training_jobs_go_to_the_gpu_partition_with_one_gpu(slurm_run) -> None:
    _, _, submissions, steps = slurm_run
    by_rule: dict[str, list[dict]] = {}
    for submission in submissions:
        by_rule.setdefault(_rule(submission), []).append(submission)
    assert len(by_rule["digits_train"]) == 1 and len(by_rule["climate_train"]) == 1
    for rule in TRAINING_RULES:
        for submission in by_rule[rule]:
            assert (submission["partition"], submission["gpus"]) == ("gpu", "1")
    [sweep] = by_rule["scaling_sweep"]
    assert (sweep["partition"], sweep["gpus"]) == ("gpu", "1")
    assert (sweep["exclusive"], sweep["cpus_per_task"]) == (True, 2)  # the config's CPUs
    gpu_rules = (*TRAINING_RULES, "scaling_sweep", "scaling_projections")
    others = [s for rule, group in by_rule.items() if rule not in gpu_rules for s in group]
    assert others and {s["partition"] for s in others} == {"cpu"}  # sinfo's default
    assert not any(s["gpus"] for s in others)
    gpu_jobs = {s["id"] for s in submissions if s["gpus"]}
    assert {step["job"] for step in steps if "--gpus=1" in step["options"]} == gpu_jobs


def test_a_slurm_job_gives_the_local_command_bit_for_bit(slurm_run, tmp_path) -> None:
    """A training job run through the profile and the same command run here: the same model
    and metrics (apart from the measured wall-clock fields)."""
    project, _, _, _ = slurm_run
    run = Path("results/digits/runs/odfa/replicate-1")
    command = ["digits", "train", "--config", "config/config.yaml", "--method", "odfa"]
    command += ["--replicate", "1", "--data", "data/processed/digits/split.npz"]
    with contextlib.chdir(project):  # its package is a copy of this one's
        odfa_here(*command, "--out", tmp_path / "local")
    local, remote = tmp_path / "local", project / run
    assert (remote / "model.pt").read_bytes() == (local / "model.pt").read_bytes()
    assert comparable(remote / "metrics.json") == comparable(local / "metrics.json")
