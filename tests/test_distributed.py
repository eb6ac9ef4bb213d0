"""Data-parallel training under torchrun: two CPU processes (gloo) train the digits study to
the result of one process on the same global batches, and resume a checkpoint on any count."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import torch
import yaml

from odfa import distributed
from tests.conftest import BIN, odfa_here, tiny_config, wait_for

COMPARED = ("test_accuracy", "train_accuracy", "final_train_loss", "steps")


def _arguments(config: Path, split: Path, method: str, out_dir: Path) -> list[str]:
    """The arguments of `odfa` that train `method` on the digits."""
    arguments = ["digits", "train", "--config", str(config), "--method", method]
    return [*arguments, "--data", str(split), "--out", str(out_dir)]


def _command(config: Path, split: Path, method: str, out_dir: Path, processes: int) -> list[str]:
    command = [str(BIN / "odfa"), *_arguments(config, split, method, out_dir)]
    if processes == 1:
        return command
    return [
        str(BIN / "torchrun"),
        "--standalone",
        f"--nproc-per-node={processes}",
        "--no-python",
        *command,
    ]


def _metrics(out_dir: Path) -> dict:
    return json.loads((out_dir / "metrics.json").read_text())


@pytest.fixture
def config_path(tmp_path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(tiny_config()))
    return path


def test_alone_a_process_is_the_whole_world():
    batch = torch.arange(5)
    assert (distributed.world_size(), distributed.rank(), distributed.is_main()) == (1, 0, True)
    assert torch.equal(distributed.shard(batch), batch)
    assert distributed.sum_over_ranks({"a": 1.5}, torch.device("cpu")) == {"a": 1.5}
    assert distributed.gather({"x": 1}) == [{"x": 1}]


@pytest.mark.slow
@pytest.mark.parametrize("method", ["bp", "odfa"])  # DDP's own reduction; DFA's (with optics)
def test_two_processes_train_as_one(tmp_path, config_path, method, digits_split):
    odfa_here(*_arguments(config_path, digits_split, method, tmp_path / "1"))  # one process
    subprocess.run(
        _command(config_path, digits_split, method, tmp_path / "2", 2),
        check=True,
        capture_output=True,
    )
    alone, together = _metrics(tmp_path / "1"), _metrics(tmp_path / "2")
    assert together["fingerprint"] == alone["fingerprint"]  # the rank count is no setting
    if method == "odfa":  # each rank's camera draws its own noise: frames and time add up
        assert together["optical_frames"] == alone["optical_frames"]
        assert together["modelled_optical_seconds"] == pytest.approx(
            alone["modelled_optical_seconds"]
        )
        return
    for key in COMPARED:
        assert together[key] == pytest.approx(alone[key], rel=1e-5), key
    losses = [pd.read_csv(tmp_path / f"{count}" / "log.csv")["loss"] for count in (1, 2)]
    assert losses[1].to_numpy() == pytest.approx(losses[0].to_numpy(), rel=1e-5)


@pytest.mark.slow
def test_a_run_killed_on_one_process_resumes_on_two(tmp_path, config_path, digits_split):
    config = yaml.safe_load(config_path.read_text())
    config["digits"]["training"].update(epochs=12, checkpoint_every=20)
    config_path.write_text(yaml.safe_dump(config))
    odfa_here(*_arguments(config_path, digits_split, "dfa", tmp_path / "whole"))
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        _command(config_path, digits_split, "dfa", killed, 1), stderr=subprocess.DEVNULL
    )
    wait_for(killed / "checkpoints" / "last.pt", process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "training finished before it could be killed"
    resumed = subprocess.run(
        _command(config_path, digits_split, "dfa", killed, 2),
        check=True,
        capture_output=True,
        text=True,
    )
    assert "resuming from" in resumed.stderr
    whole, again = _metrics(tmp_path / "whole"), _metrics(killed)
    for key in COMPARED:
        assert again[key] == pytest.approx(whole[key], rel=1e-5), key
