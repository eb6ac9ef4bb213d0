"""Figure of the optics ablation: each study's metric against the projection's fidelity."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from odfa.figures.common import method_colour, plt, save_figure
from odfa.replicates import COUNT, STD_SUFFIX

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
    "signal_normalisation": "P",
}

REFERENCES = {"dfa": "DFA", "odfa": "ODFA, default optics"}  # method -> the line's label


def reference_lines(
    table_path: str | Path, summaries: dict[str, str | Path]
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per study: label -> (mean, std) of DFA's and default ODFA's metric (the one the ablation
    table names for that study), read from the study's summary: digits' metrics.json or
    dialogs' metrics.csv (`summaries`: study -> path)."""
    metrics = pd.read_csv(table_path).drop_duplicates("study").set_index("study")["metric"]
    references = {}
    for study, path in summaries.items():
        if Path(path).suffix == ".json":
            summary = pd.DataFrame(json.loads(Path(path).read_text())).T
        else:
            summary = pd.read_csv(path).set_index("method")
        metric = metrics[study]
        references[study] = {
            label: (
                float(summary.at[method, metric]),
                _number(summary.at[method, metric + STD_SUFFIX]),
            )
            for method, label in REFERENCES.items()
            if method in summary.index
        }
    return references


def _number(value: object) -> float:
    """A summary's value as a float: NaN where it is missing (a spread of one replicate)."""
    return float("nan") if value is None else float(value)


def plot_ablation(
    table_path: str | Path,
    references: dict[str, dict[str, tuple[float, float]]],
    out_path: str | Path,
) -> plt.Figure:
    """One panel per study: ODFA's final metric against `projection_cosine` for each variant,
    mean with error bars of one standard deviation over its replicates (marker per setting,
    value written beside it), and the study's DFA and default-optics ODFA results
    (`references[study]`: label -> (mean, std)) as horizontal lines with their spread as bands."""
    table = pd.read_csv(table_path)
    studies = list(dict.fromkeys(table["study"]))
    figure, axes = plt.subplots(1, len(studies), figsize=(6.5 * len(studies), 4.6), squeeze=False)
    for axis, study in zip(axes[0], studies, strict=True):
        rows = table[table["study"] == study]
        for setting, group in rows.groupby("setting", sort=False):
            axis.errorbar(
                group["projection_cosine"],
                group["metric_value"],
                xerr=group[f"projection_cosine{STD_SUFFIX}"],
                yerr=group[f"metric_value{STD_SUFFIX}"],
                fmt=MARKERS.get(setting, "o"),
                markersize=7,
                capsize=3,
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
        for label, (mean, std) in references.get(study, {}).items():
            colour = method_colour(label.split()[0].lower())
            axis.axhline(mean, color=colour, linestyle="--" if label == "DFA" else ":", label=label)
            if std == std:  # a spread exists (more than one replicate)
                axis.axhspan(mean - std, mean + std, color=colour, alpha=0.12, linewidth=0)
        axis.set(
            xlabel="projection cosine (optical vs noiseless)",
            ylabel=METRIC_LABELS[rows["metric"].iloc[0]],
        )
        axis.set_title(f"{study}: ODFA with one optics setting changed")
        axis.legend(fontsize="small")
    counts = sorted(set(table[COUNT]))
    figure.suptitle(
        "What the simulated optics cost: mean +/- std over "
        f"{'/'.join(map(str, counts))} replicate{'s' if counts != [1] else ''} per setting"
    )
    save_figure(figure, out_path)
    return figure
