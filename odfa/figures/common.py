"""Shared figure helpers: method labels and colours, atomic PNG output (Agg backend), and the
mean and spread of runs over their replicates."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from odfa.io import atomic_output
from odfa.registry import RUN_COLOURS, RUN_LABELS
from odfa.replicates import replicate_dirs


def method_label(method: str) -> str:
    return RUN_LABELS.get(method, method)


def method_colour(method: str) -> str | None:
    return RUN_COLOURS.get(method)


def save_figure(figure: plt.Figure, path: str | Path) -> None:
    """Save as PNG atomically and close the figure."""
    with atomic_output(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)


def smoothed(values: pd.Series, window: int) -> pd.Series:
    return values.rolling(window, min_periods=1).mean()


def replicate_logs(run_dir: str | Path, replicates: int) -> list[pd.DataFrame]:
    """The log.csv of each replicate of a run."""
    return [pd.read_csv(folder / "log.csv") for folder in replicate_dirs(run_dir, replicates)]


def across_replicates(logs: list[pd.DataFrame], column: str, window: int = 1) -> pd.DataFrame:
    """Per step where `column` was logged: its mean and std over replicates (std 0 with one),
    each replicate's values first smoothed by a moving mean of `window` entries."""
    measured = []
    for log in logs:
        frame = log[["step", column]].dropna()
        measured.append(frame.assign(value=smoothed(frame[column], window)))
    grouped = pd.concat(measured).groupby("step")["value"]
    return pd.DataFrame({"mean": grouped.mean(), "std": grouped.std(ddof=1).fillna(0.0)})


def plot_band(axis: plt.Axes, x: pd.Series, frame: pd.DataFrame, **style: object) -> None:
    """A line of `frame["mean"]` against `x` with a band of +/- `frame["std"]`."""
    (line,) = axis.plot(x, frame["mean"], **style)
    axis.fill_between(
        x,
        frame["mean"] - frame["std"],
        frame["mean"] + frame["std"],
        color=line.get_color(),
        alpha=0.2,
        linewidth=0,
    )
