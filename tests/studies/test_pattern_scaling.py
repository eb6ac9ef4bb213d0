"""Linear pattern scaling: it recovers an exactly linear climate, fits on the historical and SSP
training scenarios only, and is scored like every model."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from odfa.data.climatebench import INPUT_VARIABLES, TEST_EXPERIMENTS, TRAIN_EXPERIMENTS
from odfa.pipeline.identity import run_identity
from odfa.studies.pattern_scaling import DATA_FILES, FIT_EXPERIMENTS, run_pattern_scaling

LAT, LON = np.array([-60.0, -20.0, 20.0, 60.0]), np.array([0.0, 90.0, 180.0, 270.0])
INTERCEPT, SLOPE = 0.2, 0.0016  # global tas (K) = INTERCEPT + SLOPE x cumulative CO2 (GtCO2)
CO2_MEAN, CO2_STD = 900.0, 600.0  # the standardisation the prepared inputs carry
YEARS = {"historical": (1850, 2015), "hist-GHG": (1850, 2015), "hist-aer": (1850, 2015)}


def _cell_lines(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell intercept and slope whose cos(lat)-weighted means are 0 and 1, so the cells'
    global mean is the global tas itself."""
    generator = np.random.default_rng(seed)
    weights = np.broadcast_to(np.cos(np.deg2rad(LAT))[:, None], (len(LAT), len(LON)))
    intercepts, slopes = (
        generator.normal(size=weights.shape),
        generator.uniform(0.5, 2.0, weights.shape),
    )
    intercepts -= np.average(intercepts, weights=weights)
    return intercepts, slopes / np.average(slopes, weights=weights)


def _split(experiments: tuple[str, ...], targets_of) -> xr.Dataset:
    """A prepared split (window 1) whose cumulative CO2 rises differently in each experiment and
    whose targets are `targets_of(experiment, cumulative CO2)`."""
    inputs, targets, names, years = [], [], [], []
    for index, experiment in enumerate(experiments):
        first, last = YEARS.get(experiment, (2015, 2101))
        co2 = np.linspace(0.0, 500.0 + 400.0 * index, last - first)
        channels = np.zeros((len(co2), 1, len(INPUT_VARIABLES), len(LAT), len(LON)))
        channels[:, 0, INPUT_VARIABLES.index("CO2")] = ((co2 - CO2_MEAN) / CO2_STD)[:, None, None]
        inputs.append(channels)
        targets.append(targets_of(experiment, co2)[:, None])
        names += [experiment] * len(co2)
        years.append(np.arange(first, last))
    mean = np.where(np.array(INPUT_VARIABLES) == "CO2", CO2_MEAN, 0.0)
    std = np.where(np.array(INPUT_VARIABLES) == "CO2", CO2_STD, 1.0)
    return xr.Dataset(
        {
            "inputs": (
                ("sample", "window", "channel", "lat", "lon"),
                np.concatenate(inputs),
                {"standardised": 1},
            ),
            "targets": (("sample", "variable", "lat", "lon"), np.concatenate(targets)),
            "input_mean": ("channel", mean),
            "input_std": ("channel", std),
        },
        coords={
            "experiment": ("sample", names),
            "year": ("sample", np.concatenate(years)),
            "channel": list(INPUT_VARIABLES),
            "variable": ["tas"],
            "lat": LAT,
            "lon": LON,
        },
    )


def _linear_climate(experiment: str, co2: np.ndarray) -> np.ndarray:
    intercepts, slopes = _cell_lines()
    return intercepts + slopes * (INTERCEPT + SLOPE * co2)[:, None, None]


def _single_forcing_elsewhere(experiment: str, co2: np.ndarray) -> np.ndarray:
    """The linear climate, but hist-GHG and hist-aer respond to what the CO2 input omits."""
    if experiment in FIT_EXPERIMENTS:
        return _linear_climate(experiment, co2)
    return np.full((len(co2), len(LAT), len(LON)), -3.0 if experiment == "hist-aer" else 5.0)


def _predictions(tmp_path, test_targets_of) -> tuple[np.ndarray, dict, dict]:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir(parents=True)
    _split(TRAIN_EXPERIMENTS, _single_forcing_elsewhere).to_netcdf(data / "train.nc")
    _split(TEST_EXPERIMENTS, test_targets_of).to_netcdf(data / "test.nc")
    inputs = [data / name for name in DATA_FILES]
    identity = run_identity({}, "climate_baseline", {}, inputs).as_dict()
    metrics = run_pattern_scaling(data, out, identity)
    with xr.open_dataset(out / "predictions.nc") as stored:
        prediction = stored["prediction"].sel(variable="tas").values
    return prediction, metrics, json.loads((out / "training.json").read_text())


def test_it_recovers_an_exactly_linear_climate_from_the_historical_and_ssp_runs(tmp_path):
    prediction, metrics, training = _predictions(tmp_path, _linear_climate)
    test_co2 = np.linspace(0.0, 500.0, 86)
    assert np.allclose(prediction, _linear_climate("ssp245", test_co2), rtol=0, atol=1e-6)
    assert training["global_intercept_k"] == pytest.approx(INTERCEPT, abs=1e-9)
    assert training["global_slope_k_per_gtco2"] == pytest.approx(SLOPE, rel=1e-9)
    assert training["fit_experiments"] == "historical ssp126 ssp370 ssp585"
    assert (training["model"], training["method"]) == ("pattern_scaling", "least_squares")
    assert metrics["scores"]["tas"]["nrmse_total"] == pytest.approx(0.0, abs=1e-6)


def test_it_never_reads_the_test_targets(tmp_path):
    exact, _, _ = _predictions(tmp_path / "exact", _linear_climate)
    noise = np.random.default_rng(1)
    shuffled, metrics, _ = _predictions(
        tmp_path / "noise", lambda _, co2: noise.normal(3.0, 1.0, (len(co2), len(LAT), len(LON)))
    )
    assert np.array_equal(shuffled, exact)
    assert metrics["scores"]["tas"]["nrmse_total"] > 0.1  # scored against the test targets
