"""What a workflow run made: where its report and figures are, and each study's headline table
(means ± standard deviations over replicates; measured and modelled times labelled so)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from odfa.registry import RUN_LABELS
from odfa.replicates import COUNT, STD_SUFFIX
from odfa.studies.scorecard import verdicts


def spread(table: pd.DataFrame, column: str, digits: int = 3) -> pd.Series:
    """`column` as "mean ± std" (the mean alone where there is no spread)."""
    deviation = table.get(column + STD_SUFFIX, pd.Series(float("nan"), index=table.index))
    return pd.Series(
        [
            f"{mean:.{digits}g}" if pd.isna(std) else f"{mean:.{digits}g} ± {std:.2g}"
            for mean, std in zip(table[column], deviation, strict=True)
        ],
        index=table.index,
    )


def _labelled(table: pd.DataFrame) -> pd.Series:
    return table["method"].map(lambda run: RUN_LABELS.get(run, run))


def digits_headline(results: Path) -> pd.DataFrame:
    table = pd.DataFrame(json.loads((results / "digits" / "metrics.json").read_text())).T
    table = table.rename_axis("method").reset_index()
    return pd.DataFrame(
        {
            "method": _labelled(table),
            "replicates": table[COUNT].astype(int),
            "test accuracy": spread(table, "test_accuracy"),
        }
    )


def dialogs_headline(results: Path) -> pd.DataFrame:
    table = pd.read_csv(results / "dialogs" / "metrics.csv")
    return pd.DataFrame(
        {
            "run": _labelled(table),
            "replicates": table[COUNT],
            "validation loss": spread(table, "final_validation_loss"),
            "validation perplexity": spread(table, "final_validation_perplexity"),
        }
    )


def climate_headline(results: Path) -> pd.DataFrame:
    table = pd.read_csv(results / "climate" / "metrics.csv")
    return pd.DataFrame(
        {
            "model": table["model"].str.upper(),
            "method": _labelled(table),
            "variable": table["variable"],
            "replicates": table[COUNT],
            "NRMSE total": spread(table, "nrmse_total"),
            "RMSE": spread(table, "rmse"),
        }
    )


def scaling_headline(results: Path) -> pd.DataFrame:
    """Each method at the sweep's largest point that ran: measured time per sample (median and
    interquartile range over the repeats) and ODFA's modelled optical time."""
    table = pd.read_csv(results / "scaling" / "timings.csv")
    done = table[table["status"] == "ok"]
    largest = done[["width", "depth"]].apply(tuple, axis=1).max()
    rows = done[(done["width"] == largest[0]) & (done["depth"] == largest[1])]
    return pd.DataFrame(
        {
            "width x depth": f"{largest[0]} x {largest[1]}",
            "method": _labelled(rows),
            "measured s/sample (median)": rows["measured_s_per_sample"].map("{:.3g}".format),
            "measured IQR": [
                f"{first:.3g}-{third:.3g}"
                for first, third in zip(
                    rows["measured_s_per_sample_q1"], rows["measured_s_per_sample_q3"], strict=True
                )
            ],
            "MODELLED optical s/sample": [
                f"{seconds:.3g}" if method == "odfa" else "-"
                for method, seconds in zip(
                    rows["method"], rows["modelled_optical_s_per_sample"], strict=True
                )
            ],
            "MODELLED optical J/sample": [
                f"{joules:.3g}" if method == "odfa" else "-"
                for method, joules in zip(
                    rows["method"], rows["modelled_optical_j_per_sample"], strict=True
                )
            ],
        }
    )


def ablation_headline(results: Path) -> pd.DataFrame:
    table = pd.read_csv(results / "ablation" / "metrics.csv")
    return pd.DataFrame(
        {
            "study": table["study"],
            "variant": table["variant"],
            "metric": table["metric"],
            "replicates": table[COUNT],
            "value": spread(table, "metric_value"),
            "projection cosine": spread(table, "projection_cosine"),
        }
    )


def reproduction_headline(results: Path) -> pd.DataFrame:
    """The scorecard's verdicts (the published and reproduced values are in the CSV)."""
    return verdicts(pd.read_csv(results / "reproduction.csv"))


HEADLINES: dict[str, tuple[str, Callable[[Path], pd.DataFrame]]] = {
    "Digits (MLP)": ("digits/metrics.json", digits_headline),
    "Study 1: dialogs GPT": ("dialogs/metrics.csv", dialogs_headline),
    "Study 2: ClimateBench": ("climate/metrics.csv", climate_headline),
    "Study 3: scaling": ("scaling/timings.csv", scaling_headline),
    "Optics ablation": ("ablation/metrics.csv", ablation_headline),
    "Reproduction scorecard": ("reproduction.csv", reproduction_headline),
}


def run_summary(results: str | Path, report: str | Path) -> str:
    """Where the report and figures of `results` are, and the headline table of each study
    (a study whose table is missing says so)."""
    results, report = Path(results), Path(report)
    figures = sorted(path.name for path in (results / "figures").glob("*.png"))
    lines = [
        f"Report:  {report}" if report.is_file() else f"Report:  not made ({report} is missing)",
        f"Figures: {results / 'figures'}/ ({', '.join(figures) or 'none'})",
    ]
    for title, (table, headline) in HEADLINES.items():
        path = results / table
        lines += ["", f"{title} ({path})"]
        if path.is_file():
            lines.append(headline(results).to_string(index=False))
        else:
            lines.append("  not made")
    return "\n".join(lines)
