"""Fig. 4c's projection-size sweep: a row per size and method, DFA out of memory where its
matrix would not fit, the OPU streamed where its dense matrix would not, MODELLED time and
energy from the frame-rate model."""

from __future__ import annotations

import pandas as pd
import pytest

from odfa.optics import FrameRateModel, device
from odfa.studies import projections
from tests.conftest import tiny_config


def test_every_size_has_a_dfa_and_an_odfa_row_with_modelled_time_and_energy(tmp_path):
    config = tiny_config()
    table = projections.run_projections(config, tmp_path / "projections.csv", progress=False)
    assert list(zip(table["projection_size"], table["method"], strict=True)) == [
        (16, "dfa"), (16, "odfa"), (32, "dfa"), (32, "odfa")
    ]  # fmt: skip
    assert (table["status"] == "ok").all() and (table["measured_s_per_sample"] > 0).all()
    assert table.equals(pd.read_csv(tmp_path / "projections.csv"))
    odfa = table[table["method"] == "odfa"]
    assert (odfa["optics_mode"] == "dense").all()
    timing = FrameRateModel(**config["optics"]["timing"])
    # 2 frames (x, x + anchor) for each of the +/- parts of each sample's error
    assert odfa["modelled_optical_s_per_sample"].tolist() == pytest.approx(
        [timing.modelled_seconds(4, 16), timing.modelled_seconds(4, 32)]
    )
    assert odfa["modelled_optical_j_per_sample"].tolist() == pytest.approx(
        (config["optics"]["timing"]["power_w"] * odfa["modelled_optical_s_per_sample"]).tolist()
    )
    dfa = table[table["method"] == "dfa"]
    assert (dfa["modelled_optical_s_per_sample"] == 0).all()
    assert dfa["matrix_bytes"].tolist() == [4 * 16 * 16, 4 * 32 * 32]


def test_dfa_is_out_of_memory_where_its_matrix_would_not_fit_and_the_opu_streams(
    tmp_path, monkeypatch
):
    # blocks of 4 columns, so that a streamed OPU holds less than a dense one at these sizes
    monkeypatch.setattr(device, "BLOCK_COLUMNS", 4)
    monkeypatch.setattr(projections, "BLOCK_COLUMNS", 4)
    config = tiny_config()
    config["scaling"]["memory_limit_bytes"] = 4 * 32 * 32 - 1  # DFA's 32 x 32 matrix: 1 B over
    table = projections.run_projections(config, tmp_path / "projections.csv", progress=False)
    rows = table.set_index(["projection_size", "method"])
    assert rows.loc[(32, "dfa"), "status"] == "out_of_memory (estimated above memory_limit_bytes)"
    assert pd.isna(rows.loc[(32, "dfa"), "measured_s_per_sample"])
    assert rows.loc[(16, "dfa"), "status"] == "ok"
    odfa = table[table["method"] == "odfa"]
    assert (odfa["optics_mode"] == "streamed").all() and (odfa["status"] == "ok").all()
    assert odfa["matrix_bytes"].tolist() == [4 * 2 * 32 * 4, 4 * 2 * 64 * 4]  # one block each
    assert (odfa["modelled_optical_s_per_sample"] > 0).all()


def test_the_opu_is_dense_while_its_matrix_fits_and_without_a_limit():
    assert projections.optics_mode(1000, None, None) == "dense"
    assert projections.optics_mode(1000, None, 4 * 2 * 2000 * 1000) == "dense"
    assert projections.optics_mode(1000, None, 4 * 2 * 2000 * 1000 - 1) == "streamed"
