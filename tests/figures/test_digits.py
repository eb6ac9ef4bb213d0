"""The digits figure draws, per feedback point, the mean over replicates with their spread."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba

from odfa.figures.common import plt
from odfa.figures.digits import _plot_per_point, plot_digits
from odfa.registry import RUN_COLOURS


def _log(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [1, 2, 3, 4],
            "sample_alignment_mean_hidden.0": [np.nan, values[0], np.nan, values[1]],
        }
    )


def test_each_point_is_the_replicates_mean_with_a_band_of_their_std():
    figure, axis = plt.subplots()
    logs = [_log([0.2, 0.4]), _log([0.4, 0.6])]
    _plot_per_point(axis, logs, "sample_alignment_mean_", {"label": "DFA", "color": "C1"})
    (line,) = axis.lines
    assert line.get_label() == "DFA, hidden.0"
    assert list(line.get_xdata()) == [2, 4]
    np.testing.assert_allclose(line.get_ydata(), [0.3, 0.5])
    (band,) = axis.collections
    vertices = band.get_paths()[0].vertices
    spread = np.std([0.2, 0.4], ddof=1)
    assert np.isclose(vertices[:, 1].min(), 0.3 - spread)
    assert np.isclose(vertices[:, 1].max(), 0.5 + spread)
    plt.close(figure)


def test_the_digits_figure_shows_losses_accuracy_points_and_per_point_curves(tmp_path):
    summary = {}
    for method, accuracy, std in (("bp", 0.969, 0.003), ("dfa", 0.953, 0.006)):
        for replicate in range(2):
            folder = tmp_path / method / f"replicate-{replicate}"
            folder.mkdir(parents=True)
            log = _log([0.5, 0.7]).assign(loss=[1.0, 0.8, 0.6, 0.4])
            log["weight_growth_hidden.0"] = [1.0, 1.1, 1.2, 1.3]
            log.to_csv(folder / "log.csv", index=False)
        summary[method] = {"replicates": 2, "test_accuracy": accuracy, "test_accuracy_std": std}
    (tmp_path / "metrics.json").write_text(json.dumps(summary))
    figure = plot_digits(tmp_path, tmp_path / "metrics.json", tmp_path / "digits.png")
    loss, accuracy, alignment, growth = figure.axes
    assert [line.get_label() for line in loss.lines] == ["BP", "DFA"]
    assert not accuracy.patches  # points with error bars, not bars
    for position, (method, metrics) in enumerate(summary.items()):
        point, _caps, (whisker,) = accuracy.containers[position]
        assert list(point.get_xdata()) == [position]
        assert np.isclose(point.get_ydata()[0], metrics["test_accuracy"])
        (segment,) = whisker.get_segments()
        spread = metrics["test_accuracy_std"]
        np.testing.assert_allclose(
            segment[:, 1], metrics["test_accuracy"] + np.array([-1, 1]) * spread
        )
        assert point.get_color() == RUN_COLOURS[method]
        assert to_rgba(whisker.get_color()[0]) == to_rgba(RUN_COLOURS[method])
    assert [tick.get_text() for tick in accuracy.get_xticklabels()] == ["BP", "DFA"]
    low, high = accuracy.get_ylim()  # zoomed to 0.947-0.972, with a margin, not 0-1
    assert 0.947 - 0.01 < low < 0.947 and 0.972 < high < 0.972 + 0.01
    assert accuracy.get_ylabel() == "test accuracy (fraction of held-out digits)"
    assert loss.get_xlabel() == "training step"
    curves = [line.get_label() for line in alignment.lines if not line.get_label().startswith("_")]
    assert curves == ["BP, hidden.0", "DFA, hidden.0"]
    assert np.allclose(growth.lines[0].get_ydata(), [1.0, 1.1, 1.2, 1.3])
    assert "mean ± std over 2 replicates" in figure._suptitle.get_text()
    assert figure._suptitle.get_text().startswith("MLP on scikit-learn digits: BP, DFA;")
    plt.close(figure)
