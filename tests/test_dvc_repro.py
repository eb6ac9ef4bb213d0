"""`dvc repro` reproduces the Snakemake run, and `dvc push` / `dvc pull` restore it bit for bit."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, comparable, project_copy, tiny_config, tools_environment


def run(command: list[str], cwd: Path) -> None:
    """Run single-threaded, as Snakemake runs the training jobs (`threads: 1`): float sums are
    bitwise reproducible for a given thread count, not across thread counts."""
    environment = tools_environment() | {"OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def digests(root: Path, folders: list[str]) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted((root / folder).rglob("*"))
        if path.is_file() and ".gitignore" not in path.name
    }


@pytest.fixture(scope="module")
def dvc_workspace(tmp_path_factory) -> Path:
    """A copy of the project with the tiny config as its config, reproduced with `dvc repro`."""
    workspace = project_copy(tmp_path_factory.mktemp("dvc") / "project", tiny_config())
    run([str(BIN / "dvc"), "repro", "--quiet"], workspace)
    return workspace


@pytest.mark.slow
def test_dvc_repro_gives_the_metrics_of_the_snakemake_run(dvc_workspace, tiny_run):
    for metrics in (
        "digits/metrics.json",
        "dialogs/metrics.csv",
        "climate/metrics.csv",
    ):
        assert comparable(dvc_workspace / "results" / metrics) == comparable(tiny_run / metrics), (
            metrics
        )


@pytest.mark.slow
def test_push_wipe_and_pull_restore_every_cached_output(dvc_workspace, tmp_path):
    cached = ["data/processed", "results/dialogs/runs", "results/climate/runs"]
    before = digests(dvc_workspace, cached)
    run([str(BIN / "dvc"), "remote", "add", "--default", "local", str(tmp_path / "remote")],
        dvc_workspace)  # fmt: skip
    run([str(BIN / "dvc"), "push", "--quiet"], dvc_workspace)
    for folder in ("data/raw", "data/processed", "results", ".dvc/cache"):
        shutil.rmtree(dvc_workspace / folder, ignore_errors=True)
    run([str(BIN / "dvc"), "pull", "--quiet"], dvc_workspace)
    after = digests(dvc_workspace, cached)
    assert after == {name: digest for name, digest in before.items() if name in after}
    models = [name for name in before if name.endswith("model.pt")]
    assert models and all(name in after for name in models)
    assert all(name in after for name in before if "/checkpoints/" in name or "processed" in name)
