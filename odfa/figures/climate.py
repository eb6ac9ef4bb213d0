"""Figures of Study 2: ClimateBench scores (3b) and maps of 2100 warming and bias (3c)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from odfa.figures.common import method_label, plt, save_figure
from odfa.published import PUBLISHED_SCORES, PUBLISHED_TAS
from odfa.registry import CLIMATE_BASELINE, climate_run_name
from odfa.replicates import COUNT, STD_SUFFIX, replicate_dirs

SCORES = {
    "nrmse_spatial": "NRMSE spatial",
    "nrmse_global": "NRMSE global",
    "nrmse_total": "NRMSE total (spatial + 5 x global)",
    "rmse": "RMSE (target units)",
}
MAP_RUNS = (("vit", "bp"), ("vit", "odfa"), ("fcnn", "odfa"))
BASELINE_MODEL, BASELINE_FIT = CLIMATE_BASELINE
MODEL_LABELS = {"vit": "ViT", "fcnn": "FCNN", BASELINE_MODEL: "pattern scaling"}
FIT_LABELS = {BASELINE_FIT: "least squares"}
# Trained runs take tab10's colours but its grey, which marks the baseline and its published line.
RUN_COLOURS = [colour for index, colour in enumerate(plt.get_cmap("tab10").colors) if index != 7]
BASELINE_COLOUR = "dimgray"
VALUE_BOX = {"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1}  # over hatches
PUBLISHED_LINESTYLES = ("--", ":", "-.", (0, (6, 1.5, 1, 1.5, 1, 1.5)), "-")


def run_label(model: str, method: str) -> str:
    return f"{MODEL_LABELS[model]} ({FIT_LABELS.get(method) or method_label(method)})"


def draw_published(axis: plt.Axes, score: str) -> None:
    """The published tas `score` of every reference emulator as a labelled horizontal line, in
    the baseline's colour where it is the baseline's published counterpart."""
    for published, style in zip(PUBLISHED_TAS, PUBLISHED_LINESTYLES, strict=True):
        axis.axhline(
            getattr(published, score),
            color=BASELINE_COLOUR if published.counterpart else "black",
            linestyle=style,
            linewidth=1.2,
            label=f"{published.name} (published, real data)",
        )


def plot_scores(metrics_path: str | Path, out_path: str | Path) -> plt.Figure:
    """Fig. 3b: every score per (model, method), the mean over replicates with error bars of
    their std, the pattern-scaling floor as a hatched grey bar, published results as labelled
    lines."""
    table = pd.read_csv(metrics_path)
    variables = list(dict.fromkeys(table["variable"]))
    figure, axes = plt.subplots(
        len(variables),
        len(SCORES),
        figsize=(4.2 * len(SCORES), 3.8 * len(variables)),
        squeeze=False,
    )
    for row, variable in enumerate(variables):
        rows = table[table["variable"] == variable]
        labels = [run_label(m, k) for m, k in zip(rows["model"], rows["method"], strict=True)]
        baseline = (rows["model"] == BASELINE_MODEL).to_numpy()
        trained_colours = iter(RUN_COLOURS)
        colours = [BASELINE_COLOUR if fitted else next(trained_colours) for fitted in baseline]
        for axis, (score, title) in zip(axes[row], SCORES.items(), strict=True):
            bars = axis.bar(
                range(len(rows)),
                rows[score],
                yerr=rows[score + STD_SUFFIX].fillna(0.0),
                capsize=3,
                color=colours,
                hatch=["//" if fitted else "" for fitted in baseline],
                edgecolor="white",
            )
            axis.bar_label(bars, fmt="%.3f", fontsize=7, label_type="center", bbox=VALUE_BOX)
            axis.set_xticks(range(len(rows)), labels, rotation=35, ha="right", fontsize=8)
            axis.set_title(f"{variable}: {title}", fontsize=10)
            if variable == "tas" and score in PUBLISHED_SCORES:
                draw_published(axis, score)
        if variable == "tas":
            handles, names = axes[row][0].get_legend_handles_labels()
            figure.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8)
    replicates = int(table.loc[table["model"] != BASELINE_MODEL, COUNT].max())
    figure.suptitle(
        f"ClimateBench scores on ssp245, 2080-2100 (lower is better), mean ± std over {replicates} "
        "replicates; pattern scaling: one deterministic least-squares fit (std 0).\nReference "
        "lines are published results on the real data, context only on sample data"
    )
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    save_figure(figure, out_path)
    return figure


def plot_maps(
    metrics_path: str | Path,
    runs_dir: str | Path,
    data_dir: str | Path,
    out_path: str | Path,
    year: int = 2100,
) -> plt.Figure:
    """Fig. 3c: predicted `tas` in `year` (change vs. pre-industrial), the mean over each run's
    replicates, its absolute bias and the std of the replicates' predictions."""
    counts = pd.read_csv(metrics_path).groupby(["model", "method"])[COUNT].max()
    with xr.open_dataset(Path(data_dir) / "test.nc") as test:
        truth = (
            test["targets"]
            .sel(variable="tas")
            .isel(sample=int(np.argmax(test["year"].values == year)))
        )
        truth = truth.load()
    predictions, spreads = {}, {}
    for model, method in MAP_RUNS:
        fields = []
        run_dir = Path(runs_dir) / climate_run_name(model, method)
        for folder in replicate_dirs(run_dir, counts[model, method]):
            with xr.open_dataset(folder / "predictions.nc") as stored:
                fields.append(stored["prediction"].sel(variable="tas", time=year).load())
        stacked = xr.concat(fields, dim="replicate")
        predictions[run_label(model, method)] = stacked.mean("replicate")
        spreads[run_label(model, method)] = stacked.std("replicate", ddof=min(1, len(fields) - 1))
    change_limit = float(max(abs(truth).max(), *(abs(p).max() for p in predictions.values())))
    bias_limit = float(max(abs(p - truth.values).max() for p in predictions.values()))
    spread_limit = float(max(s.max() for s in spreads.values())) or 1.0
    figure, axes = plt.subplots(
        3, len(MAP_RUNS) + 1, figsize=(4.6 * (len(MAP_RUNS) + 1), 10.5), layout="constrained"
    )
    panels = {"target": truth, **predictions}
    for axis, (title, field) in zip(axes[0], panels.items(), strict=True):
        image = axis.pcolormesh(
            field["lon"], field["lat"], field, cmap="RdBu_r", vmin=-change_limit, vmax=change_limit
        )
        axis.set_title(f"{title}: tas {year} (K)", fontsize=9)
    figure.colorbar(image, ax=axes[0].tolist(), label="surface air temperature change (K)")
    rows = (
        (
            "|bias| of the replicates' mean",
            {t: abs(p - truth.values) for t, p in predictions.items()},
            "magma_r",
            bias_limit,
            "absolute bias (K)",
        ),
        ("std over replicates", spreads, "viridis", spread_limit, "std of the prediction (K)"),
    )
    for row, (name, fields, colours, limit, label) in zip(axes[1:], rows, strict=True):
        row[0].axis("off")
        for axis, (title, field) in zip(row[1:], fields.items(), strict=True):
            image = axis.pcolormesh(
                field["lon"], field["lat"], field, cmap=colours, vmin=0, vmax=limit
            )
            axis.set_title(f"{title}: {name} {year}", fontsize=9)
        figure.colorbar(image, ax=row.tolist(), label=label)
    for axis in axes.flat:
        if axis.axison:
            axis.set(xlabel="longitude (°E)", ylabel="latitude (°N)")
    replicates = ", ".join(f"{run_label(*run)}: {counts[run]}" for run in MAP_RUNS)
    figure.suptitle(f"tas in {year}: replicates' mean, its bias and their std ({replicates})")
    save_figure(figure, out_path)
    return figure
