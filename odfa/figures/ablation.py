"""Figure of the optics ablation: each study's metric against the projection's fidelity."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from matplotlib.backend_bases import RendererBase
from matplotlib.transforms import Bbox

from odfa.figures.common import method_colour, plt, save_figure
from odfa.replicates import COUNT, STD_SUFFIX

METRIC_LABELS = {
    "test_accuracy": "test accuracy (fraction of held-out digits, digits MLP)",
    "final_validation_loss": "validation loss (nats per token, dialogs GPT)",
}


@dataclass(frozen=True)
class Setting:
    """How the figure draws the variants of one optics setting: the legend's name, a marker and
    a colour no training method uses, and the value's label with its unit."""

    name: str
    marker: str
    colour: str
    value_label: str  # formatted with the variant's value


SETTINGS = {
    "camera_bits": Setting("camera bit depth", "o", "tab:purple", "{} bits"),
    "camera": Setting("camera model", "*", "black", "{} camera"),
    "full_well": Setting("full-well depth", "s", "tab:brown", "{} electrons"),
    "threshold": Setting("ternarisation threshold", "v", "tab:pink", "{} x max |error|"),
    "anchor_pixels": Setting("reference anchor", "D", "tab:olive", "{} pixels"),
    "signal_normalisation": Setting("signal normalisation", "P", "teal", "{} scale"),
}
REFERENCES = {"dfa": "DFA", "odfa": "ODFA, default optics"}  # method -> the line's label
DEFAULT_MARKER = "X"  # default ODFA at its own projection cosine


class Reference(NamedTuple):
    """A study's reference run: its metric's mean and std and, for ODFA, its projection cosine's
    (None for a run without an optical projection)."""

    mean: float
    std: float
    cosine: float | None = None
    cosine_std: float | None = None


def reference_lines(
    table_path: str | Path, summaries: dict[str, str | Path]
) -> dict[str, dict[str, Reference]]:
    """Per study: label -> Reference of DFA's and default ODFA's metric (the one the ablation
    table names for that study) and ODFA's projection cosine, read from the study's summary:
    digits' metrics.json or dialogs' metrics.csv (`summaries`: study -> path)."""
    metrics = pd.read_csv(table_path).drop_duplicates("study").set_index("study")["metric"]
    references = {}
    for study, path in summaries.items():
        if Path(path).suffix == ".json":
            summary = pd.DataFrame(json.loads(Path(path).read_text())).T
        else:
            summary = pd.read_csv(path).set_index("method")
        metric = metrics[study]
        references[study] = {
            label: Reference(
                float(summary.at[method, metric]),
                _number(summary.at[method, metric + STD_SUFFIX]),
                *_cosine(summary, method),
            )
            for method, label in REFERENCES.items()
            if method in summary.index
        }
    return references


def _cosine(summary: pd.DataFrame, method: str) -> tuple[float, float] | tuple[()]:
    """(mean, std) of the method's projection cosine, or nothing where it has none."""
    if "projection_cosine" not in summary.columns:
        return ()
    cosine = summary.at[method, "projection_cosine"]
    if cosine is None or pd.isna(cosine):
        return ()
    return float(cosine), _number(summary.at[method, "projection_cosine" + STD_SUFFIX])


def _number(value: object) -> float:
    """A summary's value as a float: NaN where it is missing (a spread of one replicate)."""
    return float("nan") if value is None else float(value)


def value_label(setting: str, value: str) -> str:
    """A variant's value with its unit, e.g. `6 bits` or `5000 electrons`."""
    known = SETTINGS.get(setting)
    return known.value_label.format(value.replace("_", " ")) if known else value


LABEL_OFFSETS = [  # points from the marker, with the text's alignment, tried in order
    (dx * reach, dy * reach, ha, va)
    for reach in (1, 2, 3.5, 5, 7)
    for dx, dy, ha, va in (
        (6, 4, "left", "bottom"),
        (6, -4, "left", "top"),
        (-6, 4, "right", "bottom"),
        (-6, -4, "right", "top"),
        (0, 8, "center", "bottom"),
        (0, -8, "center", "top"),
        (8, 0, "left", "center"),
        (-8, 0, "right", "center"),
    )
]
LEADER = {"arrowstyle": "-", "color": "0.5", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 4}


def place_labels(axis: plt.Axes, points: list[tuple[float, float, str]]) -> None:
    """Write each (x, y, text) beside its point, a grey leader line between them, where its box
    stays inside the axes and overlaps no other label and no marker: the first such offset of
    LABEL_OFFSETS, else the one overlapping least (the layout must be final: positions are
    measured in the drawn figure)."""
    renderer = axis.figure.canvas.get_renderer()
    inside = axis.get_window_extent(renderer)
    centres = [axis.transData.transform((x, y)) for x, y, _ in points]
    markers = [Bbox.from_bounds(*(centre - 5), 10, 10) for centre in centres]
    placed: list[Bbox] = []
    for index, (x, y, text) in enumerate(points):
        others = placed + markers[:index] + markers[index + 1 :]
        candidates = [
            _label_box(axis, text, centres[index], offset, renderer) for offset in LABEL_OFFSETS
        ]
        clashes = [
            sum(_overlap(box, other) for other in others)
            + box.width * box.height
            - _overlap(box, inside)  # the part outside the axes
            for box in candidates
        ]
        chosen = clashes.index(0.0) if 0.0 in clashes else clashes.index(min(clashes))
        dx, dy, ha, va = LABEL_OFFSETS[chosen]
        axis.annotate(
            text,
            (x, y),
            textcoords="offset points",
            xytext=(dx, dy),
            ha=ha,
            va=va,
            fontsize="small",
            arrowprops=LEADER,
        )
        placed.append(candidates[chosen])


