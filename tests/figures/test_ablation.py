"""The ablation figure: one point per variant at (fidelity, metric), and the reference lines."""

from __future__ import annotations

import pandas as pd

from odfa.figures import ablation
from odfa.figures.common import plt


def test_each_variant_is_a_point_and_dfa_a_line(tmp_path, monkeypatch):
    table = pd.DataFrame(
        {
            "study": ["digits", "digits", "dialogs"],
            "variant": ["camera_bits-6", "camera-ideal", "camera_bits-6"],
            "setting": ["camera_bits", "camera", "camera_bits"],
            "value": ["6", "ideal", "6"],
            "metric": ["test_accuracy", "test_accuracy", "final_validation_loss"],
            "metric_value": [0.95, 0.97, 2.6],
            "projection_cosine": [0.8, 1.0, 0.7],
        }
    )
    table.to_csv(tmp_path / "metrics.csv", index=False)
    figures = []
    monkeypatch.setattr(ablation, "save_figure", lambda figure, path: figures.append(figure))
    references = {"digits": {"DFA": 0.96}, "dialogs": {"DFA": 2.5}}
    ablation.plot_ablation(tmp_path / "metrics.csv", references, tmp_path / "ablation.png")
    digits_axis, dialogs_axis = figures[0].axes
    points = [collection.get_offsets().tolist() for collection in digits_axis.collections]
    assert points == [[[0.8, 0.95]], [[1.0, 0.97]]]
    assert [list(line.get_ydata()) for line in digits_axis.lines] == [[0.96, 0.96]]
    assert dialogs_axis.collections[0].get_offsets().tolist() == [[0.7, 2.6]]
    plt.close(figures[0])
