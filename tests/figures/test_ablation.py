"""The ablation figure: one point per variant at (fidelity, metric) with error bars of its spread
over replicates, and the reference lines with their spread as bands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.text import Text

from odfa.figures import ablation
from odfa.figures.common import plt
from odfa.registry import RUN_COLOURS


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
    references = {
        "digits": {"DFA": ablation.Reference(0.96, 0.005)},
        "dialogs": {"DFA": ablation.Reference(2.5, float("nan"))},
    }
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
              "odfa": {"test_accuracy": 0.8, "test_accuracy_std": None,
                       "projection_cosine": 0.95, "projection_cosine_std": 0.02}}  # fmt: skip
    (tmp_path / "digits.json").write_text(json.dumps(digits))
    pd.DataFrame(
        {"method": ["bp", "dfa"], "final_validation_loss": [2.0, 2.5],
         "final_validation_loss_std": [0.1, 0.2]}
    ).to_csv(tmp_path / "dialogs.csv", index=False)  # fmt: skip
    references = ablation.reference_lines(
        tmp_path / "metrics.csv",
        {"digits": tmp_path / "digits.json", "dialogs": tmp_path / "dialogs.csv"},
    )
    assert references["dialogs"] == {"DFA": ablation.Reference(2.5, 0.2)}
    assert references["digits"]["DFA"] == (0.9, 0.01, None, None)  # no optical projection
    assert references["digits"]["ODFA, default optics"][0] == 0.8
    assert np.isnan(references["digits"]["ODFA, default optics"][1])
    assert references["digits"]["ODFA, default optics"][2:] == (0.95, 0.02)  # its own cosine


def _crowded_table(path):
    """The digits ablation as measured: five of seven points within 0.015 of cosine 1."""
    rows = [("camera_bits", "6", 0.972, 0.975), ("camera", "ideal", 0.9625, 1.0),
            ("full_well", "5000", 0.9625, 0.9867), ("threshold", "0.1", 0.929, 0.9964),
            ("anchor_pixels", "2048", 0.964, 0.796),
            ("signal_normalisation", "camera", 0.9556, 0.9962)]  # fmt: skip
    pd.DataFrame(
        {"study": "digits", "variant": [f"{s}-{v}" for s, v, _, _ in rows],
         "setting": [s for s, _, _, _ in rows], "value": [v for _, v, _, _ in rows],
         "metric": "test_accuracy", "replicates": 2,
         "metric_value": [m for _, _, m, _ in rows], "metric_value_std": 0.005,
         "projection_cosine": [c for _, _, _, c in rows], "projection_cosine_std": 0.002}
    ).to_csv(path, index=False)  # fmt: skip
    default = ablation.Reference(0.964, 0.003, 0.996, 0.001)
    references = {"DFA": ablation.Reference(0.9685, 0.002), "ODFA, default optics": default}
    return {"digits": references}


def test_no_two_labels_overlap_and_every_value_carries_its_unit(tmp_path, monkeypatch):
    monkeypatch.setattr(ablation, "save_figure", lambda figure, path: None)
    references = _crowded_table(tmp_path / "metrics.csv")
    figure = ablation.plot_ablation(tmp_path / "metrics.csv", references, tmp_path / "a.png")
    (axis,) = figure.axes
    labels = sorted(text.get_text() for text in axis.texts)
    assert labels == sorted([
        "6 bits", "ideal camera", "5000 electrons", "0.1 x max |error|", "2048 pixels",
        "camera scale", "default optics",
    ])  # fmt: skip
    renderer = figure.canvas.get_renderer()
    texts = [*axis.texts, axis.title, axis.xaxis.label, axis.yaxis.label, *figure.legends[0].texts]
    for label in axis.texts:
        label.update_positions(renderer)
    boxes = [Text.get_window_extent(text, renderer) for text in texts]  # without leader lines
    for index, box in enumerate(boxes[: len(axis.texts)]):  # every value label against all
        clashes = [texts[other].get_text() for other in range(len(boxes))
                   if other != index and box.overlaps(boxes[other])]  # fmt: skip
        assert not clashes, f"{texts[index].get_text()!r} overlaps {clashes}"
        assert axis.get_window_extent(renderer).contains(*box.min)
        assert axis.get_window_extent(renderer).contains(*box.max)
    assert "projection cosine" in axis.get_xlabel() and "fraction" in axis.get_ylabel()
    plt.close(figure)


def test_each_method_keeps_its_colour_and_default_odfa_is_a_point_at_its_cosine(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(ablation, "save_figure", lambda figure, path: None)
    references = _crowded_table(tmp_path / "metrics.csv")
    figure = ablation.plot_ablation(tmp_path / "metrics.csv", references, tmp_path / "a.png")
    (axis,) = figure.axes
    lines = {line.get_label(): line for line in axis.lines}
    assert to_rgba(lines["DFA"].get_color()) == to_rgba(RUN_COLOURS["dfa"])
    assert to_rgba(lines["ODFA, default optics"].get_color()) == to_rgba(RUN_COLOURS["odfa"])
    (default,) = [c for c in axis.containers if c.get_label().startswith("ODFA, default")]
    assert list(zip(*default.lines[0].get_data(), strict=True)) == [(0.996, 0.964)]
    assert to_rgba(default.lines[0].get_color()) == to_rgba(RUN_COLOURS["odfa"])
    methods = {to_rgba(colour) for colour in RUN_COLOURS.values()}
    variants = [c for c in axis.containers if not c.get_label().startswith("ODFA")]
    assert len(variants) == 6
    colours = [to_rgba(c.lines[0].get_color()) for c in variants]
    assert not methods & set(colours), "a variant reuses a method's colour"
    assert len(set(colours)) == len(colours)
    plt.close(figure)
