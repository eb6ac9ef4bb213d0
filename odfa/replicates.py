"""Replicates: each run of a study repeated over N seeds, and the statistics over them.

Replicate r of a run shifts every seed of training (model initialisation and data order), of
the feedback matrix, of the transmission matrix and of the camera noise by
r * REPLICATE_SEED_STRIDE; replicate 0 is the config's own seeds. The data (splits, sample
corpora) are the same for all. A replicate's settings hold its derived seeds, never the number
of replicates, so adding a replicate runs only the new one. A study's tables hold, per method,
the mean of every metric over its replicates and their spread as `<metric>_std`.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from odfa.errors import MissingInputError
from odfa.io import atomic_output, write_json

REPLICATE_SEED_STRIDE = 1000
SHARED_SEEDS = ("feedback.seed", "optics.seed", "optics.noise_seed")
TRAINING_SEEDS = {
    "digits": ("digits.training.seed",),
    "dialogs": ("dialogs.training.seed", "dialogs.bp_star_training.seed"),
    "climate": ("climate.training.vit.seed", "climate.training.fcnn.seed"),
}
DIRECTORY_PREFIX = "replicate-"


def replicate_name(replicate: int | str) -> str:
    """The folder of replicate `replicate` inside a run's folder (a wildcard's name gives the
    rules' pattern)."""
    return f"{DIRECTORY_PREFIX}{replicate}"


def replicate_config(config: Mapping[str, Any], study: str, replicate: int | str) -> dict[str, Any]:
    """A copy of `config` with the seeds of `study`'s replicate `replicate`."""
    if study not in TRAINING_SEEDS:
        raise ValueError(
            f"unknown replicated study {study!r}; choose one of {list(TRAINING_SEEDS)}"
        )
    index = int(replicate)
    if index < 0:
        raise ValueError(f"a replicate index is >= 0; got {replicate!r}")
    shifted = copy.deepcopy(dict(config))
    for key in (*SHARED_SEEDS, *TRAINING_SEEDS[study]):
        *parents, leaf = key.split(".")
        section: Any = shifted
        for part in parents:
            section = section.get(part) if isinstance(section, Mapping) else None
        if isinstance(section, dict) and leaf in section:
            section[leaf] += index * REPLICATE_SEED_STRIDE
    return shifted


COUNT = "replicates"
STD_SUFFIX = "_std"


def replicate_dirs(run_dir: str | Path, replicates: int) -> list[Path]:
    """The folders of a run's replicates 0 to replicates - 1."""
    if replicates < 1:
        raise ValueError(f"a study has at least one replicate; got {replicates}")
    return [Path(run_dir) / replicate_name(index) for index in range(replicates)]


def replicate_metrics(run_dir: str | Path, replicates: int) -> list[dict[str, Any]]:
    """Each replicate's metrics.json, with its `replicate` index and without its provenance
    (each run's metrics.json keeps it; tables keep the fingerprint)."""
    rows = []
    for index, folder in enumerate(replicate_dirs(run_dir, replicates)):
        path = folder / "metrics.json"
        if not path.is_file():
            raise MissingInputError(f"{path}: no metrics of replicate {index}; train it first")
        metrics = json.loads(path.read_text())
        metrics.pop("provenance", None)
        rows.append({"replicate": index, **metrics})
    return rows


def method_rows(runs_dir: str | Path, methods: Sequence[str], replicates: int) -> pd.DataFrame:
    """One row per replicate of each method's run (`runs_dir/<method>/replicate-<r>/`), its
    method first."""
    return pd.DataFrame(
        [
            {"method": method, **metrics}
            for method in methods
            for metrics in replicate_metrics(Path(runs_dir) / method, replicates)
        ]
    )


def summarise_replicates(rows: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One row per group of `keys`: the number of replicates and, for every numeric column,
    its mean as `<column>` and its standard deviation over replicates as `<column>_std`
    (sample std, NaN with one replicate). Columns that are not numbers (fingerprints) are left
    to the per-replicate table."""
    keys = list(keys)
    numeric = [
        column
        for column in rows.columns
        if column not in (*keys, "replicate") and pd.api.types.is_numeric_dtype(rows[column])
    ]
    grouped = rows.groupby(keys, sort=False)
    mean, std = grouped[numeric].mean(), grouped[numeric].std(ddof=1)
    summary = pd.DataFrame({COUNT: grouped.size()})
    for column in numeric:
        summary[column] = mean[column]
        summary[column + STD_SUFFIX] = std[column]
    return summary.reset_index()


def compare_methods(summary: pd.DataFrame, metric: str, within: Sequence[str] = ()) -> pd.DataFrame:
    """Every pair of methods (inside each group of `within`, e.g. model and variable): the
    difference of their mean `metric`, the spread (the sum of their standard deviations over
    replicates) and whether the difference exceeds it, i.e. the mean +/- std intervals do not
    overlap (empty with one replicate: no spread, no verdict)."""
    rows = []
    groups = summary.groupby(list(within), sort=False) if within else [((), summary)]
    for group, members in groups:
        labels = dict(zip(within, group if isinstance(group, tuple) else (group,), strict=True))
        for (_, first), (_, second) in itertools.combinations(members.iterrows(), 2):
            difference = first[metric] - second[metric]
            spread = first[metric + STD_SUFFIX] + second[metric + STD_SUFFIX]
            rows.append(
                {
                    **labels,
                    "method": first["method"],
                    "versus": second["method"],
                    "metric": metric,
                    "difference": difference,
                    "spread": spread,
                    "exceeds_spread": abs(difference) > spread if pd.notna(spread) else None,
                }
            )
    columns = [*within, "method", "versus", "metric", "difference", "spread", "exceeds_spread"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class SummaryTables:
    """Where a study's summary goes: one row per replicate, the mean, spread and count per run
    (CSV) with its numbers as JSON (the headline metrics DVC reads), and, where runs are
    compared, whether each pair differs beyond its spread."""

    replicates: Path
    metrics: Path
    headline: Path
    comparisons: Path | None = None


def write_summary(
    per_replicate: pd.DataFrame, summary: pd.DataFrame, tables: SummaryTables, keys: Sequence[str]
) -> None:
    """`per_replicate` and `summary` as CSV, and `summary`'s numbers as JSON (one object per
    row, named by its `keys` joined with "/"), where `tables` says."""
    write_csv(per_replicate, tables.replicates)
    write_csv(summary, tables.metrics)
    numbers = summary.set_index(list(keys)).select_dtypes("number")
    rows = {
        "/".join(map(str, name if isinstance(name, tuple) else (name,))): row
        for name, row in numbers.to_dict(orient="index").items()
    }
    write_json(tables.headline, rows)


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """`table` as CSV at `path`, atomically."""
    with atomic_output(path) as handle:
        table.to_csv(handle, index=False)
