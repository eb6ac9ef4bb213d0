"""What `make run` prints at the end: the report, the figures and each study's headline table."""

from __future__ import annotations

import json

import pandas as pd

from odfa.pipeline.summary import run_summary, scaling_headline, spread


def test_a_value_reads_mean_plus_minus_spread_or_the_mean_alone():
    table = pd.DataFrame({"loss": [2.2234, 1.5], "loss_std": [0.0051, float("nan")]})
    assert list(spread(table, "loss")) == ["2.22 ± 0.0051", "1.5"]


def test_the_scaling_headline_is_the_largest_point_with_odfa_modelled_time_labelled(tmp_path):
    rows = [
        {"width": width, "depth": 2, "method": method, "status": status,
         "measured_s_per_sample": 2.0, "measured_s_per_sample_q1": 1.0,
         "measured_s_per_sample_q3": 3.0, "modelled_optical_s_per_sample": 0.5,
         "modelled_optical_j_per_sample": 15.0}
        for width, status in ((16, "ok"), (32, "ok"), (64, "out_of_memory"))
        for method in ("bp", "odfa")
    ]  # fmt: skip
    (tmp_path / "scaling").mkdir()
    pd.DataFrame(rows).to_csv(tmp_path / "scaling" / "timings.csv", index=False)
    headline = scaling_headline(tmp_path)
    assert list(headline["width x depth"]) == ["32 x 2", "32 x 2"]  # 64 did not fit
    assert list(headline["method"]) == ["BP", "ODFA"]
    assert list(headline["MODELLED optical s/sample"]) == ["-", "0.5"]
    assert list(headline["MODELLED optical J/sample"]) == ["-", "15"]
    assert list(headline["measured IQR"]) == ["1-3", "1-3"]


def test_a_missing_study_says_so_and_the_rest_is_shown(tmp_path):
    (tmp_path / "digits").mkdir()
    metrics = {"bp": {"replicates": 3, "test_accuracy": 0.969, "test_accuracy_std": 0.008}}
    (tmp_path / "digits" / "metrics.json").write_text(json.dumps(metrics))
    text = run_summary(tmp_path, tmp_path / "report.html")
    assert f"Report:  not made ({tmp_path / 'report.html'} is missing)" in text
    assert "BP           3 0.969 ± 0.008" in text
    assert text.count("not made") == 6  # the report, four studies and the scorecard


def test_the_tiny_run_summary_names_every_product(tiny_run):
    text = run_summary(tiny_run, tiny_run / "missing.html")
    for figure in ("digits.png", "fig2c.png", "fig3b.png", "fig4a.png", "ablation.png"):
        assert figure in text
    assert "not made" not in text.replace("Report:  not made", "")
    for run in ("BP*", "ODFA", "SHLW", "FCNN", "camera-ideal", "MODELLED optical", "verdict"):
        assert run in text
