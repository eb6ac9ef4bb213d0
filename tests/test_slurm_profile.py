"""The slurm profile: the tiny workflow through the SLURM executor plugin, on stub commands."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests import slurm_stub
from tests.conftest import BIN, comparable, planned_jobs, project_copy, tiny_config

pytestmark = pytest.mark.slow

TRAINING_RULES = (
    "digits_train",
    "dialogs_train",
    "climate_train",
    "ablation_digits",
    "ablation_dialogs",
)


LOCAL_RULES = (
    *("all", "dialogs_fetch", "climate_fetch", "climate_score", "digits_summary"),
    *("digits_figure", "dialogs_summary", "dialogs_figures", "climate_summary"),
    *("climate_figures", "scaling_figures", "ablation_summary", "ablation_figure"),
)


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory) -> tuple[Path, list[dict], list[dict]]:
    """Run `all` with the slurm profile in a copy of the project (tiny config); return the
    project, the sbatch calls and the srun steps."""
    root = tmp_path_factory.mktemp("slurm")
    project = project_copy(root / "project", tiny_config())
    state = root / "slurm-state"
    environment = os.environ | slurm_stub.install(root / "bin", state)
    result = subprocess.run(
        [
            *(str(BIN / "snakemake"), "all", "--profile", "workflow/profiles/slurm"),
            *("--slurm-init-seconds-before-status-checks", "1"),
        ],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return project, slurm_stub.submissions(state), slurm_stub.job_steps(state)


def _rule(submission: dict) -> str:
    """The rule name in the plugin's job comment, `rule_<name>[_wildcards_<values>]`."""
    return submission["comment"].removeprefix("rule_").split("_wildcards_")[0]


def test_every_job_is_one_sbatch_with_memory_time_and_cpus(slurm_run) -> None:
    project, submissions, _ = slurm_run
    fresh = project.parent / "fresh"
    fresh.mkdir()
    planned = planned_jobs(fresh, tiny_config())
    local = sum(planned[rule] for rule in LOCAL_RULES)  # on the login node
    assert len(submissions) == planned["total"] - local
    assert not {_rule(submission) for submission in submissions} & set(LOCAL_RULES)
    assert len({submission["job_name"] for submission in submissions}) == 1  # one run id
    for submission in submissions:
        assert submission["mem"] >= 1000 and int(submission["time"]) >= 30, submission["comment"]
        assert submission["cpus_per_task"] >= 1


def test_training_jobs_go_to_the_gpu_partition_with_one_gpu(slurm_run) -> None:
    _, submissions, steps = slurm_run
    by_rule: dict[str, list[dict]] = {}
    for submission in submissions:
        by_rule.setdefault(_rule(submission), []).append(submission)
    assert len(by_rule["dialogs_train"]) == 10 and len(by_rule["climate_train"]) == 12
    for rule in TRAINING_RULES:
        for submission in by_rule[rule]:
            assert (submission["partition"], submission["gpus"]) == ("gpu", "1")
    [sweep] = by_rule["scaling_sweep"]
    assert (sweep["partition"], sweep["gpus"]) == ("gpu", "1")
    assert (sweep["exclusive"], sweep["cpus_per_task"]) == (True, 2)  # the config's CPUs
    gpu_rules = (*TRAINING_RULES, "scaling_sweep")
    others = [s for rule, group in by_rule.items() if rule not in gpu_rules for s in group]
    assert {s["partition"] for s in others} == {"cpu"}  # sinfo's default
    assert not any(s["gpus"] for s in others)
    gpu_jobs = {s["id"] for s in submissions if s["gpus"]}
    assert {step["job"] for step in steps if "--gpus=1" in step["options"]} == gpu_jobs


def test_slurm_jobs_give_the_local_run_bit_for_bit(slurm_run, tiny_run) -> None:
    """Two clean runs of one config: same models, predictions, samples and metrics (apart from
    the measured wall-clock fields)."""
    project, _, _ = slurm_run
    for metrics in ("digits/metrics.json", "dialogs/metrics.csv", "climate/metrics.csv"):
        assert comparable(project / "results" / metrics) == comparable(tiny_run / metrics)
    products = [
        path.relative_to(tiny_run)
        for product in ("model.pt", "predictions.nc", "samples.json")
        for path in tiny_run.glob(f"*/runs/*/replicate-*/{product}")
    ]
    assert len(products) == 2 * (4 + 5 + 6 + 6) + 5  # two replicates; samples of replicate 0
    for product in products:
        assert (project / "results" / product).read_bytes() == (tiny_run / product).read_bytes()


def test_dvc_commit_records_the_cluster_run_so_dvc_repro_has_nothing_to_do(slurm_run) -> None:
    project, _, _ = slurm_run
    dvc = str(BIN / "dvc")
    subprocess.run([dvc, "commit", "--force", "--quiet"], cwd=project, check=True)
    status = subprocess.run([dvc, "status"], cwd=project, capture_output=True, text=True)
    assert "up to date" in status.stdout, status.stdout
