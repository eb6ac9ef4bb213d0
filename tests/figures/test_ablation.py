"""The ablation figure: one point per variant at (fidelity, metric) with error bars of its spread
over replicates, and the reference lines with their spread as bands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from odfa.figures import ablation
from odfa.figures.common import plt


def test_each_variant_is_a_point_with_error_bars_and_dfa_a_line_with_a_band(tmp_path, monkeypatch):
    table = pd.DataFrame(
        {
            "study": ["digits", "digits", "dialogs"],
            "variant": ["camera_bits-6", "camera-ideal", "camera_bits-6"],
            "setting": ["camera_bits", "camera", "camera_bits"],
            "value": ["6", "ideal", "6"],
            "metric": ["test_accuracy", "test_accuracy", "final_validation_loss"],
            "replicates": [2, 2, 2],
            "metric_value": [0.95, 0.97, 2.6],
            "metric_value_std": [0.01, 0.02, 0.05],
            "projection_cosine": [0.8, 1.0, 0.7],
            "projection_cosine_std": [0.03, 0.0, 0.04],
        }
    )
    table.to_csv(tmp_path / "metrics.csv", index=False)
    monkeypatch.setattr(ablation, "save_figure", lambda figure, path: None)
    references = {"digits": {"DFA": (0.96, 0.005)}, "dialogs": {"DFA": (2.5, float("nan"))}}
    figure = ablation.plot_ablation(tmp_path / "metrics.csv", references, tmp_path / "a.png")
    digits_axis, dialogs_axis = figure.axes
    containers = digits_axis.containers  # one error bar container per setting
    points = [list(zip(*c.lines[0].get_data(), strict=True)) for c in containers]
    assert points == [[(0.8, 0.95)], [(1.0, 0.97)]]
    segments = np.round(
        [s for c in containers for bar in c.lines[2] for s in bar.get_segments()], 6
    )
    assert [[0.77, 0.95], [0.83, 0.95]] in segments.tolist()  # x: cosine +/- its std
    assert [[0.8, 0.94], [0.8, 0.96]] in segments.tolist()  # y: metric +/- its std
    reference = [line for line in digits_axis.lines if line.get_label() == "DFA"]
    assert [list(line.get_ydata()) for line in reference] == [[0.96, 0.96]]
    (band,) = digits_axis.patches  # DFA's spread: mean +/- std
    assert np.isclose(band.get_y(), 0.955) and np.isclose(band.get_y() + band.get_height(), 0.965)
    assert not dialogs_axis.patches  # one replicate: no spread, no band
    assert "mean +/- std over 2 replicates" in figure.texts[0].get_text()
    plt.close(figure)


def test_the_reference_lines_are_dfa_and_default_odfa_of_each_studys_summary(tmp_path):
    pd.DataFrame(
        {"study": ["digits", "dialogs"], "metric": ["test_accuracy", "final_validation_loss"]}
    ).to_csv(tmp_path / "metrics.csv", index=False)
    digits = {"dfa": {"test_accuracy": 0.9, "test_accuracy_std": 0.01},
              "odfa": {"test_accuracy": 0.8, "test_accuracy_std": None}}  # fmt: skip
    (tmp_path / "digits.json").write_text(json.dumps(digits))
    pd.DataFrame(
        {"method": ["bp", "dfa"], "final_validation_loss": [2.0, 2.5],
         "final_validation_loss_std": [0.1, 0.2]}
    ).to_csv(tmp_path / "dialogs.csv", index=False)  # fmt: skip
    references = ablation.reference_lines(
        tmp_path / "metrics.csv",
        {"digits": tmp_path / "digits.json", "dialogs": tmp_path / "dialogs.csv"},
    )
    assert references["dialogs"] == {"DFA": (2.5, 0.2)}
    assert references["digits"]["DFA"] == (0.9, 0.01)
    assert references["digits"]["ODFA, default optics"][0] == 0.8
    assert np.isnan(references["digits"]["ODFA, default optics"][1])
