"""Study 2's floor: linear pattern scaling, fitted by least squares on training scenarios (no
gradient training), predicting ssp245 and scored like every model.

The recipe follows Lütjens et al. 2024, "The impact of internal variability on benchmarking deep
learning climate emulators" (code: github.com/blutjens/climate-emulator,
`emcli2/models/pattern_scaling/model.py`): (1) the cos(latitude)-weighted global mean of `tas`
in year t is a linear function (with intercept) of the cumulative CO2 emissions of year t, the
ClimateBench `CO2` input; (2) each grid cell's value of every target variable is a linear
function (with intercept) of the true global-mean `tas` of the training years. A scenario is
predicted by chaining them: cumulative CO2 -> global `tas` -> every cell. Like Lütjens et al.,
both fits use historical, ssp126, ssp370 and ssp585 only: the single-forcing hist-GHG and
hist-aer decouple warming from CO2 (hist-aer has none), which a CO2-only regression cannot
represent. The targets are the prepared member means, as for every model.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from odfa.data.climatebench import as_time_series, write_netcdf
from odfa.data.prepared import load_climate_split
from odfa.errors import DataError
from odfa.io import write_json
from odfa.metrics import global_mean
from odfa.registry import CLIMATE_BASELINE
from odfa.studies.climate_scores import score_run

FIT_EXPERIMENTS = ("historical", "ssp126", "ssp370", "ssp585")
GLOBAL_VARIABLE = "tas"
CUMULATIVE_CO2 = "CO2"
DATA_FILES = ("train.nc", "test.nc")


def cumulative_co2(dataset: xr.Dataset) -> np.ndarray:
    """Each sample's cumulative CO2 emissions in its own year (GtCO2): the last year of its
    window, the input standardisation undone."""
    channel = list(dataset["channel"].values).index(CUMULATIVE_CO2)
    standardised = dataset["inputs"].values[:, -1, channel].astype(np.float64)
    if dataset["inputs"].attrs.get("standardised", 0):
        mean, std = (float(dataset[name].values[channel]) for name in ("input_mean", "input_std"))
        standardised = standardised * std + mean
    return standardised.mean(axis=(1, 2))  # the same value everywhere: a global input


def least_squares_line(predictor: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """(intercept, slope) of the least-squares line of each response column on `predictor`:
    shape (2, *responses.shape[1:])."""
    design = np.column_stack([np.ones_like(predictor), predictor])
    flat = responses.reshape(len(predictor), -1)
    coefficients = np.linalg.lstsq(design, flat, rcond=None)[0]
    return coefficients.reshape(2, *responses.shape[1:])


@dataclass(frozen=True)
class PatternScaling:
    """Global `tas` = intercept + slope x cumulative CO2; every cell of every variable =
    its intercept + its slope x global `tas`."""

    global_line: np.ndarray  # (intercept K, slope K per GtCO2)
    cell_lines: np.ndarray  # (2, variable, lat, lon): intercept, slope per K of global tas

    @classmethod
    def fit(cls, training: xr.Dataset) -> PatternScaling:
        """Both fits, on the samples of FIT_EXPERIMENTS only."""
        samples = training.isel(sample=np.isin(training["experiment"].values, FIT_EXPERIMENTS))
        found = set(samples["experiment"].values)
        if found != set(FIT_EXPERIMENTS):
            raise DataError(
                f"pattern scaling fits on {list(FIT_EXPERIMENTS)}; the training set holds "
                f"{sorted(found)} of them"
            )
        targets = samples["targets"].astype(np.float64)
        global_tas = global_mean(_global_variable(targets)).values
        return cls(
            global_line=least_squares_line(cumulative_co2(samples), global_tas),
            cell_lines=least_squares_line(global_tas, targets.values),
        )

    @property
    def parameters(self) -> int:
        """The number of fitted coefficients."""
        return self.global_line.size + self.cell_lines.size

    def predict(self, dataset: xr.Dataset) -> np.ndarray:
        """Predicted targets (sample, variable, lat, lon) from the samples' cumulative CO2."""
        intercept, slope = self.global_line
        global_tas = intercept + slope * cumulative_co2(dataset)
        cell_intercept, cell_slope = self.cell_lines
        return cell_intercept + cell_slope * global_tas[:, None, None, None]


def _global_variable(targets: xr.DataArray) -> xr.DataArray:
    if GLOBAL_VARIABLE not in targets["variable"].values:
        raise DataError(
            f"pattern scaling needs {GLOBAL_VARIABLE!r} among the prepared target variables "
            f"(found {list(targets['variable'].values)}): add it to climate.variables"
        )
    return targets.sel(variable=GLOBAL_VARIABLE)


def run_pattern_scaling(
    data_dir: str | Path, out_dir: str | Path, identity: Mapping[str, Any]
) -> dict[str, Any]:
    """Fit on the training set, predict the test scenario and score it: `predictions.nc`,
    `training.json` and `metrics.json` in `out_dir`, laid out as a trained run's (`identity`:
    its provenance, see `odfa.pipeline.identity.run_identity`)."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    inputs = [data_dir / name for name in DATA_FILES]
    training, test = (load_climate_split(path) for path in inputs)
    started = time.perf_counter()
    model = PatternScaling.fit(training)
    seconds = time.perf_counter() - started
    prediction = model.predict(test).astype(test["targets"].dtype)
    write_netcdf(
        as_time_series(test, prediction).rename("prediction").to_dataset(),
        out_dir / "predictions.nc",
    )
    intercept, slope = model.global_line
    fingerprint = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    model_name, method_name = CLIMATE_BASELINE
    summary = {
        "model": model_name,
        "method": method_name,
        "fit_experiments": " ".join(FIT_EXPERIMENTS),
        "fit_samples": int(np.isin(training["experiment"].values, FIT_EXPERIMENTS).sum()),
        "global_intercept_k": float(intercept),
        "global_slope_k_per_gtco2": float(slope),
        "parameters": model.parameters,
        "measured_seconds": seconds,
        "fingerprint": fingerprint,
        "provenance": dict(identity),
    }
    write_json(out_dir / "training.json", summary)
    return score_run(out_dir, data_dir)
