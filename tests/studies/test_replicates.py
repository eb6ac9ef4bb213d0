"""Per-replicate rows become a mean, a spread and a verdict per pair of methods."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from odfa.studies.replicates import (
    compare_methods,
    replicate_metrics,
    summarise_replicates,
    write_summary,
)

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


def test_a_summary_is_written_as_csv_and_its_numbers_as_json_named_by_its_keys(tmp_path):
    summary = pd.DataFrame(
        {
            "model": ["vit", "fcnn"],
            "method": ["bp", "odfa"],
            "nrmse_total": [0.5, 0.25],
            "nrmse_total_std": [0.1, float("nan")],
            "label": ["a", "b"],
        }
    )
    write_summary(summary, tmp_path / "metrics.csv", ["model", "method"])
    assert pd.read_csv(tmp_path / "metrics.csv")["label"].tolist() == ["a", "b"]
    assert json.loads((tmp_path / "metrics.json").read_text()) == {
        "vit/bp": {"nrmse_total": 0.5, "nrmse_total_std": 0.1},
        "fcnn/odfa": {"nrmse_total": 0.25, "nrmse_total_std": None},
    }
