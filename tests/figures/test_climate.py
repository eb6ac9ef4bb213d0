"""Figs. 3b and 3c: score bars with their spread and the published lines; maps of the mean
prediction, its bias and the spread of the replicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba

from odfa.figures.climate import SCORES, plot_maps, plot_scores
from odfa.figures.common import plt
from odfa.registry import RUN_COLOURS, climate_run_name

LAT, LON = np.array([-45.0, 45.0]), np.array([0.0, 120.0, 240.0])
MAP_RUNS = (("vit", "bp"), ("vit", "odfa"), ("fcnn", "odfa"))
ALL_RUNS = tuple((model, method) for model in ("vit", "fcnn") for method in ("bp", "dfa", "odfa"))


def _metrics(tmp_path, runs):
    scores = ("nrmse_spatial", "nrmse_global", "nrmse_total", "rmse")
    rows = [
        {"model": model, "method": method, "variable": "tas", "replicates": 2}
        | {score: value for score in scores}
        | {f"{score}_std": value / 10 for score in scores}
        for value, (model, method) in enumerate(runs, 1)
    ]
    path = tmp_path / "metrics.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def metrics(tmp_path):
    return _metrics(tmp_path, MAP_RUNS)


def test_the_score_bars_are_the_means_with_error_bars_and_published_lines(metrics, tmp_path):
    figure = plot_scores(metrics, tmp_path / "fig3b.png")
    spatial, _, total, _ = figure.axes
    assert [bar.get_height() for bar in spatial.patches] == [1.0, 2.0, 3.0]
    (errors,) = [c for c in spatial.containers if hasattr(c, "has_yerr")]
    segments = [segment[:, 1].tolist() for segment in errors.lines[2][0].get_segments()]
    assert np.allclose(segments, [[0.9, 1.1], [1.8, 2.2], [2.7, 3.3]])
    assert [label.get_text() for label in spatial.get_xticklabels()] == [
        "ViT (BP)", "ViT (ODFA)", "FCNN (ODFA)",
    ]  # fmt: skip
    published = [line for line in total.lines if not line.get_label().startswith("_")]
    assert [line.get_label() for line in published] == [
        f"{name} (published, real data)"
        for name in (
            "neural network (CNN-LSTM)", "Gaussian process", "random forest", "ClimaX (ViT)",
            "linear pattern scaling",
        )
    ]  # fmt: skip
    heights = [line.get_ydata()[0] for line in published]
    assert heights == [0.327, 0.478, 0.400, 0.300, 0.2836]  # the papers' tas NRMSE total
    assert "mean ± std over 2 replicates" in figure._suptitle.get_text()
    plt.close(figure)


def test_pattern_scaling_is_a_hatched_bar_beside_its_published_line(metrics, tmp_path):
    table = pd.read_csv(metrics)
    floor = {"model": "pattern_scaling", "method": "least_squares", "variable": "tas"}
    floor |= {"replicates": 1, "nrmse_spatial": 0.09, "nrmse_global": 0.04}
    floor |= {"nrmse_total": 0.29, "rmse": 0.3} | {f"{s}_std": 0.0 for s in SCORES}
    pd.concat([table, pd.DataFrame([floor])]).to_csv(metrics, index=False)
    figure = plot_scores(metrics, tmp_path / "fig3b.png")
    spatial, _, total, _ = figure.axes
    assert [bar.get_height() for bar in total.patches] == [1.0, 2.0, 3.0, 0.29]
    assert [bar.get_hatch() for bar in total.patches] == ["", "", "..", "//"]  # FCNN dotted
    assert spatial.get_xticklabels()[-1].get_text() == "pattern scaling (least squares)"
    for axis, heights in ((spatial, (0.086, 0.0786)), (total, (0.300, 0.2836))):
        lines = {line.get_label(): line for line in axis.lines}
        climax = lines["ClimaX (ViT) (published, real data)"]
        floor_line = lines["linear pattern scaling (published, real data)"]
        assert (climax.get_ydata()[0], floor_line.get_ydata()[0]) == heights
        assert to_rgba(climax.get_color()) == to_rgba("black")
        assert to_rgba(floor_line.get_color()) == total.patches[-1].get_facecolor()
    assert "2 replicates" in figure._suptitle.get_text()  # the single fit is not a replicate
    plt.close(figure)


def _predictions(tmp_path, runs):
    """The target and every run's two replicates: run i predicts 1 + i -/+ 0.5 everywhere."""
    truth = np.ones((1, 1, 2, 3))
    xr.Dataset(
        {"targets": (("sample", "variable", "lat", "lon"), truth), "year": (("sample",), [2100])},
        coords={"variable": ["tas"], "lat": LAT, "lon": LON},
    ).to_netcdf(tmp_path / "test.nc")
    for offset, run in enumerate(runs):
        for replicate, shift in enumerate((-0.5, 0.5)):
            folder = tmp_path / "runs" / climate_run_name(*run) / f"replicate-{replicate}"
            folder.mkdir(parents=True)
            field = np.full((1, 1, 2, 3), 1.0 + offset + shift)
            xr.Dataset(
                {"prediction": (("variable", "time", "lat", "lon"), field)},
                coords={"variable": ["tas"], "time": [2100], "lat": LAT, "lon": LON},
            ).to_netcdf(folder / "predictions.nc")


