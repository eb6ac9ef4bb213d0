"""Figs. 4a-4c: time per sample against width and depth (ODFA with its modelled optical time,
labelled so) and ODFA's time over DFA's against the projection size."""

from __future__ import annotations

import numpy as np
import pandas as pd

from odfa.figures.common import plt
from odfa.figures.scaling import odfa_hardware_time, plot_scaling, with_plotted_time

SECONDS = {"bp": 4.0, "dfa": 2.0, "odfa": 3.0}


def _timings(tmp_path):
    rows = [
        {"width": width, "depth": depth, "method": method, "batch": 8, "status": "ok",
         "projection_inputs": 10 if method != "bp" else 0,
         "projection_dim": width * depth if method != "bp" else 0,
         "measured_s_per_sample": SECONDS[method] * width,
         "measured_s_per_sample_q1": SECONDS[method] * width - 1,
         "measured_s_per_sample_q3": SECONDS[method] * width + 1,
         "simulated_optics_s_per_sample": 1.0 if method == "odfa" else 0.0,
         "modelled_optical_s_per_sample": 0.5 if method == "odfa" else 0.0}
        for width in (16, 32) for depth in (1, 2) for method in SECONDS
    ]  # fmt: skip
    path = tmp_path / "timings.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_each_method_and_depth_is_a_curve_of_its_plotted_time_with_its_band(tmp_path):
    figures = plot_scaling(_timings(tmp_path), tmp_path)
    assert sorted(figures) == ["fig4a.png", "fig4b.png", "fig4c.png"]
    (axis,) = figures["fig4a.png"].axes
    curves = {line.get_label(): line for line in axis.lines}
    assert sorted(curves) == sorted(
        f"{label}, depth {depth}" for label in ("BP", "DFA", "ODFA") for depth in (1, 2)
    )
    assert list(curves["BP, depth 1"].get_xdata()) == [16, 32]
    assert list(curves["BP, depth 1"].get_ydata()) == [64.0, 128.0]
    assert list(curves["ODFA, depth 2"].get_ydata()) == [47.5, 95.5]  # - simulated + modelled
    assert len(axis.collections) == 6  # an interquartile band per curve
    assert "modelled optical time" in axis.get_title() and axis.get_xscale() == "log"
    (depth_axis,) = figures["fig4b.png"].axes
    assert "DFA, width 32" in {line.get_label() for line in depth_axis.lines}
    for figure in figures.values():
        plt.close(figure)


def test_the_ratio_figure_is_odfa_over_dfa_against_the_projection_size(tmp_path):
    figures = plot_scaling(_timings(tmp_path), tmp_path)
    (axis,) = figures["fig4c.png"].axes
    ratios = {line.get_label(): line for line in axis.lines if line.get_label().startswith("depth")}
    assert list(ratios["depth 1"].get_xdata()) == [160, 320]  # 10 error entries x width
    assert np.allclose(ratios["depth 1"].get_ydata(), [47.5 / 32, 95.5 / 64])
    assert axis.get_ylabel() == "ODFA time / DFA time (per sample)"
    for figure in figures.values():
        plt.close(figure)


def test_the_odfa_curve_swaps_simulated_optics_for_modelled_optics():
    table = pd.DataFrame(
        {
            "measured_s_per_sample": [3.0],
            "simulated_optics_s_per_sample": [1.0],
            "modelled_optical_s_per_sample": [5.0],
        }
    )
    assert odfa_hardware_time(table).iloc[0] == 7.0


def test_the_plotted_spread_moves_with_the_odfa_time():
    table = with_plotted_time(
        pd.DataFrame(
            {
                "status": ["ok", "ok"],
                "method": ["bp", "odfa"],
                "measured_s_per_sample": [3.0, 3.0],
                "measured_s_per_sample_q1": [2.5, 2.5],
                "measured_s_per_sample_q3": [4.0, 4.0],
                "simulated_optics_s_per_sample": [0.0, 1.0],
                "modelled_optical_s_per_sample": [0.0, 5.0],
            }
        )
    )
    assert table["time"].tolist() == [3.0, 7.0]
    assert table["time_q1"].tolist() == [2.5, 6.5] and table["time_q3"].tolist() == [4.0, 8.0]
