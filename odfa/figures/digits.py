"""Figure of the digits study: loss curves, test accuracy, alignment with BP, weight growth."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from odfa.figures.common import method_colour, method_label, plt, save_figure, smoothed

LINE_STYLES = ("-", "--", ":", "-.")


def _plot_per_point(
    axis: plt.Axes, log: pd.DataFrame, prefix: str, style: dict, spread: bool = False
) -> None:
    """One line per feedback point of the log's `<prefix><point>` columns; with `spread`, a band
    of the matching `sample_alignment_std_<point>`."""
    columns = [column for column in log.columns if column.startswith(prefix)]
    for index, column in enumerate(columns):
        point = column.removeprefix(prefix)
        measured = log[["step", column]].dropna()
        axis.plot(
            measured["step"],
            measured[column],
            color=style["color"],
            linestyle=LINE_STYLES[index % len(LINE_STYLES)],
            label=f"{style['label']}, {point}",
        )
        if spread:
            std = log.loc[measured.index, f"sample_alignment_std_{point}"]
            axis.fill_between(
                measured["step"],
                measured[column] - std,
                measured[column] + std,
                color=style["color"],
                alpha=0.15,
                linewidth=0,
            )


def plot_digits(runs_dir: str | Path, summary_path: str | Path, out_path: str | Path) -> None:
    """Loss curves, test accuracy, and per feedback point the DFA/ODFA alignment with BP and the
    weight-norm growth of the digits runs, side by side."""
    runs_dir = Path(runs_dir)
    summary = json.loads(Path(summary_path).read_text())
    figure, (loss_axis, accuracy_axis, alignment_axis, growth_axis) = plt.subplots(
        1, 4, figsize=(20, 4.2)
    )
    for method, metrics in summary.items():
        log = pd.read_csv(runs_dir / method / "log.csv")
        style = {"label": method_label(method), "color": method_colour(method)}
        loss_axis.plot(log["step"], smoothed(log["loss"], 25), **style)
        bar = accuracy_axis.bar(
            method_label(method), metrics["test_accuracy"], color=style["color"]
        )
        accuracy_axis.bar_label(bar, fmt="%.3f")
        _plot_per_point(alignment_axis, log, "sample_alignment_mean_", style, spread=True)
        _plot_per_point(growth_axis, log, "weight_growth_", style)
    loss_axis.set(xlabel="step", ylabel="training loss (moving mean of 25 steps)", yscale="log")
    loss_axis.set_title("Training loss")
    loss_axis.legend()
    accuracy_axis.set(ylabel="test accuracy", ylim=(0.0, 1.05))
    accuracy_axis.set_title("Test accuracy (held-out digits)")
    alignment_axis.set(xlabel="step", ylabel="cosine(update, BP gradient)", ylim=(-0.5, 1.0))
    alignment_axis.set_title("Alignment with BP per point (mean ± std over samples)")
    alignment_axis.axhline(0.0, color="black", linewidth=0.5)
    growth_axis.set(xlabel="step", ylabel="weight norm / initial weight norm")
    growth_axis.set_title("Weight-norm growth per point")
    for axis in (alignment_axis, growth_axis):
        if axis.lines[1:]:
            axis.legend(fontsize="small")
    figure.suptitle("MLP on scikit-learn digits: BP, DFA, ODFA (simulated OPU, 8-bit camera), SHLW")
    save_figure(figure, out_path)
