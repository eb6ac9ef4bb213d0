"""Figures of Study 1: loss trajectories (2c), generated samples (2d), causal attention (2e)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np

from odfa.figures.common import (
    across_replicates,
    method_colour,
    method_label,
    plot_band,
    plt,
    replicate_logs,
    save_figure,
)
from odfa.io import write_text
from odfa.replicates import replicate_name

SHOWN_REPLICATE = replicate_name(0)  # whose samples and attention Figs. 2d and 2e show


def plot_losses(
    runs: list[str], replicates: int, runs_dir: str | Path, out_path: str | Path
) -> plt.Figure:
    """Fig. 2c: training loss (moving mean) and validation loss of every run vs epochs, the
    mean over replicates with a band (train) or error bars (validation) of their std."""
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    for run in runs:
        logs = replicate_logs(Path(runs_dir) / run, replicates)
        steps_per_epoch = logs[0]["step"].max() / logs[0]["epoch"].max()
        colour = method_colour(run)
        train = across_replicates(logs, "loss", window=10)
        plot_band(
            axis,
            train.index / steps_per_epoch,
            train,
            color=colour,
            label=f"{method_label(run)} train",
        )
        validation = across_replicates(logs, "validation_loss")
        axis.errorbar(
            validation.index / steps_per_epoch,
            validation["mean"],
            yerr=validation["std"],
            fmt="o--",
            markersize=3,
            linewidth=0.8,
            capsize=2,
            color=colour,
            label=f"{method_label(run)} validation",
        )
    axis.set(xlabel="epoch", ylabel="cross-entropy loss (nats per token)", yscale="log")
    axis.set_title(
        f"GPT on movie dialogues: loss, mean ± std over {replicates} replicates "
        "(train: moving mean of 10 steps)",
        fontsize=9,
    )
    axis.legend(ncol=2, fontsize="small")
    save_figure(figure, out_path)
    return figure


def sample_table(runs: list[str], runs_dir: str | Path) -> dict[str, dict[str, dict[str, str]]]:
    """Each run's samples (of replicate 0)."""
    return {
        run: json.loads((Path(runs_dir) / run / SHOWN_REPLICATE / "samples.json").read_text())
        for run in runs
    }


def _shared_start(table: dict[str, dict[str, dict[str, str]]], first: str) -> str | None:
    """The text every run generated at the first milestone, when they all generated the same
    (they start from the same initialisation); None when they differ."""
    generated = {samples[first]["generated"] for samples in table.values()}
    return generated.pop() if len(generated) == 1 else None


def _draw_sample(axis: plt.Axes, text: str, width: int = 62) -> None:
    axis.axis("off")
    axis.text(
        0,
        1,
        textwrap.fill(text, width=width),
        va="top",
        ha="left",
        fontsize=7.5,
        family="DejaVu Sans",
        wrap=True,
    )


def plot_samples(
    runs: list[str], runs_dir: str | Path, out_path: str | Path, text_path: str | Path
) -> plt.Figure:
    """Fig. 2d: text generated from the prompt at 0 %, 20 % and 100 % of training (↵ = newline),
    by replicate 0 of each run; a 0 % sample that every run shares is shown once."""
    table = sample_table(runs, runs_dir)
    percents = sorted(next(iter(table.values())), key=int)
    prompt = next(iter(next(iter(table.values())).values()))["prompt"]
    shared = _shared_start(table, percents[0])
    columns = percents[1:] if shared is not None else percents
    shared_title = f"All methods, {percents[0]} % of training (same initialisation, same text)"

    lines = [f"Prompt: {prompt}", ""]
    if shared is not None:
        lines += [f"[{shared_title}] {shared}", ""]
    for run, samples in table.items():
        for percent in columns:
            lines.append(
                f"[{method_label(run)}, {percent} % of training] {samples[percent]['generated']}"
            )
        lines.append("")
    write_text(text_path, "\n".join(lines))

    top = 1 if shared is not None else 0
    figure = plt.figure(figsize=(5.2 * len(columns), 1.9 * (len(runs) + top)))
    grid = figure.add_gridspec(len(runs) + top, len(columns))
    if shared is not None:
        axis = figure.add_subplot(grid[0, :])
        _draw_sample(axis, shared, width=62 * len(columns))
        axis.set_title(shared_title, fontsize=10)
    for row, (run, samples) in enumerate(table.items()):
        for column, percent in enumerate(columns):
            axis = figure.add_subplot(grid[top + row, column])
            _draw_sample(axis, samples[percent]["generated"])
            if row == 0:
                axis.set_title(f"{percent} % of training", fontsize=10)
            if column == 0:
                axis.text(
                    -0.04,
                    0.5,
                    method_label(run),
                    transform=axis.transAxes,
                    rotation=90,
                    va="center",
                    ha="right",
                    fontsize=10,
                    color=method_colour(run),
                )
    figure.suptitle(textwrap.fill(f"Prompt: {prompt}", width=120), fontsize=9)
    save_figure(figure, out_path)
    return figure


def plot_attention(runs: list[str], runs_dir: str | Path, out_path: str | Path) -> plt.Figure:
    """Fig. 2e: causal attention over the prompt at 100 %, mean over layers and heads, of
    replicate 0 of each run."""
    stored = {
        run: np.load(Path(runs_dir) / run / SHOWN_REPLICATE / "attention.npz") for run in runs
    }
    highest = max(float(maps["attention"].max()) for maps in stored.values())  # one scale for all
    figure, axes = plt.subplots(
        1, len(runs), figsize=(4.6 * len(runs), 4.8), squeeze=False, layout="constrained"
    )
    for axis, run in zip(axes[0], runs, strict=True):
        attention, tokens = stored[run]["attention"], [str(t) for t in stored[run]["tokens"]]
        future = np.triu(np.ones_like(attention, dtype=bool), k=1)
        image = axis.imshow(
            np.ma.masked_where(future, attention), cmap="viridis", vmin=0, vmax=highest
        )
        axis.imshow(
            np.ma.masked_where(~future, np.ones_like(attention)),
            cmap="Greys",
            vmin=0,
            vmax=4,
            alpha=0.6,
        )
        axis.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=6)
        axis.set_yticks(range(len(tokens)), tokens, fontsize=6)
        axis.set(xlabel="attended token (key)", ylabel="attending token (query)")
        axis.set_title(f"{method_label(run)} (grey: masked future)", fontsize=9)
    figure.colorbar(
        image, ax=axes[0].tolist(), label="attention weight (mean over layers and heads)"
    )
    figure.suptitle("Mean causal attention over the prompt at 100 % of training (replicate 0)")
    save_figure(figure, out_path)
    return figure
