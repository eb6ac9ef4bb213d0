"""The dialogs study's summary: each run's losses, perplexity and speed over replicates, and
which runs differ beyond their spread."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from odfa.replicates import (
    SummaryTables,
    compare_methods,
    method_rows,
    summarise_replicates,
    write_csv,
    write_summary,
)


def summarise_dialogs(
    runs: list[str], replicates: int, runs_dir: str | Path, tables: SummaryTables
) -> pd.DataFrame:
    """Per run (final losses, perplexity, tokens/s, steps, optical frames and time), where
    `tables` says: one row per replicate, the mean, `_std` and number of replicates, and for
    every pair of runs whether the difference of their final validation loss exceeds its
    spread. Returns the summary."""
    rows = method_rows(runs_dir, runs, replicates)
    summary = summarise_replicates(rows, ["method"])
    write_summary(rows, summary, tables, ["method"])
    write_csv(compare_methods(summary, "final_validation_loss"), tables.comparisons)
    return summary
