"""A real single-node SLURM (Debian's 22.05: munge, slurmctld, slurmd on localhost, no
accounting database): the tiny workflow through the slurm profile, and `dvc repro` in one
allocation, give the local run's models, predictions and samples byte for byte.

`make test-cluster` runs it (root, as in CI); it starts the daemons and stops them at the end.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BIN, REPO, comparable, project_copy, tiny_config, tools_environment

pytestmark = pytest.mark.cluster
CLUSTER = REPO / "tests" / "cluster" / "slurm_cluster.sh"
PRODUCTS = ("model.pt", "predictions.nc", "samples.json")
METRICS = ("digits/metrics.json", "dialogs/metrics.csv", "climate/metrics.csv")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The environment that reaches a freshly started SLURM (stopped after the module)."""
    if os.geteuid() != 0:
        pytest.skip("starting SLURM's daemons needs root")
    directory = tmp_path_factory.mktemp("slurm-cluster")
    started = subprocess.run(
        [str(CLUSTER), "start", str(directory)], capture_output=True, text=True, timeout=900
    )
    assert started.returncode == 0, started.stderr[-3000:]
    setting = started.stdout.strip().splitlines()[-1]
    try:
        yield tools_environment() | dict([setting.split("=", 1)])
    finally:
        subprocess.run([str(CLUSTER), "stop", str(directory)], check=True)


def _cpu_config() -> dict:
    """The tiny config on the CPU: the test cluster's node has no GPU to give (a training job
    asking for one would be refused)."""
    return tiny_config() | {"device": "cpu"}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory) -> Path:
    """The results of the same config run locally."""
    project = project_copy(tmp_path_factory.mktemp("local") / "project", _cpu_config())
    result = subprocess.run(
        [str(BIN / "snakemake"), "--cores", "2", "all"],
        cwd=project,
        env=tools_environment(),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return project / "results"


def _same_products(run: Path, local: Path) -> None:
    for metrics in METRICS:
        assert comparable(run / metrics) == comparable(local / metrics), metrics
    products = [
        path.relative_to(local) for name in PRODUCTS for path in local.glob(f"*/runs/*/*/{name}")
    ]
    assert products
    for product in products:
        assert (run / product).read_bytes() == (local / product).read_bytes(), product


def test_the_profile_runs_the_workflow_on_slurm_as_locally(cluster, tmp_path, local_run):
    project = project_copy(tmp_path / "project", _cpu_config())
    result = subprocess.run(
        [
            str(BIN / "snakemake"),
            "all",
            "--profile",
            "workflow/profiles/slurm",
            "--slurm-status-command",
            "squeue",
            # The first status check after 1 s, not the plugin's 40 (a site's sensible default,
            # for jobs that run hours): the tiny jobs take seconds.
            "--slurm-init-seconds-before-status-checks",
            "1",
        ],
        cwd=project,
        env=cluster,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    _same_products(project / "results", local_run)


def test_dvc_repro_in_one_allocation_runs_as_locally(cluster, tmp_path, local_run):
    project = project_copy(tmp_path / "project", _cpu_config())
    script = f". {BIN}/activate && dvc repro --quiet"
    result = subprocess.run(
        [
            "sbatch",
            "--wait",
            "--cpus-per-task=2",
            f"--output={tmp_path}/repro.log",
            "--wrap",
            script,
        ],
        cwd=project,
        env=cluster,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    log = (tmp_path / "repro.log").read_text() if (tmp_path / "repro.log").exists() else ""
    assert result.returncode == 0, result.stderr[-2000:] + log[-3000:]
    _same_products(project / "results", local_run)
