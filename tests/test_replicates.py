"""A replicate's seeds derive from the config's (its settings never hold the replicate count);
per-replicate rows become a mean, a spread and a verdict per pair of methods."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from odfa.pipeline.stages import restricted_config, stage_settings
from odfa.replicates import (
    REPLICATE_SEED_STRIDE,
    SummaryTables,
    compare_methods,
    method_rows,
    replicate_config,
    replicate_metrics,
    summarise_replicates,
    write_summary,
)
from tests.conftest import DEFAULT_CONFIG


def test_replicate_zero_is_the_configs_own_seeds():
    assert replicate_config(DEFAULT_CONFIG, "dialogs", 0) == DEFAULT_CONFIG


def test_each_seed_of_training_feedback_and_optics_is_shifted():
    shifted = replicate_config(DEFAULT_CONFIG, "climate", 2)
    for section, key in (("feedback", "seed"), ("optics", "seed"), ("optics", "noise_seed")):
        assert shifted[section][key] == DEFAULT_CONFIG[section][key] + 2 * REPLICATE_SEED_STRIDE
    for model in ("vit", "fcnn"):
        assert shifted["climate"]["training"][model]["seed"] == 2 * REPLICATE_SEED_STRIDE
    assert shifted["climate"]["sample"] == DEFAULT_CONFIG["climate"]["sample"]  # same data
    assert shifted["dialogs"] == DEFAULT_CONFIG["dialogs"]  # another study's seeds stay


def test_a_replicate_job_reads_its_seeds_and_not_the_count():
    wildcards = {"run": "odfa", "replicate": "1"}
    settings = stage_settings(DEFAULT_CONFIG, "dialogs_train", wildcards)
    assert settings["dialogs.training"]["seed"] == REPLICATE_SEED_STRIDE
    assert settings["optics"]["seed"] == DEFAULT_CONFIG["optics"]["seed"] + REPLICATE_SEED_STRIDE
    assert not any("replicates" in key for key in settings)
    more = {**DEFAULT_CONFIG, "dialogs": {**DEFAULT_CONFIG["dialogs"], "replicates": 7}}
    assert stage_settings(more, "dialogs_train", wildcards) == settings
    job = restricted_config(DEFAULT_CONFIG, "dialogs_train", wildcards)
    assert job["dialogs"]["training"]["seed"] == REPLICATE_SEED_STRIDE  # derived once


def test_bad_replicates_are_refused():
    with pytest.raises(ValueError, match="unknown replicated study"):
        replicate_config(DEFAULT_CONFIG, "scaling", 1)
    with pytest.raises(ValueError, match=">= 0"):
        replicate_config(DEFAULT_CONFIG, "digits", -1)


ROWS = pd.DataFrame(
    {
        "method": ["bp", "bp", "dfa", "dfa", "odfa", "odfa"],
        "replicate": [0, 1, 0, 1, 0, 1],
        "loss": [1.0, 1.2, 2.0, 2.2, 2.1, 2.5],
        "fingerprint": list("abcdef"),
    }
)


def test_the_summary_has_mean_std_and_count_per_method():
    summary = summarise_replicates(ROWS, ["method"])
    assert list(summary.columns) == ["method", "replicates", "loss", "loss_std"]
    assert summary["replicates"].tolist() == [2, 2, 2]
    assert summary["loss"].tolist() == pytest.approx([1.1, 2.1, 2.3])
    assert summary["loss_std"].tolist() == pytest.approx([0.1414, 0.1414, 0.2828], abs=1e-4)


def test_differences_are_held_against_the_spread():
    comparisons = compare_methods(summarise_replicates(ROWS, ["method"]), "loss")
    verdicts = {(row.method, row.versus): row.exceeds_spread for row in comparisons.itertuples()}
    assert verdicts == {("bp", "dfa"): True, ("bp", "odfa"): True, ("dfa", "odfa"): False}
    dfa_odfa = comparisons.iloc[2]
    assert dfa_odfa["difference"] == pytest.approx(-0.2)
    assert dfa_odfa["spread"] == pytest.approx(0.1414 + 0.2828, abs=1e-4)


def test_one_replicate_gives_no_verdict():
    single = summarise_replicates(ROWS[ROWS["replicate"] == 0], ["method"])
    assert single["loss_std"].isna().all()
    assert compare_methods(single, "loss")["exceeds_spread"].isna().all()


def test_comparisons_stay_inside_their_group():
    rows = pd.concat([ROWS.assign(model="vit"), ROWS.assign(model="fcnn")])
    summary = summarise_replicates(rows, ["model", "method"])
    comparisons = compare_methods(summary, "loss", ["model"])
    assert comparisons.groupby("model").size().to_dict() == {"fcnn": 3, "vit": 3}


def test_replicate_metrics_reads_each_folder_and_drops_provenance(tmp_path):
    for index in range(2):
        folder = tmp_path / f"replicate-{index}"
        folder.mkdir()
        (folder / "metrics.json").write_text(json.dumps({"loss": index, "provenance": {}}))
    assert replicate_metrics(tmp_path, 2) == [
        {"replicate": 0, "loss": 0},
        {"replicate": 1, "loss": 1},
    ]
    with pytest.raises(FileNotFoundError):
        replicate_metrics(tmp_path, 3)


def test_method_rows_are_each_methods_replicates_in_order_method_first(tmp_path):
    for method, losses in {"bp": (1.0, 2.0), "odfa": (3.0, 4.0)}.items():
        for replicate, loss in enumerate(losses):
            folder = tmp_path / method / f"replicate-{replicate}"
            folder.mkdir(parents=True)
            (folder / "metrics.json").write_text(json.dumps({"loss": loss, "provenance": {}}))
    rows = method_rows(tmp_path, ["odfa", "bp"], 2)
    assert list(rows.columns) == ["method", "replicate", "loss"]
    assert rows.values.tolist() == [
        ["odfa", 0, 3.0],
        ["odfa", 1, 4.0],
        ["bp", 0, 1.0],
        ["bp", 1, 2.0],
    ]


def test_a_summary_is_written_as_csv_and_its_numbers_as_json_named_by_its_keys(tmp_path):
    per_replicate = pd.DataFrame({"model": ["vit"], "method": ["bp"], "replicate": [0]})
    summary = pd.DataFrame(
        {
            "model": ["vit", "fcnn"],
            "method": ["bp", "odfa"],
            "nrmse_total": [0.5, 0.25],
            "nrmse_total_std": [0.1, float("nan")],
            "label": ["a", "b"],
        }
    )
    tables = SummaryTables(tmp_path / "each.csv", tmp_path / "mean.csv", tmp_path / "numbers.json")
    write_summary(per_replicate, summary, tables, ["model", "method"])
    assert pd.read_csv(tables.replicates).to_dict("list") == per_replicate.to_dict("list")
    assert pd.read_csv(tables.metrics)["label"].tolist() == ["a", "b"]
    assert json.loads(tables.headline.read_text()) == {
        "vit/bp": {"nrmse_total": 0.5, "nrmse_total_std": 0.1},
        "fcnn/odfa": {"nrmse_total": 0.25, "nrmse_total_std": None},
    }
