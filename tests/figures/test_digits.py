"""The digits figure draws, per feedback point, the mean over replicates with their spread."""

from __future__ import annotations

import numpy as np
import pandas as pd

from odfa.figures.common import plt
from odfa.figures.digits import _plot_per_point


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
