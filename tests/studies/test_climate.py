"""Study 2 end to end on a tiny generated ClimateBench: fetch, prepare, train, score, summarise."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import xarray as xr

from odfa.pipeline.identity import run_identity
from odfa.registry import climate_run_name
from odfa.studies import climate, climate_data, climate_scores
from tests.conftest import tables_in, tiny_config


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("climate")
    config = tiny_config()
    climate_data.fetch_archives(config, root / "raw", root / "lock.json")
    summary = climate_data.prepare(config, root / "raw", root / "data")
    return config, root, summary


def test_preparation_makes_train_and_test_sets(prepared):
    _, root, summary = prepared
    assert summary["train_samples"] == 753 and summary["test_samples"] == 86
    assert sorted(path.name for path in (root / "data").iterdir()) == [
        "prepared.json",
        "test.nc",
        "train.nc",
    ]  # the extracted archives were temporary


@pytest.fixture(scope="module")
def odfa_runs(prepared):
    """Each model trained with ODFA and scored: model -> (training summary, metrics, folder)."""
    config, root, _ = prepared
    runs = {}
    for model in ("vit", "fcnn"):
        run_dir = root / "runs" / climate_run_name(model, "odfa") / "replicate-0"
        wildcards = {"model": model, "method": "odfa", "replicate": "0"}
        inputs = [root / "data" / name for name in climate.DATA_FILES]
        identity = run_identity(config, "climate_train", wildcards, inputs).as_dict()
        training = climate.train_climate(config, model, "odfa", 0, root / "data", run_dir, identity)
        runs[model] = training, climate_scores.score_run(run_dir, root / "data"), run_dir
    return runs


@pytest.mark.parametrize("model", ["vit", "fcnn"])
def test_a_run_predicts_ssp245_and_scores_it(odfa_runs, model):
    training, metrics, run_dir = odfa_runs[model]
    assert training["optical_frames"] > 0 and training["model"] == model
    assert training["provenance"]["inputs"].keys() == {"train.nc", "test.nc"}
    scores = metrics["scores"]
    assert list(scores) == ["tas"]
    assert all(scores["tas"][score] > 0 for score in ("nrmse_spatial", "nrmse_global", "rmse"))
    assert scores["tas"]["nrmse_total"] == pytest.approx(
        scores["tas"]["nrmse_spatial"] + 5 * scores["tas"]["nrmse_global"]
    )
    assert metrics["fingerprint"] == training["fingerprint"]
    with xr.open_dataset(run_dir / "predictions.nc") as predictions:
        field = predictions["prediction"]
        assert field.dims == ("variable", "time", "lat", "lon")
        assert int(field["time"][0]) == 2015 and int(field["time"][-1]) == 2100
    assert json.loads((run_dir / "metrics.json").read_text()) == metrics


def test_the_summary_leads_with_the_scores(prepared, odfa_runs):
    _, root, _ = prepared
    summary = climate_scores.summarise_climate(["odfa"], 1, root / "runs", tables_in(root))
    replicates = pd.read_csv(root / "replicates.csv")
    assert list(replicates.columns[:8]) == [
        "model",
        "method",
        "variable",
        "replicate",
        "nrmse_spatial",
        "nrmse_global",
        "nrmse_total",
        "rmse",
    ]
    assert "provenance" not in replicates and replicates["fingerprint"].str.len().eq(16).all()
    assert list(summary.columns[:6]) == [
        "model",
        "method",
        "variable",
        "replicates",
        "nrmse_spatial",
        "nrmse_spatial_std",
    ]
    assert pd.read_csv(root / "metrics.csv").shape == (2, summary.shape[1])
    comparisons = pd.read_csv(root / "comparisons.csv")
    assert comparisons.empty or comparisons["exceeds_spread"].isna().all()  # one replicate each


def test_all_four_targets_run_end_to_end(tmp_path):
    """tas, the diurnal temperature range (with the historical gaps of member 1), pr and pr90
    (in mm/day): prepared, trained on, predicted and scored."""
    config = tiny_config()
    variables = ["tas", "diurnal_temperature_range", "pr", "pr90"]
    config["climate"]["variables"] = variables
    config["climate"]["training"]["fcnn"]["epochs"] = 1
    climate_data.fetch_archives(config, tmp_path / "raw", tmp_path / "lock.json")
    summary = climate_data.prepare(config, tmp_path / "raw", tmp_path / "data")
    assert summary["missing_values"]["historical"]["diurnal_temperature_range"] > 0
    assert summary["target_units"]["pr90"] == "mm day-1"
    run_dir = tmp_path / "runs" / "fcnn-bp" / "replicate-0"
    climate.train_climate(config, "fcnn", "bp", 0, tmp_path / "data", run_dir, identity={})
    scores = climate_scores.score_run(run_dir, tmp_path / "data")["scores"]
    assert list(scores) == variables
    assert all(
        math.isfinite(value) and value > 0 for score in scores.values() for value in score.values()
    )
