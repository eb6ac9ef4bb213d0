"""Figure of the digits study: loss curves, test accuracy, alignment with BP, weight growth."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from odfa.figures.common import (
    across_replicates,
    method_colour,
    method_label,
    plot_band,
    plt,
    replicate_logs,
    save_figure,
)

LINE_STYLES = ("-", "--", ":", "-.")


def _plot_per_point(
    axis: plt.Axes, logs: list[pd.DataFrame], prefix: str, style: dict[str, str | None]
) -> None:
    """One line per feedback point of the logs' `<prefix><point>` columns: the mean over
    replicates, with a band of their std."""
    columns = [column for column in logs[0].columns if column.startswith(prefix)]
    for index, column in enumerate(columns):
        frame = across_replicates(logs, column)
        plot_band(
            axis,
            frame.index,
            frame,
            color=style["color"],
            linestyle=LINE_STYLES[index % len(LINE_STYLES)],
            label=f"{style['label']}, {column.removeprefix(prefix)}",
        )


def _plot_accuracy(
    axis: plt.Axes, position: int, metrics: dict, style: dict[str, str | None]
) -> None:
    """A method's test accuracy as a point at the mean over replicates with an error bar of their
    std, labelled above with both."""
    mean, std = metrics["test_accuracy"], metrics["test_accuracy_std"] or 0.0
    axis.errorbar(position, mean, yerr=std, fmt="o", markersize=7, capsize=5, **style)
    axis.annotate(
        f"{mean:.3f} ± {std:.3f}",
        (position, mean + std),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8,
    )


def _accuracy_limits(summary: dict[str, dict]) -> tuple[float, float]:
    """Y-limits zoomed to the methods' mean ± std, with a margin of a third of that span (at
    least 0.005) on each side, so that the spread between methods shows."""
    lows = [m["test_accuracy"] - (m["test_accuracy_std"] or 0.0) for m in summary.values()]
    highs = [m["test_accuracy"] + (m["test_accuracy_std"] or 0.0) for m in summary.values()]
    margin = max((max(highs) - min(lows)) / 3, 0.005)
    return min(lows) - margin, max(highs) + margin


def plot_digits(runs_dir: str | Path, summary_path: str | Path, out_path: str | Path) -> plt.Figure:
    """Loss curves, test accuracy, and per feedback point the DFA/ODFA alignment with BP and the
    weight-norm growth of the digits runs, side by side: means over the replicates with their
    standard deviation as bands and error bars; the accuracy axis is zoomed to the data."""
    runs_dir = Path(runs_dir)
    summary = json.loads(Path(summary_path).read_text())
    figure, (loss_axis, accuracy_axis, alignment_axis, growth_axis) = plt.subplots(
        1, 4, figsize=(20, 4.2), layout="constrained"
    )
    for position, (method, metrics) in enumerate(summary.items()):
        logs = replicate_logs(runs_dir / method, metrics["replicates"])
        style = {"label": method_label(method), "color": method_colour(method)}
        loss = across_replicates(logs, "loss", window=25)
        plot_band(loss_axis, loss.index, loss, **style)
        _plot_accuracy(accuracy_axis, position, metrics, style)
        _plot_per_point(alignment_axis, logs, "sample_alignment_mean_", style)
        _plot_per_point(growth_axis, logs, "weight_growth_", style)
    replicates = max(metrics["replicates"] for metrics in summary.values())
    loss_axis.set(
        xlabel="training step", ylabel="training loss (moving mean of 25 steps)", yscale="log"
    )
    loss_axis.set_title("Training loss")
    loss_axis.legend()
    accuracy_axis.set(
        xlabel="training method",
        ylabel="test accuracy (fraction of held-out digits)",
        ylim=_accuracy_limits(summary),
    )
    accuracy_axis.set_xticks(range(len(summary)), [method_label(method) for method in summary])
    accuracy_axis.set_xlim(-0.5, len(summary) - 0.5)
    accuracy_axis.set_title("Test accuracy (held-out digits)")
    alignment_axis.set(
        xlabel="training step", ylabel="cosine(update, BP gradient)", ylim=(-0.5, 1.0)
    )
    alignment_axis.set_title("Alignment with BP per point (mean over samples)")
    alignment_axis.axhline(0.0, color="black", linewidth=0.5)
    growth_axis.set(xlabel="training step", ylabel="weight norm / initial weight norm")
    growth_axis.set_title("Weight-norm growth per point")
    for axis in (alignment_axis, growth_axis):
        if axis.lines[1:]:
            axis.legend(fontsize="small")
    shown = ", ".join(method_label(method) for method in summary)
    figure.suptitle(
        f"MLP on scikit-learn digits: {shown}; mean ± std over {replicates} "
        + ("replicate" if replicates == 1 else "replicates")
    )
    save_figure(figure, out_path)
    return figure
