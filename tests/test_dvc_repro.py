"""`dvc repro` reproduces the Snakemake run bit for bit, and a killed `dvc repro` resumes its
training: on a copy of the tiny project (run by Snakemake, recorded in DVC by `odfa pipeline
record`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pandas as pd
import pytest
import yaml

from tests.conftest import BIN, comparable, in_project_ok, tools_environment

# Stages DVC runs again from scratch: one training run of each study.
REPRODUCED = ["digits_train-odfa@1", "climate_train-fcnn-odfa@0", "dialogs_train-odfa@0"]
PRODUCTS = ("model.pt", "predictions.nc")  # logs hold wall-clock times


@pytest.mark.slow
def test_dvc_repro_gives_the_bytes_of_the_snakemake_run(tiny_copy, tiny_run):
    results = tiny_copy / "results"
    runs = ("digits/runs/odfa", "climate/runs/fcnn-odfa", "dialogs/runs/odfa")
    replicates = ("replicate-1", "replicate-0", "replicate-0")
    for run_dir, replicate in zip(runs, replicates, strict=True):
        for checkpoints in results.glob(f"{run_dir}/{replicate}/checkpoints"):
            shutil.rmtree(checkpoints)  # from scratch, not resumed at the last step
    environment = tools_environment() | {"OMP_NUM_THREADS": "2"}  # not what the config says
    result = subprocess.run(
        [str(BIN / "dvc"), "repro", "--force", "--single-item", *REPRODUCED],
        cwd=tiny_copy,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "resuming from" not in result.stdout + result.stderr
    assert result.stdout.count("Running stage") == len(REPRODUCED), result.stdout
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
def test_a_killed_dvc_repro_resumes_its_training(tiny_copy):
    path = tiny_copy / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config["digits"]["training"].update(epochs=6, checkpoint_every=20)
    path.write_text(yaml.safe_dump(config))
    run_dir = tiny_copy / "results" / "digits" / "runs" / "odfa" / "replicate-0"
    stale = set(run_dir.glob("checkpoints-set-aside/*"))
    command = [str(BIN / "dvc"), "repro", "digits_train-odfa@0"]
    process = subprocess.Popen(
        command, cwd=tiny_copy, env=tools_environment(), start_new_session=True,
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

    resumed = in_project_ok(tiny_copy, *command)
    output = resumed.stdout + resumed.stderr
    checkpoint = "results/digits/runs/odfa/replicate-0/checkpoints/last.pt"
    assert f"resuming from {checkpoint} at step" in output
    steps = json.loads((run_dir / "metrics.json").read_text())["steps"]
    assert steps == 6 * 45
    assert list(pd.read_csv(run_dir / "log.csv")["step"]) == list(range(1, steps + 1))
