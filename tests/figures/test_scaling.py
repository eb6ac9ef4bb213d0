"""Figs. 4a-4d: time per sample against width and depth (ODFA with its modelled optical time,
labelled so) with where ODFA meets BP, ODFA's time over DFA's against the projection size, and
ODFA's over BP's on the width x depth grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from odfa.figures.common import plt
from odfa.figures.scaling import ScalingFigures, ScalingTables, plot_scaling
from odfa.registry import RUN_COLOURS
from odfa.studies.scaling_analysis import summarise
from tests.conftest import scaling_tables_in

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


def _projections(tmp_path):
    rows = [
        {"projection_size": size, "method": method, "batch": 1, "status": "ok",
         "measured_s_per_sample": seconds, "simulated_optics_s_per_sample": simulated,
         "modelled_optical_s_per_sample": modelled}
        for size, method, seconds, simulated, modelled in [
            (100, "dfa", 1e-6, 0.0, 0.0), (100, "odfa", 3e-6, 2e-6, 2e-3),
            (1000, "dfa", 1e-4, 0.0, 0.0), (1000, "odfa", 3e-4, 2e-4, 2e-3),
        ]
    ]  # fmt: skip
    rows.append({"projection_size": 10000, "method": "dfa", "batch": 1, "status": "out_of_memory"})
    rows.append(rows[-2] | {"projection_size": 10000})
    path = tmp_path / "projections.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _plot(tmp_path, timings=None):
    """The figures of the tables the study's summary derives from the timings."""
    timings, projections = timings or _timings(tmp_path), _projections(tmp_path)
    summarise(timings, projections, scaling_tables_in(tmp_path))
    names = {field: f"{field}.csv" for field in ("times", "ratios", "crossover")}
    names |= {"crossover_in_depth": "crossover_in_depth.csv"}
    names |= {"projection_ratios": "projection_ratios.csv"}
    tables = ScalingTables(
        timings=timings, projections=projections, **{f: tmp_path / n for f, n in names.items()}
    )
    return plot_scaling(tables, ScalingFigures(*(tmp_path / f"fig4{x}.png" for x in "abcd")))


def test_each_method_and_depth_is_a_curve_of_its_plotted_time_with_its_band(tmp_path):
    figures = _plot(tmp_path)
    assert sorted(figures) == ["fig4a", "fig4b", "fig4c", "fig4d"]
    (axis,) = figures["fig4a"].axes
    curves = {line.get_label(): line for line in axis.lines if not line.get_label().startswith("_")}
    assert sorted(curves) == sorted(
        f"{label}, depth {depth}" for label in ("BP", "DFA", "ODFA") for depth in (1, 2)
    )
    assert list(curves["BP, depth 1"].get_xdata()) == [16, 32]
    assert list(curves["BP, depth 1"].get_ydata()) == [64.0, 128.0]
    assert list(curves["ODFA, depth 2"].get_ydata()) == [47.5, 95.5]  # - simulated + modelled
    assert len(axis.collections) == 6  # an interquartile band per curve
    assert "MODELLED optical time" in axis.get_title() and axis.get_xscale() == "log"
    (depth_axis,) = figures["fig4b"].axes
    assert "DFA, width 32" in {line.get_label() for line in depth_axis.lines}
    for figure in figures.values():
        plt.close(figure)


