"""Figs. 2c-2e: loss curves with their spread over replicates, the generated samples and the
causal attention maps."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from odfa.figures.common import plt
from odfa.figures.dialogs import plot_attention, plot_losses, plot_samples

RUNS = ["bp", "odfa"]


def _log(offset: float) -> pd.DataFrame:
    steps = np.arange(1, 21)
    validation = np.where(steps % 10 == 0, 3.0 + offset, np.nan)
    return pd.DataFrame(
        {"step": steps, "epoch": (steps - 1) // 10 + 1, "loss": 4.0 + offset,
         "validation_loss": validation}
    )  # fmt: skip


def test_the_losses_are_means_over_replicates_with_their_spread(tmp_path):
    for run in RUNS:
        for replicate, offset in enumerate((0.0, 0.2)):
            folder = tmp_path / run / f"replicate-{replicate}"
            folder.mkdir(parents=True)
            _log(offset).to_csv(folder / "log.csv", index=False)
    figure = plot_losses(RUNS, 2, tmp_path, tmp_path / "fig2c.png")
    (axis,) = figure.axes
    assert [line.get_label() for line in axis.lines if not line.get_label().startswith("_")] == [
        "BP train", "ODFA train",
    ]  # fmt: skip
    validation = next(c for c in axis.containers if c.get_label() == "ODFA validation")
    x, y = validation.lines[0].get_data()
    assert list(x) == [1.0, 2.0] and np.allclose(y, 3.1)  # epochs; mean of 3.0 and 3.2
    bars = validation.lines[2][0].get_segments()
    assert np.allclose(
        [segment[:, 1] for segment in bars], 3.1 + np.array([-1, 1]) * 0.1414, atol=1e-4
    )
    assert "mean ± std over 2 replicates" in axis.get_title()
    assert axis.get_yscale() == "log"
    plt.close(figure)


def _write_samples(folder, run: str, start: str) -> None:
    folder.mkdir(parents=True)
    samples = {
        percent: {
            "prompt": "Hello",
            "generated": start if percent == "0" else f"{run} says {percent}",
        }
        for percent in ("0", "20", "100")
    }
    (folder / "samples.json").write_text(json.dumps(samples))


def test_the_samples_figure_shows_the_shared_start_once_and_every_run_later(tmp_path):
    for run in RUNS:
        _write_samples(tmp_path / run / "replicate-0", run, "untrained babble")
    figure = plot_samples(RUNS, tmp_path, tmp_path / "fig2d.png", tmp_path / "fig2d.txt")
    texts = [text.get_text() for axis in figure.axes for text in axis.texts]
    assert texts.count("untrained babble") == 1
    for run in RUNS:
        assert [f"{run} says {p}" for p in ("20", "100")] == [
            text for text in texts if text.startswith(f"{run} says")
        ]
    assert [axis.get_title() for axis in figure.axes[:3]] == [
        "All methods, 0 % of training (same initialisation, same text)",
        "20 % of training", "100 % of training",
    ]  # fmt: skip
    lines = (tmp_path / "fig2d.txt").read_text().splitlines()
    assert lines[0] == "Prompt: Hello" and "[ODFA, 100 % of training] odfa says 100" in lines
    assert [line for line in lines if "untrained babble" in line] == [
        "[All methods, 0 % of training (same initialisation, same text)] untrained babble"
    ]
    plt.close(figure)


def test_the_samples_figure_shows_every_run_at_0_percent_when_they_differ(tmp_path):
    for run in RUNS:
        _write_samples(tmp_path / run / "replicate-0", run, f"{run} says 0")
    figure = plot_samples(RUNS, tmp_path, tmp_path / "fig2d.png", tmp_path / "fig2d.txt")
    texts = [text.get_text() for axis in figure.axes for text in axis.texts]
    for run in RUNS:
        assert [f"{run} says {p}" for p in ("0", "20", "100")] == [
            text for text in texts if text.startswith(f"{run} says")
        ]
    assert [axis.get_title() for axis in figure.axes[:3]] == [
        "0 % of training", "20 % of training", "100 % of training",
    ]  # fmt: skip
    assert "[BP, 0 % of training] bp says 0" in (tmp_path / "fig2d.txt").read_text().splitlines()
    plt.close(figure)


def test_the_attention_maps_hide_the_future_tokens(tmp_path):
    attention = np.tril(np.full((3, 3), 0.5))
    for run in RUNS:
        folder = tmp_path / run / "replicate-0"
        folder.mkdir(parents=True)
        np.savez(folder / "attention.npz", attention=attention, tokens=np.array(["a", "b", "c"]))
    figure = plot_attention(RUNS, tmp_path, tmp_path / "fig2e.png")
    for axis, label in zip(figure.axes[:2], ("BP", "ODFA"), strict=True):
        shown, mask = axis.images
        assert (
            np.ma.getmaskarray(shown.get_array()).tolist()
            == np.triu(np.ones((3, 3), dtype=bool), k=1).tolist()
        )  # the future is masked out of the attention and greyed
        assert not np.ma.getmaskarray(mask.get_array())[0, 2]
        assert axis.get_title() == f"{label} (grey: masked future)"
        assert [tick.get_text() for tick in axis.get_xticklabels()] == ["a", "b", "c"]
        assert shown.get_clim() == (0, 0.5)  # one colour scale for every run
    (bar,) = [axis for axis in figure.axes if axis.get_ylabel().startswith("attention weight")]
    assert bar.get_ylim() == (0, 0.5)  # the colour bar spans the scale
    plt.close(figure)
