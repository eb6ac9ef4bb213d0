"""Figures of Study 2: ClimateBench scores (3b) and maps of 2100 warming and bias (3c)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from odfa.figures.common import method_colour, method_label, plt, save_figure
from odfa.published import PUBLISHED_SCORES, PUBLISHED_TAS
from odfa.registry import CLIMATE_BASELINE, CLIMATE_MODELS, METHODS, climate_run_name
from odfa.replicates import COUNT, STD_SUFFIX, replicate_dirs

SCORES = {
    "nrmse_spatial": "NRMSE spatial",
    "nrmse_global": "NRMSE global",
    "nrmse_total": "NRMSE total (spatial + 5 x global)",
    "rmse": "RMSE (target units)",
}
BASELINE_MODEL, BASELINE_FIT = CLIMATE_BASELINE
MODEL_LABELS = {"vit": "ViT", "fcnn": "FCNN", BASELINE_MODEL: "pattern scaling"}
FIT_LABELS = {BASELINE_FIT: "least squares"}
# A trained run takes its method's colour, its model a hatch; the fitted baseline (and its
# published line) a colour no method uses.
MODEL_HATCHES = {"vit": "", "fcnn": "..", BASELINE_MODEL: "//"}
MODEL_LINESTYLES = {"vit": "-", "fcnn": "--"}
BASELINE_COLOUR = "tab:brown"
VALUE_BOX = {"facecolor": "white", "alpha": 1.0, "edgecolor": "none", "pad": 1}  # hides lines
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


def _highest_published(score: str) -> float:
    return max(getattr(published, score) for published in PUBLISHED_TAS)


def plot_scores(metrics_path: str | Path, out_path: str | Path) -> plt.Figure:
    """Fig. 3b: every score per (model, method), the mean over replicates with error bars of
    their std, the pattern-scaling floor as a hatched brown bar, published results as labelled
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
        colours = [
            BASELINE_COLOUR if model == BASELINE_MODEL else method_colour(method)
            for model, method in zip(rows["model"], rows["method"], strict=True)
        ]
        for axis, (score, title) in zip(axes[row], SCORES.items(), strict=True):
            spread = rows[score + STD_SUFFIX].fillna(0.0)
            axis.bar(
                range(len(rows)),
                rows[score],
                yerr=spread,
                capsize=3,
                color=colours,
                hatch=[MODEL_HATCHES.get(model, "") for model in rows["model"]],
                edgecolor="white",
            )
            for index, (value, top) in enumerate(
                zip(rows[score], rows[score] + spread, strict=True)
            ):
                axis.annotate(  # above the error bar, over any reference line
                    f"{value:.3f}",
                    (index, top),
                    textcoords="offset points",
                    xytext=(0, 2),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    bbox=VALUE_BOX,
                    zorder=5,
                )
            axis.set_ylim(0, 1.18 * float((rows[score] + spread).max()))
            axis.set_xticks(range(len(rows)), labels, rotation=35, ha="right", fontsize=8)
            axis.set_title(f"{variable}: {title}", fontsize=10)
            if variable == "tas" and score in PUBLISHED_SCORES:
                draw_published(axis, score)
                axis.set_ylim(0, max(axis.get_ylim()[1], 1.1 * _highest_published(score)))
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


def map_runs_of(runs: pd.Index) -> list[tuple[str, str]]:
    """The trained (model, method) runs among `runs`, by model then the registry's methods."""
    order = {name: index for index, name in enumerate(METHODS)}
    trained = [(model, method) for model, method in runs if model in CLIMATE_MODELS]
    return sorted(trained, key=lambda run: (CLIMATE_MODELS.index(run[0]), order[run[1]]))


def _plot_zonal_means(
    axis: plt.Axes,
    fields: dict[str, xr.DataArray],
    runs: list[tuple[str, str]],
    title: str,
    label: str,
) -> None:
    """Each run's field averaged over longitude against latitude."""
    for (model, method), field in zip(runs, fields.values(), strict=True):
        axis.plot(
            field.mean("lon"),
            field["lat"],
            color=method_colour(method),
            linestyle=MODEL_LINESTYLES.get(model, "-"),
            label=run_label(model, method),
        )
    axis.set(xlabel=label, ylabel="latitude (°N)", xlim=(0, None))
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=6)


def _replicates_mean_and_std(
    runs_dir: str | Path, map_runs: list[tuple[str, str]], counts: pd.Series, year: int
) -> tuple[dict[str, xr.DataArray], dict[str, xr.DataArray]]:
    """Per run (by its label), the mean and the std over its replicates of the `tas` it
    predicts for `year`."""
    predictions, spreads = {}, {}
    for model, method in map_runs:
        fields = []
        run_dir = Path(runs_dir) / climate_run_name(model, method)
        for folder in replicate_dirs(run_dir, counts[model, method]):
            with xr.open_dataset(folder / "predictions.nc") as stored:
                fields.append(stored["prediction"].sel(variable="tas", time=year).load())
        stacked = xr.concat(fields, dim="replicate")
        predictions[run_label(model, method)] = stacked.mean("replicate")
        spreads[run_label(model, method)] = stacked.std("replicate", ddof=min(1, len(fields) - 1))
    return predictions, spreads


def plot_maps(
    metrics_path: str | Path,
    runs_dir: str | Path,
    data_dir: str | Path,
    out_path: str | Path,
    year: int = 2100,
) -> plt.Figure:
    """Fig. 3c: predicted `tas` in `year` (change vs. pre-industrial), the mean over each
    trained run's replicates (every model and method of `metrics_path`), its absolute bias and
    the std of the replicates' predictions; beside them the target and, per run, the zonal means
    of the bias and of the std (line in the method's colour, style per model)."""
    counts = pd.read_csv(metrics_path).groupby(["model", "method"])[COUNT].max()
    map_runs = map_runs_of(counts.index)
    with xr.open_dataset(Path(data_dir) / "test.nc") as test:
        truth = (
            test["targets"]
            .sel(variable="tas")
            .isel(sample=int(np.argmax(test["year"].values == year)))
        )
        truth = truth.load()
    predictions, spreads = _replicates_mean_and_std(runs_dir, map_runs, counts, year)
    change_limit = float(max(abs(truth).max(), *(abs(p).max() for p in predictions.values())))
    bias_limit = float(max(abs(p - truth.values).max() for p in predictions.values()))
    spread_limit = float(max(s.max() for s in spreads.values())) or 1.0
    figure, axes = plt.subplots(
        3, len(map_runs) + 1, figsize=(3.8 * (len(map_runs) + 1), 9.5), layout="constrained"
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
        _plot_zonal_means(row[0], fields, map_runs, f"zonal mean of the {name} {year}", label)
        for axis, (title, field) in zip(row[1:], fields.items(), strict=True):
            image = axis.pcolormesh(
                field["lon"], field["lat"], field, cmap=colours, vmin=0, vmax=limit
            )
            axis.set_title(f"{title}: {name} {year}", fontsize=9)
        figure.colorbar(image, ax=row.tolist(), label=label)
    for axis in axes[:, 1:].flat:
        axis.set(xlabel="longitude (°E)", ylabel="latitude (°N)")
    axes[0][0].set(xlabel="longitude (°E)", ylabel="latitude (°N)")
    replicates = ", ".join(f"{run_label(*run)}: {counts[run]}" for run in map_runs)
    figure.suptitle(f"tas in {year}: replicates' mean, its bias and their std ({replicates})")
    save_figure(figure, out_path)
    return figure
