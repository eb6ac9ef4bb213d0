"""The digits study with the default config: every method learns, in the expected order."""

from __future__ import annotations

import copy
import json
import statistics

import pandas as pd
import pytest

from odfa.figures.digits import plot_digits
from odfa.pipeline.stages import restricted_config
from odfa.studies.digits import train_digits
from odfa.studies.digits_summary import summarise_digits

REPLICATES = 2


@pytest.fixture(scope="module")
def digits_runs(tmp_path_factory, digits_split):
    """Every method over two replicates, each trained on its stage's config (its own seeds)."""
    from tests.conftest import DEFAULT_CONFIG

    root, split = tmp_path_factory.mktemp("digits"), digits_split
    replicates = {
        method: [
            train_digits(
                restricted_config(
                    DEFAULT_CONFIG, "digits_train", {"method": method, "replicate": str(index)}
                ),
                method,
                index,
                split,
                root / method / f"replicate-{index}",
                identity={},
            )
            for index in range(REPLICATES)
        ]
        for method in ("bp", "dfa", "odfa", "shallow")
    }
    return root, replicates


@pytest.mark.slow
def test_accuracy_of_each_method(digits_runs):
    _, replicates = digits_runs
    metrics = {method: runs[0] for method, runs in replicates.items()}
    assert metrics["bp"]["test_accuracy"] >= 0.93
    assert metrics["dfa"]["test_accuracy"] >= 0.93
    assert metrics["odfa"]["test_accuracy"] >= 0.90  # camera quantisation and noise switched on
    assert metrics["shallow"]["test_accuracy"] < metrics["dfa"]["test_accuracy"]
    assert metrics["shallow"]["trained_parameters"] < metrics["shallow"]["parameters"]
    assert metrics["odfa"]["optical_frames"] > 0
    assert metrics["odfa"]["final_alignment"] > 0.2


@pytest.mark.slow
def test_replicates_differ_by_their_seeds(digits_runs):
    _, replicates = digits_runs
    for method, (first, second) in replicates.items():
        assert first["fingerprint"] != second["fingerprint"], method
        assert first["final_train_loss"] != second["final_train_loss"], method


@pytest.mark.slow
def test_summary_and_figure(digits_runs, tmp_path):
    root, replicates = digits_runs
    summary_path = tmp_path / "metrics.json"
    summarise_digits(list(replicates), REPLICATES, root, summary_path, tmp_path / "replicates.csv")
    summary = json.loads(summary_path.read_text())
    assert set(summary) == {"bp", "dfa", "odfa", "shallow"}
    accuracies = [run["test_accuracy"] for run in replicates["bp"]]
    assert summary["bp"]["replicates"] == REPLICATES
    assert summary["bp"]["test_accuracy"] == pytest.approx(statistics.mean(accuracies))
    assert summary["bp"]["test_accuracy_std"] == pytest.approx(statistics.stdev(accuracies))
    rows = pd.read_csv(tmp_path / "replicates.csv")
    assert rows.groupby("method")["replicate"].apply(list).to_dict() == {
        method: [0, 1] for method in summary
    }
    plot_digits(root, summary_path, tmp_path / "digits.png")
    assert (tmp_path / "digits.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("recovery", ["anchor", "linear_transform"])
def test_odfa_learns_on_a_real_opus_stand_in(monkeypatch, tmp_path, recovery, digits_split):
    """optics.simulated: false, lightonml's calls answered by the stand-in: the run learns,
    reports the OPU's measured seconds and the repeat-estimated fidelity; lightonml's own
    recovery shows frames it does not report, so no optical time is modelled for it."""
    pytest.importorskip("lightonml")
    from tests.conftest import DEFAULT_CONFIG
    from tests.optics.opu_stand_in import use_stand_in

    use_stand_in(monkeypatch)
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["optics"] |= {"backend": "lightonml", "simulated": False, "recovery": recovery}
    config["digits"]["training"]["epochs"] = 5
    metrics = train_digits(config, "odfa", 0, digits_split, tmp_path / "odfa", identity={})
    assert metrics["test_accuracy"] >= 0.85
    assert metrics["opu_seconds"] > 0 and "simulated_optics_seconds" not in metrics
    assert 0.8 < metrics["projection_cosine"] <= 1.0
    assert "projection_cosine_unternarised" not in metrics
    assert ("modelled_optical_seconds" in metrics) == (recovery == "anchor")
