"""The digits figure draws, per feedback point, the mean over replicates with their spread."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from odfa.figures.common import plt
from odfa.figures.digits import _plot_per_point, plot_digits


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


def test_the_digits_figure_shows_losses_accuracy_bars_and_per_point_curves(tmp_path):
    summary = {}
    for method, accuracy in (("bp", 0.97), ("dfa", 0.95)):
        for replicate in range(2):
            folder = tmp_path / method / f"replicate-{replicate}"
            folder.mkdir(parents=True)
            log = _log([0.5, 0.7]).assign(loss=[1.0, 0.8, 0.6, 0.4])
            log["weight_growth_hidden.0"] = [1.0, 1.1, 1.2, 1.3]
            log.to_csv(folder / "log.csv", index=False)
        summary[method] = {"replicates": 2, "test_accuracy": accuracy, "test_accuracy_std": 0.01}
    (tmp_path / "metrics.json").write_text(json.dumps(summary))
    figure = plot_digits(tmp_path, tmp_path / "metrics.json", tmp_path / "digits.png")
    loss, accuracy, alignment, growth = figure.axes
    assert [line.get_label() for line in loss.lines] == ["BP", "DFA"]
    assert [bar.get_height() for bar in accuracy.patches] == [0.97, 0.95]
    assert [tick.get_text() for tick in accuracy.get_xticklabels()] == ["BP", "DFA"]
    curves = [line.get_label() for line in alignment.lines if not line.get_label().startswith("_")]
    assert curves == ["BP, hidden.0", "DFA, hidden.0"]
    assert np.allclose(growth.lines[0].get_ydata(), [1.0, 1.1, 1.2, 1.3])
    assert "mean ± std over 2 replicates" in figure._suptitle.get_text()
    assert figure._suptitle.get_text().startswith("MLP on scikit-learn digits: BP, DFA;")
    plt.close(figure)