def _label_box(
    axis: plt.Axes,
    text: str,
    centre: np.ndarray,
    offset: tuple[float, float, str, str],
    renderer: RendererBase,
) -> Bbox:
    """The display box, with a gap of 3 pixels, of `text` written at `offset` from `centre`."""
    dx, dy, ha, va = offset
    scale = axis.figure.dpi / 72  # points to pixels
    label = axis.text(0, 0, text, fontsize="small", ha=ha, va=va, transform=None)
    label.set_position((centre[0] + dx * scale, centre[1] + dy * scale))
    box = label.get_window_extent(renderer).padded(3)
    label.remove()
    return box


def _overlap(first: Bbox, second: Bbox) -> float:
    """The area two boxes share (0 where they are apart)."""
    shared = Bbox.intersection(first, second)
    return 0.0 if shared is None else shared.width * shared.height


def _spread(value: float | None) -> float:
    """A spread to draw: 0 where there is none (one replicate)."""
    return 0.0 if value is None or value != value else value


Point = tuple[float, float, str]  # where a value label goes: cosine, metric, text


def _plot_variants(axis: plt.Axes, rows: pd.DataFrame) -> list[Point]:
    """Each variant of one study: mean and spread, marker and colour per setting."""
    points = []
    for setting, group in rows.groupby("setting", sort=False):
        style = SETTINGS.get(setting, Setting(setting, "o", "black", "{}"))
        axis.errorbar(
            group["projection_cosine"],
            group["metric_value"],
            xerr=group[f"projection_cosine{STD_SUFFIX}"],
            yerr=group[f"metric_value{STD_SUFFIX}"],
            fmt=style.marker,
            color=style.colour,
            markersize=7,
            capsize=3,
            label=style.name,
        )
        points += [
            (row["projection_cosine"], row["metric_value"], value_label(setting, row["value"]))
            for _, row in group.iterrows()
        ]
    return points


def _plot_references(axis: plt.Axes, references: dict[str, Reference]) -> list[Point]:
    """DFA's and default ODFA's results as lines with their spread as bands; default ODFA also
    as a point at its own cosine where known."""
    points = []
    for method, label in REFERENCES.items():
        if label not in references:
            continue
        reference, colour = references[label], method_colour(method)
        axis.axhline(
            reference.mean, color=colour, linestyle="--" if method == "dfa" else ":", label=label
        )
        if reference.std == reference.std:  # a spread exists (more than one replicate)
            axis.axhspan(
                reference.mean - reference.std,
                reference.mean + reference.std,
                color=colour,
                alpha=0.12,
                linewidth=0,
            )
        if reference.cosine is not None:
            axis.errorbar(
                [reference.cosine],
                [reference.mean],
                xerr=[_spread(reference.cosine_std)],
                yerr=[_spread(reference.std)],
                fmt=DEFAULT_MARKER,
                color=colour,
                markersize=8,
                capsize=3,
                label=f"{label} (its own cosine)",
            )
            points.append((reference.cosine, reference.mean, "default optics"))
    return points


def plot_ablation(
    table_path: str | Path,
    references: dict[str, dict[str, Reference]],
    out_path: str | Path,
) -> plt.Figure:
    """One panel per study: ODFA's final metric against `projection_cosine` for each variant,
    mean with error bars of one standard deviation over its replicates (marker and colour per
    setting, value and unit written beside it), default-optics ODFA as a point at its own
    cosine where known, and the study's DFA and default-optics ODFA results
    (`references[study]`: label -> Reference) as horizontal lines with their spread as bands."""
    table = pd.read_csv(table_path)
    studies = list(dict.fromkeys(table["study"]))
    figure, axes = plt.subplots(1, len(studies), figsize=(6.5 * len(studies), 5.2), squeeze=False)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.24, wspace=0.25)
    labels, legend = {}, {}
    for axis, study in zip(axes[0], studies, strict=True):
        rows = table[table["study"] == study]
        labels[axis] = _plot_variants(axis, rows)
        labels[axis] += _plot_references(axis, references.get(study, {}))
        axis.margins(x=0.15, y=0.12)
        axis.set(
            xlabel="projection cosine, optical vs noiseless (1 = exact)",
            ylabel=METRIC_LABELS[rows["metric"].iloc[0]],
        )
        axis.set_title(f"{study}: ODFA with one optics setting changed")
        for handle, name in zip(*axis.get_legend_handles_labels(), strict=True):
            legend.setdefault(name, handle)
    counts = sorted(set(table[COUNT]))
    figure.suptitle(
        "What the simulated optics cost: mean +/- std over "
        f"{'/'.join(map(str, counts))} replicate{'s' if counts != [1] else ''} per setting"
    )
    figure.legend(
        legend.values(), legend.keys(), loc="lower center", ncol=3, fontsize="small", frameon=False
    )
    figure.canvas.draw()  # the layout is final: the labels can be placed where they are free
    for axis, points in labels.items():
        place_labels(axis, points)
    save_figure(figure, out_path)
    return figure
