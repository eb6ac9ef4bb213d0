"""Study 2 end to end on a tiny generated ClimateBench: fetch, prepare, train, score, summarise."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import xarray as xr

from odfa.studies import climate
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("climate")
    config = tiny_config()
    climate.fetch_archives(config, root / "raw", root / "lock.json")
    summary = climate.prepare(config, root / "raw", root / "data")
    return config, root, summary


def test_preparation_makes_train_and_test_sets(prepared):
    _, root, summary = prepared
    assert summary["train_samples"] == 753 and summary["test_samples"] == 86
    assert sorted(path.name for path in (root / "data").iterdir()) == [
        "prepared.json",
        "test.nc",
        "train.nc",
    ]  # the extracted archives were temporary


@pytest.mark.parametrize("model", ["vit", "fcnn"])
def test_a_run_predicts_ssp245_and_scores_it(prepared, model):
    config, root, _ = prepared
    rows = climate.train_climate(config, model, "odfa", root / "data", root / "runs" / model)
    assert [row["variable"] for row in rows] == ["tas"]
    assert all(rows[0][score] > 0 for score in ("nrmse_spatial", "nrmse_global", "rmse"))
    assert rows[0]["nrmse_total"] == pytest.approx(
        rows[0]["nrmse_spatial"] + 5 * rows[0]["nrmse_global"]
    )
    assert rows[0]["optical_frames"] > 0
    with xr.open_dataset(root / "runs" / model / "predictions.nc") as predictions:
        field = predictions["prediction"]
        assert field.dims == ("variable", "time", "lat", "lon")
        assert int(field["time"][0]) == 2015 and int(field["time"][-1]) == 2100
    assert json.loads((root / "runs" / model / "metrics.json").read_text()) == rows


def test_the_summary_leads_with_the_scores(prepared):
    _, root, _ = prepared
    runs = [root / "runs" / "vit", root / "runs" / "fcnn"]
    table = climate.summarise_climate(runs, root / "metrics.csv")
    assert list(table.columns[:7]) == [
        "model",
        "method",
        "variable",
        "nrmse_spatial",
        "nrmse_global",
        "nrmse_total",
        "rmse",
    ]
    assert pd.read_csv(root / "metrics.csv").shape == (2, table.shape[1])


def test_the_real_source_downloads_both_archives_with_the_lock_file(config, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(
        climate,
        "download",
        lambda remote, path, lock_file: calls.append((remote.name, path.name, lock_file.name)),
    )
    config["climate"]["source"] = "climatebench"
    climate.fetch_archives(config, tmp_path, tmp_path / "lock.json")
    assert calls == [
        ("train_val.tar.gz", "train_val.tar.gz", "lock.json"),
        ("test.tar.gz", "test.tar.gz", "lock.json"),
    ]
