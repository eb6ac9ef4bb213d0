"""Study 3: the sweep's CSV, out-of-memory points, the modelled optical time, the figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import torch

from odfa.optics import FrameRateModel
from odfa.studies import scaling
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    path = tmp_path_factory.mktemp("scaling") / "timings.csv"
    scaling.run_sweep(tiny_config(), path, progress=False)
    return path


def test_the_csv_has_every_point_and_the_documented_columns(sweep):
    table = pd.read_csv(sweep)
    required = {
        "width", "depth", "method", "batch", "params", "projection_dim",
        "measured_s_per_sample", "modelled_optical_s_per_sample", "peak_mem_bytes", "status",
    }  # fmt: skip
    assert required <= set(table.columns)
    assert len(table) == 2 * 2 * 3 and (table["status"] == "ok").all()
    assert (table["measured_s_per_sample"] > 0).all() and (table["peak_mem_bytes"] > 0).all()
    quartiles = table[["measured_s_per_sample_q1", "measured_s_per_sample_q3"]]
    assert (quartiles.iloc[:, 0] <= table["measured_s_per_sample"]).all()
    assert (table["measured_s_per_sample"] <= quartiles.iloc[:, 1]).all()
    assert (table.loc[table["method"] != "odfa", "modelled_optical_s_per_sample"] == 0).all()
    row = table[(table["width"] == 32) & (table["depth"] == 2) & (table["method"] == "bp")]
    assert int(row["params"].iloc[0]) == 2 * (32 * 32 + 32) + 32 * 32 + 32


def test_the_modelled_optical_time_is_four_frames_per_sample_and_its_energy_power_times_it(
    sweep,
):
    """A ternary error needs 2 frames (x and x + anchor) for each of its +/- parts."""
    table = pd.read_csv(sweep)
    config = tiny_config()
    timing = FrameRateModel(**config["optics"]["timing"])
    for _, row in table[table["method"] == "odfa"].iterrows():
        camera = row["projection_dim"]
        expected = timing.modelled_seconds(4, camera)
        assert math.isclose(row["modelled_optical_s_per_sample"], expected, rel_tol=1e-9)
        joules = timing.power_w * expected  # the published power times the modelled time
        assert math.isclose(row["modelled_optical_j_per_sample"], joules, rel_tol=1e-9)
    assert (table.loc[table["method"] != "odfa", "modelled_optical_j_per_sample"] == 0).all()


def test_a_point_above_the_memory_cap_is_recorded_and_the_sweep_goes_on(tmp_path):
    config = tiny_config()
    weights = 2 * (32 * 32 + 32) + 32 * 32 + 32
    largest = scaling.estimated_bytes(weights, 32, 2, 32, 8, "odfa", True)
    config["scaling"]["memory_limit_bytes"] = largest - 1
    table = scaling.run_sweep(config, tmp_path / "timings.csv", progress=False)
    skipped = table[table["status"] != "ok"]
    assert list(zip(skipped["width"], skipped["depth"], skipped["method"], strict=True)) == [
        (32, 2, "odfa")
    ]
    assert skipped["status"].iloc[0].startswith("out_of_memory")
    assert skipped["measured_s_per_sample"].isna().all()
    assert (table.loc[table["status"] == "ok", "measured_s_per_sample"] > 0).all()


def test_an_allocation_failure_is_recorded_but_other_errors_propagate(monkeypatch):
    config = tiny_config()

    def exhausted(*arguments, **keywords):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(scaling, "TrainingStep", exhausted)
    row = scaling.measure_point(config, 16, 1, "dfa", torch.device("cpu"))
    assert row["status"] == "out_of_memory (OutOfMemoryError)"

    def broken(*arguments, **keywords):
        raise RuntimeError("shape mismatch")

    monkeypatch.setattr(scaling, "TrainingStep", broken)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        scaling.measure_point(config, 16, 1, "dfa", torch.device("cpu"))
