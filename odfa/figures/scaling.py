"""Figures of Study 3: time per sample vs width (4a) and depth (4b), ODFA / DFA ratio (4c)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from odfa.figures.common import method_colour, method_label, plt, save_figure

MARKERS = {"bp": ("o", "-"), "dfa": ("s", "--"), "odfa": ("^", ":")}
ODFA_NOTE = (
    "ODFA = measured digital (without the simulated optics) + modelled optical time; "
    "bands: interquartile range over the repeats"
)


def odfa_hardware_time(table: pd.DataFrame) -> pd.Series:
    """Per-sample time ODFA would take on an OPU: measured digital + MODELLED optical.

    The simulator's own optics time is measured and taken out: on hardware the optics do it.
    """
    return (
        table["measured_s_per_sample"]
        - table["simulated_optics_s_per_sample"].fillna(0)
        + table["modelled_optical_s_per_sample"].fillna(0)
    )


def with_plotted_time(timings: pd.DataFrame) -> pd.DataFrame:
    """Points that ran, with `time` = measured (BP, DFA) or measured + modelled (ODFA), and
    `time_q1`, `time_q3` the measured quartiles moved by the same amount."""
    table = timings[timings["status"] == "ok"].copy()
    odfa = table["method"] == "odfa"
    table["time"] = table["measured_s_per_sample"]
    table.loc[odfa, "time"] = odfa_hardware_time(table[odfa])
    shift = table["time"] - table["measured_s_per_sample"]
    for quartile in ("q1", "q3"):
        table[f"time_{quartile}"] = table[f"measured_s_per_sample_{quartile}"] + shift
    return table


def _crossovers(x: np.ndarray, first: np.ndarray, second: np.ndarray) -> list[float]:
    """x (log-interpolated) where `first` and `second` swap order."""
    difference = np.log(first) - np.log(second)
    points = []
    for index in np.flatnonzero(np.sign(difference[:-1]) != np.sign(difference[1:])):
        fraction = difference[index] / (difference[index] - difference[index + 1])
        points.append(float(np.exp(np.log(x[index]) + fraction * np.log(x[index + 1] / x[index]))))
    return points


def _plot_against(table: pd.DataFrame, x: str, group: str, axis: plt.Axes) -> None:
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, table[group].nunique()))
    for colour, (value, rows) in zip(colours, table.groupby(group), strict=True):
        for method, (marker, line) in MARKERS.items():
            curve = rows[rows["method"] == method].sort_values(x)
            if not curve.empty:
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
        bp, odfa = (rows[rows["method"] == m].sort_values(x) for m in ("bp", "odfa"))
        if len(bp) > 1 and list(bp[x]) == list(odfa[x]):
            for point in _crossovers(
                bp[x].to_numpy(), bp["time"].to_numpy(), odfa["time"].to_numpy()
            ):
                axis.axvline(point, color=colour, linewidth=0.6)
                axis.annotate(
                    f"ODFA = BP at {x} {point:.0f}",
                    (point, axis.get_ylim()[0]),
                    rotation=90,
                    fontsize=6,
                    color=colour,
                    va="bottom",
                )
    axis.set(xscale="log", yscale="log", ylabel="time per sample (s)")
    axis.legend(fontsize=5, ncol=3)


def plot_scaling(timings_path: str | Path, out_dir: str | Path) -> dict[str, plt.Figure]:
    """fig4a.png (vs width), fig4b.png (vs depth) and fig4c.png (ODFA / DFA vs projection):
    written to `out_dir` and returned by file name."""
    timings = pd.read_csv(timings_path)
    table = with_plotted_time(timings)
    out_dir = Path(out_dir)
    figures = {}
    for name, x, group, title in (
        ("fig4a.png", "width", "depth", "Time per sample vs hidden width"),
        ("fig4b.png", "depth", "width", "Time per sample vs number of hidden layers"),
    ):
        figure, axis = plt.subplots(figsize=(8, 5.5))
        _plot_against(table, x, group, axis)
        axis.set_xlabel("hidden width" if x == "width" else "hidden layers")
        axis.set_title(f"{title}\n{ODFA_NOTE}", fontsize=9)
        skipped = timings[timings["status"] != "ok"]
        if not skipped.empty:
            axis.text(
                0.01,
                0.99,
                f"{len(skipped)} points out of memory (not shown)",
                transform=axis.transAxes,
                va="top",
                fontsize=7,
            )
        save_figure(figure, out_dir / name)
        figures[name] = figure
    figure, axis = plt.subplots(figsize=(7, 5))
    ratio = pd.merge(
        table[table["method"] == "odfa"],
        table[table["method"] == "dfa"],
        on=["width", "depth"],
        suffixes=("", "_dfa"),
    )
    ratio["ratio"] = ratio["time"] / ratio["time_dfa"]
    ratio["projection"] = ratio["projection_inputs"] * ratio["projection_dim"]
    for depth, rows in ratio.groupby("depth"):
        rows = rows.sort_values("projection")
        axis.plot(
            rows["projection"],
            rows["ratio"],
            marker="^",
            color=method_colour("odfa"),
            alpha=0.3 + 0.7 * depth / ratio["depth"].max(),
            label=f"depth {depth}",
        )
    axis.axhline(1.0, color="black", linewidth=0.8)
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="projection size (error entries x feedback outputs)",
        ylabel="ODFA time / DFA time (per sample)",
    )
    axis.set_title(f"ODFA vs all-digital DFA\n{ODFA_NOTE}", fontsize=9)
    axis.legend(fontsize=7)
    save_figure(figure, out_dir / "fig4c.png")
    return figures | {"fig4c.png": figure}
