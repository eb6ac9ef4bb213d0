"""Figures of Study 3: time per sample vs width (4a) and depth (4b) with where ODFA meets BP,
ODFA / DFA for the projection alone vs its size (4c), ODFA / BP over width x depth (4d)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, to_rgb
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from odfa.figures.common import method_colour, method_label, plt, save_figure
from odfa.published import PROJECTION_RATIOS

MARKERS = {"bp": ("o", "-"), "dfa": ("s", "--"), "odfa": ("^", ":")}
ODFA_NOTE = (
    "ODFA = measured digital (without the simulated optics) + MODELLED optical time; "
    "bands: interquartile range over the repeats"
)


@dataclass(frozen=True)
class ScalingTables:
    """The tables Figs. 4a-4d draw: the sweep's and the projections' timings, and what the
    study's summary derives from them (`odfa scaling summarise`)."""

    timings: Path  # every point of the sweep, those out of memory included
    times: Path  # the points that ran, ODFA with its hardware time
    ratios: Path  # ODFA / BP per width and depth
    crossover: Path  # per depth, the width where ODFA meets BP
    crossover_in_depth: Path  # per width, the depth where ODFA meets BP
    projections: Path  # the projection alone, per size and method
    projection_ratios: Path  # ODFA / DFA of the projection alone, per size


@dataclass(frozen=True)
class ScalingFigures:
    """Where Study 3's figures go."""

    fig4a: Path
    fig4b: Path
    fig4c: Path
    fig4d: Path


def _mark_crossovers(found: pd.DataFrame, x: str, group: str, colours: dict, axis) -> None:
    """A line where ODFA meets BP for each `group` value, and a box listing every value's
    crossover or "none in range" (a crossover table)."""
    lines = []
    for _, row in found.iterrows():
        point = row[f"crossover_{x}"]
        if np.isnan(point):
            lines.append(f"{group} {row[group]}: {row['note']}")
            continue
        axis.axvline(point, color=colours[row[group]], linewidth=0.8, label="_crossover")
        lines.append(f"{group} {row[group]}: ODFA = BP at {x} {point:.0f} ({row['note']})")
    axis.text(
        1.02,
        0.0,
        "ODFA time = BP time (vertical lines)\n" + "\n".join(lines),
        transform=axis.transAxes,
        va="bottom",
        fontsize=7,
    )


def _plot_against(table: pd.DataFrame, found: pd.DataFrame, x: str, group: str, axis) -> None:
    """A curve per method and `group` value: the method's colour, lighter for smaller values of
    `group`; one legend entry per method and per value (a grey of the same lightness)."""
    values = sorted(table[group].unique())
    strength = dict(zip(values, np.linspace(0.35, 1.0, len(values)), strict=True))
    for value, rows in table.groupby(group):
        for method, (marker, line) in MARKERS.items():
            curve = rows[rows["method"] == method].sort_values(x)
            if not curve.empty:
                colour = _lightened(method_colour(method), strength[value])
                axis.plot(
                    curve[x],
                    curve["time"],
                    marker=marker,
                    linestyle=line,
                    color=colour,
                    label=f"{method_label(method)}, {group} {value}",
                )
                axis.fill_between(
                    curve[x], curve["time_q1"], curve["time_q3"], color=colour, alpha=0.15
                )
    greys = {value: _lightened("black", strength[value]) for value in values}
    _mark_crossovers(found, x, group, greys, axis)
    axis.set(xscale="log", yscale="log", ylabel="time per sample (s)")
    ticks = sorted(table[x].unique())
    axis.set_xticks(ticks, [str(tick) for tick in ticks])
    axis.minorticks_off()
    handles = [
        Line2D([], [], color=method_colour(method), marker=marker, linestyle=line,
               label=method_label(method))
        for method, (marker, line) in MARKERS.items()
        if method in set(table["method"])
    ] + [Line2D([], [], color=greys[value], linewidth=4, label=f"{group} {value}")
         for value in values]  # fmt: skip
    axis.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))


def _lightened(colour: str, strength: float) -> tuple[float, float, float]:
    """`colour` mixed with white: itself at strength 1, paler below."""
    red, green, blue = to_rgb(colour)
    return tuple(strength * channel + (1 - strength) for channel in (red, green, blue))


def _log_edges(values: np.ndarray) -> np.ndarray:
    """Cell edges around sorted positive values, half-way between them on a log scale."""
    logs = np.log(values.astype(float))
    step = np.diff(logs) if len(logs) > 1 else np.array([np.log(2.0)])
    inner = logs[:-1] + step / 2
    return np.exp(np.concatenate([[logs[0] - step[0] / 2], inner, [logs[-1] + step[-1] / 2]]))


