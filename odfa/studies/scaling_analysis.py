"""Study 3's conclusions from its timings: where ODFA's time meets BP's, and how time grows.

ODFA's time here is what it would take on an OPU: measured digital time + MODELLED optical
time (the simulator's own optics time taken out). The tables are written by the pipeline and
read by the figures and the scorecard.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from odfa.replicates import write_csv

ODFA_TIME = "measured digital + MODELLED optical"


def odfa_hardware_time(table: pd.DataFrame) -> pd.Series:
    """Per-sample time ODFA would take on an OPU: measured digital + MODELLED optical.

    The simulator's own optics time is measured and taken out: on hardware the optics do it.
    """
    return (
        table["measured_s_per_sample"]
        - table["simulated_optics_s_per_sample"].fillna(0)
        + table["modelled_optical_s_per_sample"].fillna(0)
    )


def with_hardware_time(timings: pd.DataFrame) -> pd.DataFrame:
    """Points that ran, with `time` = measured (BP, DFA) or measured digital + MODELLED optical
    (ODFA), and `time_q1`, `time_q3` the measured quartiles moved by the same amount."""
    table = timings[timings["status"] == "ok"].copy()
    odfa = table["method"] == "odfa"
    table["time"] = table["measured_s_per_sample"]
    table.loc[odfa, "time"] = odfa_hardware_time(table[odfa])
    shift = table["time"] - table["measured_s_per_sample"]
    for quartile in ("q1", "q3"):
        table[f"time_{quartile}"] = table[f"measured_s_per_sample_{quartile}"] + shift
    return table


def crossing_points(x: np.ndarray, log_ratio: np.ndarray) -> list[float]:
    """x where `log_ratio` changes sign (interpolated linearly in log x) or is exactly 0."""
    points = [float(x[index]) for index in np.flatnonzero(log_ratio == 0)]
    for index in np.flatnonzero(log_ratio[:-1] * log_ratio[1:] < 0):
        fraction = log_ratio[index] / (log_ratio[index] - log_ratio[index + 1])
        points.append(float(np.exp(np.log(x[index]) + fraction * np.log(x[index + 1] / x[index]))))
    return sorted(points)


def _order(log_ratio: float) -> str:
    """ODFA against BP for one log(ODFA / BP)."""
    return "faster" if log_ratio < 0 else "slower" if log_ratio > 0 else "equal"


def odfa_over_bp(table: pd.DataFrame) -> pd.DataFrame:
    """(width, depth, ratio): ODFA's time over BP's where both ran, from `with_hardware_time`."""
    times = table[table["method"].isin(["bp", "odfa"])].pivot_table(
        index=["width", "depth"], columns="method", values="time"
    )
    if not {"bp", "odfa"} <= set(times.columns):
        return pd.DataFrame(columns=["width", "depth", "ratio"])
    ratio = (times["odfa"] / times["bp"]).dropna().rename("ratio")
    return ratio.reset_index()


def crossovers(table: pd.DataFrame, x: str = "width", group: str = "depth") -> pd.DataFrame:
    """For each `group` value: the `x` where ODFA's time meets BP's (the last crossing, after
    which the order holds to the end of the range), or "none in range", with a note, and the
    ratio at the largest `x`; from `with_hardware_time`'s table."""
    ratios = odfa_over_bp(table)
    rows = []
    for value in sorted(table[group].unique()):
        curve = ratios[ratios[group] == value].sort_values(x)
        row = {group: value, f"crossover_{x}": np.nan, f"largest_{x}": np.nan}
        row["odfa_over_bp_at_largest"] = np.nan
        if len(curve) < 2:
            rows.append(row | {"note": f"none in range: fewer than 2 {x}s with BP and ODFA"})
            continue
        log_ratio = np.log(curve["ratio"].to_numpy())
        points = crossing_points(curve[x].to_numpy(dtype=float), log_ratio)
        row[f"largest_{x}"] = curve[x].iloc[-1]
        row["odfa_over_bp_at_largest"] = curve["ratio"].iloc[-1]
        if not points:
            rows.append(row | {"note": f"none in range: ODFA {_order(log_ratio[0])} throughout"})
            continue
        note = f"ODFA {_order(log_ratio[-1])} at the largest {x}"
        if len(points) > 1:
            listed = ", ".join(f"{point:.0f}" for point in points)
            note = f"{len(points)} crossings at {listed} (the last given); {note}"
        rows.append(row | {f"crossover_{x}": points[-1], "note": note})
    return pd.DataFrame(
        rows,
        columns=[group, f"crossover_{x}", "note", f"largest_{x}", "odfa_over_bp_at_largest"],
    )


