"""The digits figure draws, per feedback point, the alignment mean with its spread and the
weight-norm growth from the training log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from odfa.figures.common import plt
from odfa.figures.digits import _plot_per_point


def _log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [1, 2, 3, 4],
            "sample_alignment_mean_hidden.0": [np.nan, 0.2, np.nan, 0.4],
            "sample_alignment_std_hidden.0": [np.nan, 0.1, np.nan, 0.05],
            "weight_growth_hidden.0": [np.nan, 1.01, np.nan, 1.03],
        }
    )


def test_each_point_is_a_line_of_its_measured_steps_with_a_spread_band():
    figure, axis = plt.subplots()
    _plot_per_point(axis, _log(), "sample_alignment_mean_", {"label": "DFA", "color": "C1"}, True)
    (line,) = axis.lines
    assert line.get_label() == "DFA, hidden.0"
    assert list(line.get_xdata()) == [2, 4] and list(line.get_ydata()) == [0.2, 0.4]
    (band,) = axis.collections
    vertices = band.get_paths()[0].vertices
    assert np.isclose(vertices[:, 1].min(), 0.1) and np.isclose(vertices[:, 1].max(), 0.45)
    plt.close(figure)


def test_weight_growth_is_drawn_without_a_band():
    figure, axis = plt.subplots()
    _plot_per_point(axis, _log(), "weight_growth_", {"label": "ODFA", "color": "C2"})
    assert [list(line.get_ydata()) for line in axis.lines] == [[1.01, 1.03]]
    assert not axis.collections
    plt.close(figure)
