"""Faults end cleanly: a killed training resumes to the same result, a full disk while writing a
checkpoint keeps the previous one, and no half-written file is left behind."""

from __future__ import annotations

import errno
import functools
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml

from odfa import train as train_module
from odfa.studies.digits import train_digits
from tests.conftest import (
    BIN,
    REPO,
    SNAKEMAKE,
    odfa_here,
    snakemake,
    tiny_config,
    tools_environment,
    wait_for,
)

COMPARED = ("test_accuracy", "train_accuracy", "final_train_loss", "steps", "optical_frames")


def _train_arguments(config_path: Path, split: Path, out_dir: Path) -> list[str]:
    return ["digits", "train", "--config", str(config_path), "--method", "odfa", "--data",
            str(split), "--out", str(out_dir)]  # fmt: skip


@pytest.mark.slow
def test_a_sigkilled_training_resumes_to_the_same_metrics(tmp_path, digits_split):
    config = tiny_config()
    config["digits"]["training"].update(epochs=6, checkpoint_every=20)
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    train = functools.partial(_train_arguments, config_path, digits_split)
    odfa_here(*train(tmp_path / "whole"))
    whole = json.loads((tmp_path / "whole" / "metrics.json").read_text())

    killed = tmp_path / "killed"
    process = subprocess.Popen([BIN / "odfa", *train(killed)], stderr=subprocess.DEVNULL)
    checkpoint = killed / "checkpoints" / "last.pt"
    wait_for(checkpoint, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "training finished before it could be killed"
    assert not (killed / "metrics.json").exists()
    assert torch.load(checkpoint, weights_only=False)["step"] < whole["steps"]

    odfa_here(*train(killed))  # the command of the killed process, run here
    resumed = json.loads((killed / "metrics.json").read_text())
    assert {key: resumed[key] for key in COMPARED} == {key: whole[key] for key in COMPARED}


@pytest.mark.slow
def test_a_killed_snakemake_run_resumes_its_training_after_unlock(tmp_path):
    config = tiny_config()
    config["digits"]["training"].update(epochs=6, checkpoint_every=20)
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    run_dir = tmp_path / "results" / "digits" / "runs" / "odfa" / "replicate-0"
    arguments = ("--cores", "1", "--configfile", str(config_path), "-d", str(tmp_path))
    arguments += ("results/digits/runs/odfa/replicate-0/metrics.json",)
    process = subprocess.Popen(
        [*SNAKEMAKE, *arguments],
        cwd=REPO,
        env=tools_environment(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(run_dir / "checkpoints" / "last.pt", process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(1)  # a surviving job would now write its outputs
    assert not (run_dir / "metrics.json").exists(), "the job outlived its Snakemake"

    locked = snakemake(*arguments)
    assert locked.returncode != 0 and "--unlock" in locked.stderr
    assert snakemake("--unlock", *arguments).returncode == 0
    resumed = snakemake(*arguments)  # the default profile reruns the incomplete job
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming from" in (tmp_path / "results/logs/digits/train-odfa-0.log").read_text()
    total = json.loads((run_dir / "metrics.json").read_text())["steps"]
    assert list(pd.read_csv(run_dir / "log.csv")["step"]) == list(range(1, total + 1))


def test_a_full_disk_while_checkpointing_keeps_the_previous_checkpoint(
    tmp_path, monkeypatch, digits_split
):
    config = tiny_config()
    config["digits"]["training"].update(epochs=2, checkpoint_every=10)
    saves = []
    real_save = torch.save

    def save_until_the_disk_fills(state, handle):
        saves.append(state.get("step"))
        if len(saves) == 3:
            handle.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        real_save(state, handle)

    monkeypatch.setattr(train_module.torch, "save", save_until_the_disk_fills)
    with pytest.raises(OSError, match="No space left"):
        train_digits(config, "bp", 0, digits_split, tmp_path, identity={})
    checkpoints = tmp_path / "checkpoints"
    assert sorted(path.name for path in checkpoints.iterdir()) == ["last.pt"]  # no temp file
    assert saves == [10, 20, 30]
    assert torch.load(checkpoints / "last.pt", weights_only=False)["step"] == 20
    assert not (tmp_path / "model.pt").exists() and not (tmp_path / "metrics.json").exists()
