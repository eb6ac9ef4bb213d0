"""Shared figure helpers: method labels and colours, atomic PNG output (Agg backend)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from odfa.io import atomic_output
from odfa.registry import RUN_LABELS

METHOD_COLOURS = {
    "bp": "tab:blue",
    "bp_star": "tab:cyan",
    "dfa": "tab:orange",
    "odfa": "tab:red",
    "shallow": "tab:gray",
}


def method_label(method: str) -> str:
    return RUN_LABELS.get(method, method)


def method_colour(method: str) -> str | None:
    return METHOD_COLOURS.get(method)


def save_figure(figure: plt.Figure, path: str | Path) -> None:
    """Save as PNG atomically and close the figure."""
    with atomic_output(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)


def smoothed(values: pd.Series, window: int) -> pd.Series:
    return values.rolling(window, min_periods=1).mean()
