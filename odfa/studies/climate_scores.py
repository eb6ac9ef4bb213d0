"""Study 2's scores: ClimateBench's NRMSE of each run's ssp245 predictions, and their table."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from odfa.data.climatebench import as_time_series
from odfa.data.prepared import load_climate_split, require_finite
from odfa.io import write_json
from odfa.metrics import climatebench_scores
from odfa.registry import CLIMATE_MODELS, climate_run_name
from odfa.replicates import (
    STD_SUFFIX,
    SummaryTables,
    compare_methods,
    replicate_metrics,
    summarise_replicates,
    write_csv,
    write_summary,
)

SCORES = ["nrmse_spatial", "nrmse_global", "nrmse_total", "rmse"]
DETAILS = ("scores", "provenance")  # each run's metrics.json keeps them; tables don't


RETRAIN = "the run trained to NaN or infinite outputs: train it again with other settings"


def score_run(run_dir: str | Path, data_dir: str | Path) -> dict[str, Any]:
    """Score `run_dir/predictions.nc` against the prepared test set: `run_dir/metrics.json`.

    The metrics hold the run's training summary (fingerprint and provenance included) and,
    per target variable, the ClimateBench scores.
    """
    run_dir = Path(run_dir)
    training = json.loads((run_dir / "training.json").read_text())
    test_set = load_climate_split(Path(data_dir) / "test.nc")
    with xr.open_dataset(run_dir / "predictions.nc") as predictions:
        prediction = predictions["prediction"].load()
    require_finite(prediction.values, run_dir / "predictions.nc", "prediction", RETRAIN)
    truth = as_time_series(test_set, test_set["targets"].values)
    scores = {
        str(variable): climatebench_scores(
            prediction.sel(variable=variable), truth.sel(variable=variable)
        )
        for variable in prediction["variable"].values
    }
    metrics = training | {"scores": scores}
    write_json(run_dir / "metrics.json", metrics)
    return metrics


def summarise_climate(
    methods: list[str],
    replicates: int,
    runs_dir: str | Path,
    tables: SummaryTables,
    baseline: str | Path | None = None,
) -> pd.DataFrame:
    """Per (model, method, variable) of both models, the scores first, where `tables` says: one
    row per replicate, the mean, `_std` and number of replicates, and per model and variable,
    for every pair of methods, whether the difference of their total NRMSE exceeds its
    spread. Returns the summary.

    `baseline`, the metrics.json of a deterministic fit (linear pattern scaling), adds its rows
    last: one run (`replicates` 1) whose scores' spread is 0, as every seed gives the same fit.
    """
    runs = [
        metrics
        for model, method in itertools.product(CLIMATE_MODELS, methods)
        for metrics in replicate_metrics(
            Path(runs_dir) / climate_run_name(model, method), replicates
        )
    ]
    if baseline is not None:
        runs.append({"replicate": 0, **json.loads(Path(baseline).read_text())})
    rows = []
    for metrics in runs:
        fields = {key: value for key, value in metrics.items() if key not in DETAILS}
        for variable, scores in metrics["scores"].items():
            rows.append({"variable": variable, **scores, **fields})
    table = pd.DataFrame(rows)
    leading = ["model", "method", "variable", "replicate", *SCORES]
    table = table[leading + [column for column in table.columns if column not in leading]]
    keys = ["model", "method", "variable"]
    summary = summarise_replicates(table, keys)
    if baseline is not None:
        deterministic = summary["model"] == runs[-1]["model"]
        summary.loc[deterministic, [score + STD_SUFFIX for score in SCORES]] = 0.0
    write_summary(table, summary, tables, keys)
    comparisons = compare_methods(summary, "nrmse_total", within=["model", "variable"])
    write_csv(comparisons, tables.comparisons)
    return summary