def test_the_maps_show_the_mean_prediction_its_bias_and_the_spread(metrics, tmp_path):
    _predictions(tmp_path, MAP_RUNS)
    figure = plot_maps(metrics, tmp_path / "runs", tmp_path, tmp_path / "fig3c.png")
    panels = [axis for axis in figure.axes if axis.collections and axis.get_title()]
    titles = [axis.get_title() for axis in panels]
    assert titles[:4] == [
        "target: tas 2100 (K)", "ViT (BP): tas 2100 (K)", "ViT (ODFA): tas 2100 (K)",
        "FCNN (ODFA): tas 2100 (K)",
    ]  # fmt: skip
    means = [axis.collections[0].get_array().mean() for axis in panels[1:4]]
    biases = [axis.collections[0].get_array().mean() for axis in panels[4:7]]
    spreads = [axis.collections[0].get_array().mean() for axis in panels[7:10]]
    assert np.allclose(means, [1.0, 2.0, 3.0]) and np.allclose(biases, [0.0, 1.0, 2.0])
    assert np.allclose(spreads, np.std([-0.5, 0.5], ddof=1))
    plt.close(figure)


def test_the_maps_show_every_model_and_method_and_no_panel_is_blank(tmp_path):
    metrics = _metrics(tmp_path, ALL_RUNS)
    _predictions(tmp_path, ALL_RUNS)
    figure = plot_maps(metrics, tmp_path / "runs", tmp_path, tmp_path / "fig3c.png")
    panels = [axis for axis in figure.axes if axis.get_title()]
    assert len(panels) == 3 * 7 and all(axis.axison for axis in panels)
    assert all(axis.collections or axis.lines for axis in panels)  # every panel draws data
    titles = [axis.get_title().split(":")[0] for axis in panels[:7]]
    assert titles == ["target", "ViT (BP)", "ViT (DFA)", "ViT (ODFA)", "FCNN (BP)", "FCNN (DFA)",
                      "FCNN (ODFA)"]  # fmt: skip
    zonal_bias = panels[7]
    assert zonal_bias.get_title().startswith("zonal mean of the |bias|")
    lines = {line.get_label(): line for line in zonal_bias.lines}
    assert np.allclose(lines["FCNN (DFA)"].get_xdata(), 4.0)  # predicts 5, the target is 1
    for (_, method), label in zip(ALL_RUNS, titles[1:], strict=True):
        assert to_rgba(lines[label].get_color()) == to_rgba(RUN_COLOURS[method])
    assert "(K)" in zonal_bias.get_xlabel()
    plt.close(figure)


def test_a_bar_takes_its_methods_colour_and_its_value_sits_clear_of_bar_and_lines(tmp_path):
    metrics = _metrics(tmp_path, ALL_RUNS)
    figure = plot_scores(metrics, tmp_path / "fig3b.png")
    renderer = FigureCanvasAgg(figure).get_renderer()  # the saved figure's canvas is closed
    for axis in figure.axes:
        colours = [bar.get_facecolor() for bar in axis.patches]
        assert colours == [to_rgba(RUN_COLOURS[method]) for _, method in ALL_RUNS]
        (errors,) = [c for c in axis.containers if hasattr(c, "has_yerr")]
        tops = [segment[:, 1].max() for segment in errors.lines[2][0].get_segments()]
        values = list(axis.texts)
        assert len(values) == len(ALL_RUNS)
        for text, top in zip(values, tops, strict=True):
            box = text.get_window_extent(renderer)
            assert box.y0 >= axis.transData.transform((0, top))[1]  # above its error bar
            assert box.y1 <= axis.get_window_extent(renderer).y1  # inside the axes
            assert text.get_bbox_patch().get_alpha() in (None, 1.0)  # an opaque box
            assert text.get_zorder() > max(line.get_zorder() for line in axis.lines)
    plt.close(figure)
