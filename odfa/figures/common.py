"""Shared figure helpers: method labels and colours, atomic PNG output (Agg backend)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from odfa.io import atomic_output

METHOD_STYLE = {
    "bp": ("BP", "tab:blue"),
    "bp_star": ("BP*", "tab:cyan"),
    "dfa": ("DFA", "tab:orange"),
    "odfa": ("ODFA", "tab:red"),
    "shallow": ("SHLW", "tab:gray"),
}


def method_label(method: str) -> str:
    return METHOD_STYLE.get(method, (method, None))[0]


def method_colour(method: str) -> str | None:
    return METHOD_STYLE.get(method, (method, None))[1]


def save_figure(figure: plt.Figure, path: str | Path) -> None:
    """Save as PNG atomically and close the figure."""
    with atomic_output(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)


def smoothed(values: pd.Series, window: int) -> pd.Series:
    return values.rolling(window, min_periods=1).mean()
