"""Figure of the digits study: loss curves, test accuracy and alignment with BP."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from odfa.figures.common import method_colour, method_label, plt, save_figure, smoothed


def plot_digits(runs_dir: str | Path, summary_path: str | Path, out_path: str | Path) -> None:
    """Loss curves, test accuracy and DFA/ODFA alignment of the digits runs, side by side."""
    runs_dir = Path(runs_dir)
    summary = json.loads(Path(summary_path).read_text())
    figure, (loss_axis, accuracy_axis, alignment_axis) = plt.subplots(1, 3, figsize=(15, 4.2))
    for method, metrics in summary.items():
        log = pd.read_csv(runs_dir / method / "log.csv")
        style = {"label": method_label(method), "color": method_colour(method)}
        loss_axis.plot(log["step"], smoothed(log["loss"], 25), **style)
        bar = accuracy_axis.bar(
            method_label(method), metrics["test_accuracy"], color=style["color"]
        )
        accuracy_axis.bar_label(bar, fmt="%.3f")
        alignment = log.filter(like="alignment_").join(log["step"]).dropna()
        for column in alignment.columns.drop("step"):
            layer = column.removeprefix("alignment_")
            alignment_axis.plot(
                alignment["step"],
                alignment[column],
                color=style["color"],
                linestyle=["-", "--", ":", "-."][(int(layer) - 1) % 4],
                label=f"{style['label']}, layer {layer}",
            )
    loss_axis.set(xlabel="step", ylabel="training loss (moving mean of 25 steps)", yscale="log")
    loss_axis.set_title("Training loss")
    loss_axis.legend()
    accuracy_axis.set(ylabel="test accuracy", ylim=(0.0, 1.05))
    accuracy_axis.set_title("Test accuracy (held-out digits)")
    alignment_axis.set(xlabel="step", ylabel="cosine(update, BP gradient)", ylim=(-0.2, 1.0))
    alignment_axis.set_title("Alignment of DFA/ODFA updates with BP")
    alignment_axis.axhline(0.0, color="black", linewidth=0.5)
    if alignment_axis.lines[1:]:
        alignment_axis.legend(fontsize="small")
    figure.suptitle("MLP on scikit-learn digits: BP, DFA, ODFA (simulated OPU, 8-bit camera), SHLW")
    save_figure(figure, out_path)
