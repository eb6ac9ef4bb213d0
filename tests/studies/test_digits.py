"""The digits study with the default config: every method learns, in the expected order."""

from __future__ import annotations

import copy
import json

import pytest

from odfa.figures.digits import plot_digits
from odfa.studies.digits import summarise, train_digits


@pytest.fixture(scope="module")
def digits_runs(tmp_path_factory):
    from tests.conftest import DEFAULT_CONFIG

    root = tmp_path_factory.mktemp("digits")
    metrics = {
        method: train_digits(DEFAULT_CONFIG, method, root / method)
        for method in ("bp", "dfa", "odfa", "shallow")
    }
    return root, metrics


def test_accuracy_of_each_method(digits_runs):
    _, metrics = digits_runs
    assert metrics["bp"]["test_accuracy"] >= 0.93
    assert metrics["dfa"]["test_accuracy"] >= 0.93
    assert metrics["odfa"]["test_accuracy"] >= 0.90  # camera quantisation and noise switched on
    assert metrics["shallow"]["test_accuracy"] < metrics["dfa"]["test_accuracy"]
    assert metrics["shallow"]["trained_parameters"] < metrics["shallow"]["parameters"]
    assert metrics["odfa"]["optical_frames"] > 0
    assert metrics["odfa"]["final_alignment"] > 0.2


def test_summary_and_figure(digits_runs, tmp_path):
    root, metrics = digits_runs
    summary_path = tmp_path / "metrics.json"
    summarise(list(metrics), root, summary_path)
    summary = json.loads(summary_path.read_text())
    assert set(summary) == {"bp", "dfa", "odfa", "shallow"}
    assert summary["bp"]["test_accuracy"] == metrics["bp"]["test_accuracy"]
    plot_digits(root, summary_path, tmp_path / "digits.png")
    assert (tmp_path / "digits.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("recovery", ["anchor", "linear_transform"])
def test_odfa_learns_on_a_real_opus_stand_in(monkeypatch, tmp_path, recovery):
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
    metrics = train_digits(config, "odfa", tmp_path / "odfa")
    assert metrics["test_accuracy"] >= 0.85
    assert metrics["opu_seconds"] > 0 and "simulated_optics_seconds" not in metrics
    assert 0.8 < metrics["projection_cosine"] <= 1.0
    assert "projection_cosine_unternarised" not in metrics
    assert ("modelled_optical_seconds" in metrics) == (recovery == "anchor")