def test_figs_4a_and_4b_say_where_odfa_meets_bp_or_that_it_does_not(tmp_path):
    timings = pd.read_csv(_timings(tmp_path))
    slower = (timings["method"] == "odfa") & (timings["width"] == 16) & (timings["depth"] == 2)
    timings.loc[slower, "measured_s_per_sample"] = 100.0  # ODFA 99.5 vs BP 64 at width 16
    timings.to_csv(tmp_path / "crossing.csv", index=False)
    figures = _plot(tmp_path, tmp_path / "crossing.csv")
    (axis,) = figures["fig4a"].axes
    crossing = np.exp((np.log(16) * -np.log(95.5 / 128) + np.log(32) * np.log(99.5 / 64))
                      / (np.log(99.5 / 64) - np.log(95.5 / 128)))  # fmt: skip
    lines = [line for line in axis.lines if line.get_label() == "_crossover"]
    assert [line.get_xdata()[0] for line in lines] == [pytest.approx(crossing)]
    box = axis.texts[0].get_text()
    assert "depth 1: none in range: ODFA faster throughout" in box
    assert f"depth 2: ODFA = BP at width {crossing:.0f} (ODFA faster at the largest width)" in box
    (depth_axis,) = figures["fig4b"].axes
    assert "width 16: ODFA = BP at depth" in depth_axis.texts[0].get_text()
    assert "width 32: none in range: ODFA faster throughout" in depth_axis.texts[0].get_text()
    for figure in figures.values():
        plt.close(figure)


def test_the_ratio_map_draws_odfa_over_bp_on_the_grid_with_a_log_scale_centred_at_1(tmp_path):
    figures = _plot(tmp_path)
    axis = figures["fig4d"].axes[0]
    (mesh,) = [item for item in axis.collections if hasattr(item, "get_array")][:1]
    expected = [[47.5 / 64, 95.5 / 128], [47.5 / 64, 95.5 / 128]]  # depth rows, width columns
    assert np.allclose(np.asarray(mesh.get_array()).reshape(2, 2), expected)
    assert mesh.norm.vmin == pytest.approx(1 / mesh.norm.vmax)
    assert "MODELLED" in axis.get_title()
    for figure in figures.values():
        plt.close(figure)


def test_the_ratio_figure_is_odfa_over_dfa_against_the_projection_size(tmp_path):
    figures = _plot(tmp_path)
    (axis,) = figures["fig4c"].axes
    measured = next(line for line in axis.lines if line.get_label().startswith("measured"))
    assert list(measured.get_xdata()) == [100, 1000]
    # ODFA: 3 measured - 2 simulated optics + 2000 modelled (us): 2001 us vs 1 us, and 2100 vs 100
    assert np.allclose(measured.get_ydata(), [2001.0, 21.0])
    published = next(line for line in axis.lines if "published" in line.get_label())
    assert list(published.get_xdata()) == [1000, 10000]
    out_of_memory = [text for text in axis.texts if text.get_text() == "DFA out of memory"]
    assert len(out_of_memory) == 1 and out_of_memory[0].xy[0] == 10000
    assert "MODELLED" in axis.get_title()
    for figure in figures.values():
        plt.close(figure)


def test_figs_4a_and_4b_colour_each_method_as_everywhere_with_a_short_legend(tmp_path):
    figures = _plot(tmp_path)
    for name, group, values, ticks in (
        ("fig4a", "depth", ["1", "2"], ["16", "32"]),
        ("fig4b", "width", ["16", "32"], ["1", "2"]),
    ):
        (axis,) = figures[name].axes
        legend = axis.get_legend()
        entries = [text.get_text() for text in legend.get_texts()]
        assert entries == ["BP", "DFA", "ODFA", *(f"{group} {value}" for value in values)]
        assert min(text.get_fontsize() for text in legend.get_texts()) >= 8
        assert [label.get_text() for label in axis.get_xticklabels()] == ticks  # plain numbers
        curves = {line.get_label(): line for line in axis.lines}
        for method, label in (("bp", "BP"), ("dfa", "DFA"), ("odfa", "ODFA")):
            largest = curves[f"{label}, {group} {values[1]}"]  # the largest value: full colour
            assert to_rgb(largest.get_color()) == to_rgb(RUN_COLOURS[method])
            smallest = curves[f"{label}, {group} {values[0]}"]
            assert to_rgb(smallest.get_color()) != to_rgb(RUN_COLOURS[method])  # paler
    for figure in figures.values():
        plt.close(figure)
