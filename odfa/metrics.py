"""ClimateBench scores (Watson-Parris et al. 2022) of a predicted field against the truth.

With <.> the cos(latitude)-weighted mean over (lat, lon), a bar the mean over the years
`start`..`end` (2080–2100: 21 years), x the prediction and y the truth:

    D              = |<ȳ>|
    NRMSE_spatial  = sqrt(<(x̄ - ȳ)^2>) / D
    NRMSE_global   = sqrt(mean_t (<x_t> - <y_t>)^2) / D
    NRMSE_total    = NRMSE_spatial + 5 x NRMSE_global
    RMSE           = mean_t sqrt(<(x_t - y_t)^2>)   (ClimateBench's `get_rmse`, per year)

All years of the window are scored at once: averaging scores of batches of years gives a
different, wrong number. Fields have dims (time, lat, lon), `time` holding the year.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

DIMS = ("time", "lat", "lon")
START_YEAR = 2080
END_YEAR = 2100
GLOBAL_WEIGHT = 5.0


def global_mean(field: xr.DataArray) -> xr.DataArray:
    """The cos(latitude)-weighted mean over (lat, lon); a NaN anywhere makes it NaN."""
    weights = np.cos(np.deg2rad(field["lat"]))
    return field.weighted(weights).mean(("lat", "lon"), skipna=False)


def scoring_window(
    prediction: xr.DataArray, truth: xr.DataArray, start: int = START_YEAR, end: int = END_YEAR
) -> tuple[xr.DataArray, xr.DataArray]:
    """Both fields restricted to the years start..end, after checking they share dims and coords."""
    for name, field in (("prediction", prediction), ("truth", truth)):
        if set(field.dims) != set(DIMS):
            raise ValueError(f"{name} must have dims {DIMS}; got {field.dims}")
    prediction = prediction.transpose(*DIMS)
    truth = truth.transpose(*DIMS)
    for dim in DIMS:
        if dim not in prediction.coords or dim not in truth.coords:
            raise ValueError(f"prediction and truth both need a {dim!r} coordinate")
        if not np.array_equal(prediction[dim].values, truth[dim].values):
            raise ValueError(
                f"prediction and truth differ in coordinate {dim!r}: "
                f"{prediction[dim].values} vs {truth[dim].values}"
            )
    years = truth["time"].values
    in_window = (years >= start) & (years <= end)
    if not in_window.any():
        raise ValueError(
            f"no years in the scoring window {start}..{end}; the fields hold {years.min()}.."
            f"{years.max()}"
        )
    return prediction.isel(time=in_window), truth.isel(time=in_window)


def _normaliser(truth: xr.DataArray) -> float:
    """D = |<ȳ>|, the magnitude of the truth's global mean over the window."""
    scale = abs(float(global_mean(truth.mean("time", skipna=False))))
    if scale == 0:
        raise ValueError("the truth's global mean over the scoring window is 0: NRMSE undefined")
    return scale


def nrmse_spatial(
    prediction: xr.DataArray, truth: xr.DataArray, start: int = START_YEAR, end: int = END_YEAR
) -> float:
    """sqrt(<(x̄ - ȳ)^2>) / |<ȳ>|: error of the window-mean map."""
    prediction, truth = scoring_window(prediction, truth, start, end)
    squared = (prediction.mean("time", skipna=False) - truth.mean("time", skipna=False)) ** 2
    return float(np.sqrt(global_mean(squared))) / _normaliser(truth)


def nrmse_global(
    prediction: xr.DataArray, truth: xr.DataArray, start: int = START_YEAR, end: int = END_YEAR
) -> float:
    """sqrt(mean_t (<x_t> - <y_t>)^2) / |<ȳ>|: error of the yearly global means."""
    prediction, truth = scoring_window(prediction, truth, start, end)
    squared = (global_mean(prediction) - global_mean(truth)) ** 2
    return float(np.sqrt(squared.mean("time", skipna=False))) / _normaliser(truth)


def nrmse_total(
    prediction: xr.DataArray, truth: xr.DataArray, start: int = START_YEAR, end: int = END_YEAR
) -> float:
    """NRMSE_spatial + 5 x NRMSE_global."""
    return nrmse_spatial(prediction, truth, start, end) + GLOBAL_WEIGHT * nrmse_global(
        prediction, truth, start, end
    )


def rmse(
    prediction: xr.DataArray, truth: xr.DataArray, start: int = START_YEAR, end: int = END_YEAR
) -> float:
    """mean_t sqrt(<(x_t - y_t)^2>), in the fields' units: the weighted RMSE of each year, then
    their mean, as ClimateBench's `get_rmse` (baseline_models/utils.py) and notebooks take it."""
    prediction, truth = scoring_window(prediction, truth, start, end)
    return float(np.sqrt(global_mean((prediction - truth) ** 2)).mean("time", skipna=False))


def climatebench_scores(
    prediction: xr.DataArray, truth: xr.DataArray, start: int = START_YEAR, end: int = END_YEAR
) -> dict[str, float]:
    """All four scores, keyed by function name."""
    return {
        score.__name__: score(prediction, truth, start, end)
        for score in (nrmse_spatial, nrmse_global, nrmse_total, rmse)
    }
