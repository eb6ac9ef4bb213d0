"""`dvc repro` reproduces the Snakemake run bit for bit, `dvc push` / `dvc pull` restore it,
`dvc exp run -S` varies a setting, and a killed `dvc repro` resumes its training: on a copy of
the tiny project (run by Snakemake, recorded in DVC by `odfa pipeline record`)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import BIN, comparable, copy_of, tools_environment


def run(command: list[str], cwd: Path) -> str:
    """Run with this environment's thread settings, whatever they are: each `odfa` command sets
    its own thread count from the config, so no OMP_NUM_THREADS is needed to match Snakemake."""
    result = subprocess.run(
        command, cwd=cwd, env=tools_environment(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout + result.stderr


def digests(root: Path, folders: list[str]) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted((root / folder).rglob("*"))
        if path.is_file() and ".gitignore" not in path.name
    }


@pytest.fixture
def dvc_workspace(tiny_project, tmp_path) -> Path:
    """This test's own copy of the tiny project, Snakemake's results recorded by DVC."""
    return copy_of(tiny_project, tmp_path / "project")


# Stages DVC runs again from scratch: one training run of each study.
REPRODUCED = ["digits_train-odfa@1", "climate_train-fcnn-odfa@0", "dialogs_train-odfa@0"]
PRODUCTS = ("model.pt", "predictions.nc")  # logs hold wall-clock times


@pytest.mark.slow
def test_dvc_repro_gives_the_bytes_of_the_snakemake_run(dvc_workspace, tiny_run):
    results = dvc_workspace / "results"
    runs = ("digits/runs/odfa", "climate/runs/fcnn-odfa", "dialogs/runs/odfa")
    replicates = ("replicate-1", "replicate-0", "replicate-0")
    for run_dir, replicate in zip(runs, replicates, strict=True):
        for checkpoints in results.glob(f"{run_dir}/{replicate}/checkpoints"):
            shutil.rmtree(checkpoints)  # from scratch, not resumed at the last step
    environment = tools_environment() | {"OMP_NUM_THREADS": "2"}  # not what the config says
    for stage in REPRODUCED:
        result = subprocess.run(
            [str(BIN / "dvc"), "repro", "--force", "--single-item", stage],
            cwd=dvc_workspace,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "resuming from" not in result.stdout + result.stderr
    compared = [
        path.relative_to(tiny_run)
        for run_dir, replicate in zip(runs, replicates, strict=True)
        for name in PRODUCTS
        for path in tiny_run.glob(f"{run_dir}/{replicate}/{name}")
    ]
    assert len(compared) == 3 + 1  # the models; the climate run's predictions
    for product in compared:
        assert (results / product).read_bytes() == (tiny_run / product).read_bytes(), product
    metrics = "digits/runs/odfa/replicate-1/metrics.json"
    assert comparable(results / metrics) == comparable(tiny_run / metrics)


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


def _exp_runs(node: object) -> list[dict]:
    """Every experiment record (with params and metrics) in `dvc exp show --json` output."""
    if isinstance(node, dict):
        found = [node] if {"params", "metrics"} <= node.keys() else []
        return found + [run for value in node.values() for run in _exp_runs(value)]
    if isinstance(node, list):
        return [run for value in node for run in _exp_runs(value)]
    return []


@pytest.mark.slow
def test_dvc_exp_run_varies_a_setting_and_exp_show_lists_its_headline_metrics(dvc_workspace):
    git = ["git", "-c", "user.name=odfa", "-c", "user.email=odfa@example.org"]
    run([*git, "add", "-A"], dvc_workspace)
    run([*git, "commit", "-q", "-m", "tiny run"], dvc_workspace)
    # BP*'s learning rate: its one run trains again, then the summary; no other run reads it
    setting = "config/config.yaml:dialogs.bp_star_training.learning_rate=0.001"
    output = run(
        [str(BIN / "dvc"), "exp", "run", "-S", setting, "dialogs_summarise"], dvc_workspace
    )
    assert "Running stage 'dialogs_train-bp_star@0'" in output
    assert "Running stage 'dialogs_summarise'" in output
    assert "Running stage 'dialogs_train-odfa" not in output
    assert "Running stage 'digits_train" not in output
    committed = yaml.safe_load(run(["git", "show", "HEAD:config/config.yaml"], dvc_workspace))
    committed["dialogs"]["bp_star_training"]["learning_rate"] = 0.001  # that one, nothing else
    assert yaml.safe_load((dvc_workspace / "config" / "config.yaml").read_text()) == committed
    shown = json.loads(run([str(BIN / "dvc"), "exp", "show", "--json"], dvc_workspace))
    losses = {}
    for record in _exp_runs(shown):
        assert all("/runs/" not in name for name in record["metrics"])  # summaries only
        rate = record["params"]["config/config.yaml"]["data"]["dialogs"]["bp_star_training"]
        summary = record["metrics"]["results/dialogs/metrics.json"]["data"]
        losses[rate["learning_rate"]] = summary["bp_star"]["final_validation_loss"]
    assert set(losses) == {3.0e-3, 0.001} and losses[0.003] != losses[0.001]


@pytest.mark.slow
def test_a_killed_dvc_repro_resumes_its_training(dvc_workspace):
    path = dvc_workspace / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config["digits"]["training"].update(epochs=6, checkpoint_every=20)
    path.write_text(yaml.safe_dump(config))
    run_dir = dvc_workspace / "results" / "digits" / "runs" / "odfa" / "replicate-0"
    stale = set(run_dir.glob("checkpoints-set-aside/*"))
    command = [str(BIN / "dvc"), "repro", "digits_train-odfa@0"]
    process = subprocess.Popen(
        command, cwd=dvc_workspace, env=tools_environment(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while (
        process.poll() is None
        and time.monotonic() < deadline
        and not (
            set(run_dir.glob("checkpoints-set-aside/*")) - stale
            and (run_dir / "checkpoints" / "last.pt").exists()
        )
    ):
        time.sleep(0.05)  # until the fresh run set the old checkpoints aside and saved its own
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "training finished before it could be killed"

    output = run(command, dvc_workspace)
    checkpoint = "results/digits/runs/odfa/replicate-0/checkpoints/last.pt"
    assert f"resuming from {checkpoint} at step" in output
    steps = json.loads((run_dir / "metrics.json").read_text())["steps"]
    assert steps == 6 * 45
    assert list(pd.read_csv(run_dir / "log.csv")["step"]) == list(range(1, steps + 1))
