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


def plot_digits(runs_dir: str | Path, summary_path: str | Path, out_path: str | Path) -> plt.Figure:
    """Loss curves, test accuracy, and per feedback point the DFA/ODFA alignment with BP and the
    weight-norm growth of the digits runs, side by side: means over the replicates with their
    standard deviation as bands and error bars."""
    runs_dir = Path(runs_dir)
    summary = json.loads(Path(summary_path).read_text())
    figure, (loss_axis, accuracy_axis, alignment_axis, growth_axis) = plt.subplots(
        1, 4, figsize=(20, 4.2)
    )
    for method, metrics in summary.items():
        logs = replicate_logs(runs_dir / method, metrics["replicates"])
        style = {"label": method_label(method), "color": method_colour(method)}
        loss = across_replicates(logs, "loss", window=25)
        plot_band(loss_axis, loss.index, loss, **style)
        bar = accuracy_axis.bar(
            method_label(method),
            metrics["test_accuracy"],
            yerr=metrics["test_accuracy_std"] or 0.0,
            capsize=4,
            color=style["color"],
        )
        accuracy_axis.bar_label(bar, fmt="%.3f", label_type="center")
        _plot_per_point(alignment_axis, logs, "sample_alignment_mean_", style)
        _plot_per_point(growth_axis, logs, "weight_growth_", style)
    replicates = max(metrics["replicates"] for metrics in summary.values())
    loss_axis.set(xlabel="step", ylabel="training loss (moving mean of 25 steps)", yscale="log")
    loss_axis.set_title("Training loss")
    loss_axis.legend()
    accuracy_axis.set(ylabel="test accuracy", ylim=(0.0, 1.05))
    accuracy_axis.set_title("Test accuracy (held-out digits)")
    alignment_axis.set(xlabel="step", ylabel="cosine(update, BP gradient)", ylim=(-0.5, 1.0))
    alignment_axis.set_title("Alignment with BP per point (mean over samples)")
    alignment_axis.axhline(0.0, color="black", linewidth=0.5)
    growth_axis.set(xlabel="step", ylabel="weight norm / initial weight norm")
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
