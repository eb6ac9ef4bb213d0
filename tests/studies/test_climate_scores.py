"""Study 2's table: one row per replicate and variable, the mean and spread per (model, method,
variable), and which methods differ beyond their spread."""

from __future__ import annotations

import json

import pandas as pd

from odfa.registry import climate_run_name
from odfa.studies.climate_scores import SCORES, summarise_climate
from tests.conftest import tables_in


def _write_metrics(runs, model, method, replicate, total):
    folder = runs / climate_run_name(model, method) / f"replicate-{replicate}"
    folder.mkdir(parents=True)
    scores = {"tas": dict.fromkeys(SCORES, total) | {"nrmse_total": total}}
    metrics = {"model": model, "method": method, "fingerprint": f"{replicate:016d}",
               "provenance": {"code": "x"}, "steps": 10, "scores": scores}  # fmt: skip
    (folder / "metrics.json").write_text(json.dumps(metrics))


def test_the_summary_has_the_mean_and_spread_and_orders_only_beyond_it(tmp_path):
    runs = tmp_path / "runs"
    totals = {("vit", "bp"): (1.0, 1.2), ("vit", "dfa"): (2.0, 2.2),
              ("fcnn", "bp"): (1.0, 1.4), ("fcnn", "dfa"): (1.2, 1.6)}  # fmt: skip
    for (model, method), values in totals.items():
        for replicate, total in enumerate(values):
            _write_metrics(runs, model, method, replicate, total)
    summary = summarise_climate(["bp", "dfa"], 2, runs, tables_in(tmp_path))
    rows = summary.set_index(["model", "method"])
    assert rows.loc[("vit", "dfa"), "nrmse_total"] == 2.1
    assert abs(rows.loc[("fcnn", "bp"), "nrmse_total_std"] - 0.2828) < 1e-4
    assert (summary["replicates"] == 2).all()
    replicates = pd.read_csv(tmp_path / "replicates.csv", dtype={"fingerprint": str})
    assert len(replicates) == 8 and "provenance" not in replicates
    comparisons = pd.read_csv(tmp_path / "comparisons.csv").set_index("model")
    assert bool(comparisons.loc["vit", "exceeds_spread"])  # 1.1 vs 2.1, spreads 0.14 each
    assert not bool(comparisons.loc["fcnn", "exceeds_spread"])  # 1.2 vs 1.4, spreads 0.28


def test_the_pattern_scaling_baseline_is_one_row_whose_scores_have_no_spread(tmp_path):
    runs = tmp_path / "runs"
    for model in ("vit", "fcnn"):
        for replicate, total in enumerate((1.0, 1.2)):
            _write_metrics(runs, model, "bp", replicate, total)
    baseline = tmp_path / "pattern_scaling.json"
    scores = {"tas": dict.fromkeys(SCORES, 0.5)}
    baseline.write_text(
        json.dumps(
            {
                "model": "pattern_scaling",
                "method": "least_squares",
                "parameters": 7,
                "provenance": {"code": "x"},
                "scores": scores,
            }
        )
    )
    summary = summarise_climate(["bp"], 2, runs, tables_in(tmp_path), baseline)
    row = summary.iloc[-1]
    assert (row["model"], row["method"], row["replicates"]) == (
        "pattern_scaling",
        "least_squares",
        1,
    )
    assert row["nrmse_total"] == 0.5 and row["nrmse_total_std"] == 0.0 and row["rmse_std"] == 0.0
    assert summary.iloc[0]["nrmse_total_std"] > 0  # the trained runs keep their spread
    table = pd.read_csv(tmp_path / "metrics.csv")
    assert table.iloc[-1]["model"] == "pattern_scaling" and table.iloc[-1]["nrmse_spatial_std"] == 0
    headline = json.loads((tmp_path / "metrics.json").read_text())
    assert headline["pattern_scaling/least_squares/tas"]["nrmse_total"] == 0.5
    replicates = pd.read_csv(tmp_path / "replicates.csv")
    assert len(replicates) == 5 and "provenance" not in replicates
    assert "pattern_scaling" not in set(pd.read_csv(tmp_path / "comparisons.csv")["model"])