def plot_ratio_map(ratios: pd.DataFrame, crossover: pd.DataFrame, axis) -> None:
    """ODFA / BP time per sample over the measured width x depth grid (log colours centred at
    1), its contour at 1 and the crossovers per depth."""
    ratios = ratios.pivot(index="depth", columns="width", values="ratio")
    widths, depths = ratios.columns.to_numpy(), ratios.index.to_numpy()
    values = np.ma.masked_invalid(ratios.to_numpy(dtype=float))
    reach = float(np.exp(np.abs(np.log(values)).max())) if values.count() else 2.0
    reach = max(reach, 1.01)
    mesh = axis.pcolormesh(
        _log_edges(widths),
        _log_edges(depths),
        values,
        cmap="RdBu_r",
        norm=LogNorm(vmin=1 / reach, vmax=reach),
    )
    for (row, column), ratio in np.ndenumerate(values.filled(np.nan)):
        text = "n/a" if np.isnan(ratio) else f"{ratio:.2g}"
        dark = not np.isnan(ratio) and abs(np.log(ratio)) > 0.6 * np.log(reach)
        axis.text(
            widths[column],
            depths[row],
            text,
            ha="center",
            va="top",
            fontsize=7,
            color="white" if dark else "black",
        )
    axis.set(xscale="log", yscale="log", xlabel="hidden width", ylabel="hidden layers")
    if values.count() and values.min() < 1 < values.max() and min(values.shape) > 1:
        # interpolated in log width and log depth, as `crossovers` interpolates
        to_log = blended_transform_factory(axis.xaxis.get_transform(), axis.yaxis.get_transform())
        axis.contour(
            np.log10(widths),
            np.log10(depths),
            np.log(values),
            levels=[0.0],
            colors="black",
            linewidths=1.5,
            transform=to_log.inverted() + axis.transData,
        )
    found = crossover.dropna(subset=["crossover_width"])
    axis.plot(
        found["crossover_width"],
        found["depth"],
        "o",
        color="black",
        markerfacecolor="white",
        label="ODFA = BP per depth (crossover.csv); black line: ratio 1 (contour)",
    )
    axis.set_xticks(widths, [str(width) for width in widths])
    axis.set_yticks(depths, [str(depth) for depth in depths])
    axis.minorticks_off()
    axis.figure.colorbar(mesh, ax=axis, label="ODFA time / BP time (per sample)")
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.12), ncol=2)


def plot_projection_ratio(projections: pd.DataFrame, ratios: pd.DataFrame, axis) -> None:
    """ODFA / DFA time per sample of the projection alone vs its size n (n x n), with the
    sizes where DFA's matrix ran out of memory and the study's published ratios."""
    ratios = ratios.sort_values("projection_size")
    axis.plot(
        ratios["projection_size"],
        ratios["ratio"],
        marker="^",
        color=method_colour("odfa"),
        label=f"measured here (batch {int(projections['batch'].iloc[0])})",
    )
    for size, value in zip(ratios["projection_size"], ratios["ratio"], strict=True):
        axis.annotate(f"{value:.3g}", (size, value), textcoords="offset points", xytext=(4, 4))
    axis.plot(
        list(PROJECTION_RATIOS),
        list(PROJECTION_RATIOS.values()),
        "*",
        color="gray",
        markersize=10,
        label="the study, published (approximate)",
    )
    missing = projections[(projections["method"] == "dfa") & (projections["status"] != "ok")]
    for size in missing["projection_size"]:
        axis.axvline(size, color="black", linestyle="--", linewidth=0.8)
        axis.annotate(
            "DFA out of memory",
            (size, 1.0),
            rotation=90,
            fontsize=7,
            va="bottom",
            ha="right",
        )
    axis.axhline(1.0, color="black", linewidth=0.8)
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="projection size n (n error entries -> n feedback outputs)",
        ylabel="ODFA time / DFA time (per sample, projection alone)",
    )
    axis.legend(fontsize=7)


def plot_scaling(tables: ScalingTables, paths: ScalingFigures) -> dict[str, plt.Figure]:
    """Fig. 4a (vs width), 4b (vs depth), 4c (ODFA / DFA vs projection size) and 4d (ODFA / BP
    over width x depth): written to `paths`, returned by name."""
    timings, table = pd.read_csv(tables.timings), pd.read_csv(tables.times)
    crossover = pd.read_csv(tables.crossover)
    figures = {}
    for name, x, group, found, title in (
        ("fig4a", "width", "depth", crossover, "Time per sample vs hidden width"),
        (
            "fig4b",
            "depth",
            "width",
            pd.read_csv(tables.crossover_in_depth),
            "Time per sample vs number of hidden layers",
        ),
    ):
        figure, axis = plt.subplots(figsize=(8, 5.5))
        _plot_against(table, found, x, group, axis)
        axis.set_xlabel("hidden width" if x == "width" else "hidden layers")
        axis.set_title(f"{title}\n{ODFA_NOTE}; paler = smaller {group}", fontsize=9)
        skipped = timings[timings["status"] != "ok"]
        if not skipped.empty:
            axis.text(
                0.01,
                0.01,
                f"{len(skipped)} points out of memory (not shown)",
                transform=axis.transAxes,
                fontsize=7,
            )
        figures[name] = figure
    figure, axis = plt.subplots(figsize=(7, 5))
    plot_projection_ratio(
        pd.read_csv(tables.projections), pd.read_csv(tables.projection_ratios), axis
    )
    axis.set_title(
        "ODFA vs all-digital DFA: the feedback projection alone\n"
        "ODFA = measured digital + MODELLED optical time (no spread drawn)",
        fontsize=9,
    )
    figures["fig4c"] = figure
    figure, axis = plt.subplots(figsize=(7.5, 5.5))
    plot_ratio_map(pd.read_csv(tables.ratios), crossover, axis)
    axis.set_title(
        "ODFA time / BP time per sample (ODFA: measured digital + MODELLED optical)", fontsize=9
    )
    figures["fig4d"] = figure
    for name, figure in figures.items():
        save_figure(figure, getattr(paths, name))
    return figures
