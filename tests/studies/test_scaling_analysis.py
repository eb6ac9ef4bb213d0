"""Study 3's tables: where ODFA's time (measured digital + MODELLED optical) meets BP's per
depth, or none in range, and the exponents of time vs width and depth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from odfa.studies.scaling_analysis import (
    crossovers,
    growth,
    odfa_hardware_time,
    summarise,
    with_hardware_time,
)
from tests.conftest import scaling_tables_in


def _table(times: dict[tuple[str, int, int], float]) -> pd.DataFrame:
    """A `with_hardware_time` table from {(method, width, depth): seconds per sample}."""
    rows = [
        {"method": method, "width": width, "depth": depth, "time": seconds}
        for (method, width, depth), seconds in times.items()
    ]
    return pd.DataFrame(rows)


def _curves(bp: list[float], odfa: list[float], widths=(100, 200, 400, 800), depth=1):
    return {("bp", w, depth): b for w, b in zip(widths, bp, strict=True)} | {
        ("odfa", w, depth): o for w, o in zip(widths, odfa, strict=True)
    }


def test_one_crossing_is_log_interpolated_between_the_widths_around_it():
    # log(ODFA / BP) goes from log 2 at 200 to -log 2 at 400: it is 0 half-way in log width
    table = _table(_curves([1.0, 1.0, 4.0, 16.0], [4.0, 2.0, 2.0, 2.0]))
    (row,) = crossovers(table).to_dict("records")
    assert row["crossover_width"] == pytest.approx(math.sqrt(200 * 400))
    assert row["note"] == "ODFA faster at the largest width"
    assert row["largest_width"] == 800 and row["odfa_over_bp_at_largest"] == pytest.approx(0.125)


def test_no_crossing_is_none_in_range_with_the_side_odfa_is_on():
    table = _table(
        _curves([1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0])
        | _curves([9.0, 9.0, 9.0, 9.0], [1.0, 2.0, 3.0, 4.0], depth=2)
    )
    found = crossovers(table).set_index("depth")
    assert found["crossover_width"].isna().all()
    assert found.loc[1, "note"] == "none in range: ODFA slower throughout"
    assert found.loc[2, "note"] == "none in range: ODFA faster throughout"


def test_several_crossings_are_listed_and_the_last_given():
    table = _table(_curves([1.0, 4.0, 1.0, 4.0], [2.0, 2.0, 2.0, 2.0]))
    (row,) = crossovers(table).to_dict("records")
    first, second, third = math.sqrt(100 * 200), math.sqrt(200 * 400), math.sqrt(400 * 800)
    assert row["crossover_width"] == pytest.approx(third)
    assert row["note"] == (
        f"3 crossings at {first:.0f}, {second:.0f}, {third:.0f} (the last given); "
        "ODFA faster at the largest width"
    )


def test_a_depth_without_two_widths_for_both_methods_is_none_in_range():
    table = _table({("bp", 100, 4): 1.0, ("odfa", 100, 4): 2.0, ("bp", 200, 4): 1.0})
    (row,) = crossovers(table).to_dict("records")
    assert math.isnan(row["crossover_width"])
    assert row["note"] == "none in range: fewer than 2 widths with BP and ODFA"


def test_crossovers_along_depth_are_the_same_function_with_the_axes_swapped():
    times = {("bp", 512, depth): 1.0 * depth for depth in (1, 4)}
    times |= {("odfa", 512, depth): 2.0 for depth in (1, 4)}
    (row,) = crossovers(_table(times), x="depth", group="width").to_dict("records")
    assert row["width"] == 512 and row["crossover_depth"] == pytest.approx(2.0)


def test_growth_recovers_quadratic_width_and_linear_depth_exponents():
    widths, depths = (100, 200, 400, 800), (1, 2, 4, 8)
    times = {("bp", w, d): 1e-9 * w**2 * d for w in widths for d in depths}
    times |= {("odfa", w, d): 1e-3 for w in widths for d in depths}  # the optics floor
    table = growth(_table(times)).set_index(["method", "against"])
    assert table.loc[("bp", "width"), "exponent"] == pytest.approx(2.0)
    assert table.loc[("bp", "width"), "held_at"] == 8
    assert table.loc[("bp", "width"), "exponent_stderr"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc[("bp", "depth"), "exponent"] == pytest.approx(1.0)
    assert table.loc[("bp", "depth"), "slope_s_per_unit"] == pytest.approx(1e-9 * 800**2)
    assert table.loc[("odfa", "width"), "exponent"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc[("odfa", "width"), "time"] == "measured digital + MODELLED optical"
    assert table.loc[("bp", "width"), "time"] == "measured"


def test_the_odfa_time_swaps_simulated_optics_for_modelled_optics():
    table = pd.DataFrame(
        {
            "measured_s_per_sample": [3.0],
            "simulated_optics_s_per_sample": [1.0],
            "modelled_optical_s_per_sample": [5.0],
        }
    )
    assert odfa_hardware_time(table).iloc[0] == 7.0


def test_the_spread_moves_with_the_odfa_time_and_points_that_did_not_run_are_left_out():
    table = with_hardware_time(
        pd.DataFrame(
            {
                "status": ["ok", "ok", "out_of_memory (estimated above memory_limit_bytes)"],
                "method": ["bp", "odfa", "dfa"],
                "measured_s_per_sample": [3.0, 3.0, np.nan],
                "measured_s_per_sample_q1": [2.5, 2.5, np.nan],
                "measured_s_per_sample_q3": [4.0, 4.0, np.nan],
                "simulated_optics_s_per_sample": [0.0, 1.0, np.nan],
                "modelled_optical_s_per_sample": [0.0, 5.0, np.nan],
            }
        )
    )
    assert table["time"].tolist() == [3.0, 7.0]
    assert table["time_q1"].tolist() == [2.5, 6.5] and table["time_q3"].tolist() == [4.0, 8.0]


def test_summarise_writes_the_times_ratios_crossover_and_growth_tables(tmp_path):
    rows = [
        {"width": width, "depth": 1, "method": method, "status": "ok",
         "measured_s_per_sample": seconds, "measured_s_per_sample_q1": seconds,
         "measured_s_per_sample_q3": seconds, "simulated_optics_s_per_sample": 0.0,
         "modelled_optical_s_per_sample": 0.0}
        for width, method, seconds in [
            (100, "bp", 1.0), (200, "bp", 4.0), (100, "odfa", 2.0), (200, "odfa", 2.0)
        ]
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "timings.csv", index=False)
    projections = [
        {"projection_size": 100, "method": method, "status": "ok", "measured_s_per_sample": seconds,
         "simulated_optics_s_per_sample": simulated, "modelled_optical_s_per_sample": modelled}
        for method, seconds, simulated, modelled in (
            ("dfa", 1.0, 0.0, 0.0), ("odfa", 3.0, 2.0, 1.0)
        )
    ]  # fmt: skip
    pd.DataFrame(projections).to_csv(tmp_path / "projections.csv", index=False)
    summarise(tmp_path / "timings.csv", tmp_path / "projections.csv", scaling_tables_in(tmp_path))
    assert pd.read_csv(tmp_path / "ratios.csv")["ratio"].tolist() == [2.0, 0.5]
    assert pd.read_csv(tmp_path / "projection_ratios.csv")["ratio"].tolist() == [2.0]
    assert pd.read_csv(tmp_path / "times.csv")["time"].tolist() == [1.0, 4.0, 2.0, 2.0]
    in_depth = pd.read_csv(tmp_path / "crossover_in_depth.csv")
    assert list(in_depth["width"]) == [100, 200] and in_depth["crossover_depth"].isna().all()
    crossover = pd.read_csv(tmp_path / "crossover.csv")
    assert list(crossover.columns[:3]) == ["depth", "crossover_width", "note"]
    assert crossover["crossover_width"].iloc[0] == pytest.approx(math.sqrt(100 * 200))
    assert set(pd.read_csv(tmp_path / "growth.csv")["method"]) == {"bp", "odfa"}
