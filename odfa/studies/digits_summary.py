"""The digits study's summary: the mean and spread of each method's metrics over replicates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from odfa.io import write_json
from odfa.replicates import STD_SUFFIX, method_rows, summarise_replicates, write_csv


def summarise_digits(
    methods: list[str],
    replicates: int,
    runs_dir: str | Path,
    headline_path: str | Path,
    replicates_path: str | Path,
) -> dict[str, Any]:
    """`headline_path`: per method, the mean, std and number of replicates of every metric of
    `runs_dir/<method>/replicate-<r>/metrics.json`; `replicates_path`: one CSV row per
    replicate."""
    rows = method_rows(runs_dir, methods, replicates)
    write_csv(rows, replicates_path)
    table = summarise_replicates(rows, ["method"]).set_index("method")
    summary = {method: _measured(row) for method, row in table.to_dict(orient="index").items()}
    write_json(headline_path, summary)
    return summary


def _measured(row: dict[str, Any]) -> dict[str, Any]:
    """A method's summary without the metrics it does not have (BP has no optics); a spread
    that one replicate cannot give is null."""
    return {
        key: None if pd.isna(value) else value
        for key, value in row.items()
        if not pd.isna(row[key.removesuffix(STD_SUFFIX)])
    }
