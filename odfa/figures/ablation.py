"""Figure of the optics ablation: each study's metric against the projection's fidelity."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from odfa.figures.common import method_colour, plt, save_figure

METRIC_LABELS = {
    "test_accuracy": "test accuracy (digits MLP)",
    "final_validation_loss": "validation loss (dialogs GPT)",
}
MARKERS = {
    "camera_bits": "o",
    "camera": "*",
    "full_well": "s",
    "threshold": "^",
    "anchor_pixels": "D",
}


def plot_ablation(
    table_path: str | Path, references: dict[str, dict[str, float]], out_path: str | Path
) -> None:
    """One panel per study: ODFA's final metric against `projection_cosine` for each variant
    (marker per setting, value written beside it), with the study's DFA and default-optics ODFA
    results (`references[study]`) as horizontal lines."""
    table = pd.read_csv(table_path)
    studies = list(dict.fromkeys(table["study"]))
    figure, axes = plt.subplots(1, len(studies), figsize=(6.5 * len(studies), 4.6), squeeze=False)
    for axis, study in zip(axes[0], studies, strict=True):
        rows = table[table["study"] == study]
        for setting, group in rows.groupby("setting", sort=False):
            axis.scatter(
                group["projection_cosine"],
                group["metric_value"],
                marker=MARKERS.get(setting, "o"),
                s=60,
                label=setting.replace("_", " "),
            )
            for _, row in group.iterrows():
                axis.annotate(
                    row["value"],
                    (row["projection_cosine"], row["metric_value"]),
                    textcoords="offset points",
                    xytext=(5, 4),
                    fontsize="small",
                )
        for method, value in references.get(study, {}).items():
            axis.axhline(
                value,
                color=method_colour(method.split()[0].lower()),
                linestyle="--" if method == "DFA" else ":",
                label=method,
            )
        axis.set(
            xlabel="projection cosine (optical vs noiseless)",
            ylabel=METRIC_LABELS[rows["metric"].iloc[0]],
        )
        axis.set_title(f"{study}: ODFA with one optics setting changed")
        axis.legend(fontsize="small")
    figure.suptitle("What the simulated optics cost (one seed per setting)")
    save_figure(figure, out_path)