def power_law(x: np.ndarray, time: np.ndarray) -> tuple[float, float]:
    """Exponent k of time ~ x^k fitted by least squares in log-log, and its standard error
    (NaN with fewer than 3 points)."""
    slope, intercept = np.polyfit(np.log(x), np.log(time), 1)
    if len(x) < 3:
        return float(slope), float("nan")
    residuals = np.log(time) - (intercept + slope * np.log(x))
    spread = np.sum(residuals**2) / (len(x) - 2) / np.sum((np.log(x) - np.log(x).mean()) ** 2)
    return float(slope), float(np.sqrt(spread))


def growth(table: pd.DataFrame) -> pd.DataFrame:
    """Per method: the exponent of time vs width at the largest depth and of time vs depth at
    the largest width (with its standard error), and the least-squares slope in seconds per
    unit; from `with_hardware_time`'s table."""
    rows = []
    for x, held in (("width", "depth"), ("depth", "width")):
        for method, points in table.groupby("method", sort=False):
            largest = points[held].max()
            curve = points[points[held] == largest].sort_values(x)
            if len(curve) < 2:
                continue
            xs, times = curve[x].to_numpy(dtype=float), curve["time"].to_numpy()
            exponent, stderr = power_law(xs, times)
            rows.append(
                {
                    "method": method,
                    "against": x,
                    "held": held,
                    "held_at": largest,
                    "points": len(curve),
                    "x_min": xs.min(),
                    "x_max": xs.max(),
                    "exponent": exponent,
                    "exponent_stderr": stderr,
                    "slope_s_per_unit": float(np.polyfit(xs, times, 1)[0]),
                    "time": ODFA_TIME if method == "odfa" else "measured",
                }
            )
    return pd.DataFrame(rows)


def projection_ratios(projections: pd.DataFrame) -> pd.DataFrame:
    """(projection_size, ratio): ODFA's time of the projection alone (measured digital +
    MODELLED optical) over DFA's, at each size where both ran."""
    ran = projections[projections["status"] == "ok"].copy()
    ran["time"] = ran["measured_s_per_sample"]
    odfa = ran["method"] == "odfa"
    ran.loc[odfa, "time"] = odfa_hardware_time(ran[odfa])
    time = ran.pivot_table(index="projection_size", columns="method", values="time")
    if not {"dfa", "odfa"} <= set(time.columns):
        return pd.DataFrame(columns=["projection_size", "ratio"])
    return (time["odfa"] / time["dfa"]).dropna().rename("ratio").reset_index()


def summarise(
    timings_path: str | Path, projections_path: str | Path, out: Mapping[str, str | Path]
) -> dict[str, pd.DataFrame]:
    """The study's tables, each written as CSV where `out` says and returned by name: times
    (each point that ran, with ODFA's hardware time), ratios (ODFA / BP per width and depth),
    crossover (per depth, the width where ODFA meets BP), crossover_in_depth (per width, the
    depth), growth (exponents of time vs width and depth) and projection_ratios (ODFA / DFA,
    the projection alone, per size)."""
    table = with_hardware_time(pd.read_csv(timings_path))
    tables = {
        "times": table,
        "ratios": odfa_over_bp(table),
        "crossover": crossovers(table),
        "crossover_in_depth": crossovers(table, "depth", "width"),
        "growth": growth(table),
        "projection_ratios": projection_ratios(pd.read_csv(projections_path)),
    }
    for name, frame in tables.items():
        write_csv(frame, out[name])
    return tables
