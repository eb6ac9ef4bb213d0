import numpy as np
import pytest
import xarray as xr

from odfa.metrics import climatebench_scores, nrmse_global, nrmse_spatial, nrmse_total, rmse

LAT = np.array([-60.0, 0.0, 45.0])
LON = np.array([0.0, 90.0, 180.0, 270.0])
YEARS = np.arange(2070, 2111)  # the window 2080..2100 is inside, with years on both sides
WINDOW = (YEARS >= 2080) & (YEARS <= 2100)


def field(values: np.ndarray) -> xr.DataArray:
    return xr.DataArray(
        values, dims=("time", "lat", "lon"), coords={"time": YEARS, "lat": LAT, "lon": LON}
    )


def hand_scores(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """ClimateBench's formulas written out with explicit cos(lat) weights."""
    weights = np.cos(np.deg2rad(LAT))[:, None] * np.ones(len(LON))
    weights = weights / weights.sum()
    x, y = x[WINDOW], y[WINDOW]
    assert len(x) == 21

    def weighted_mean(values: np.ndarray) -> np.ndarray:
        return (values * weights).sum(axis=(-2, -1))

    scale = abs(weighted_mean(y.mean(0)))
    spatial = np.sqrt(weighted_mean((x.mean(0) - y.mean(0)) ** 2)) / scale
    global_ = np.sqrt(np.mean((weighted_mean(x) - weighted_mean(y)) ** 2)) / scale
    return {
        "nrmse_spatial": spatial,
        "nrmse_global": global_,
        "nrmse_total": spatial + 5 * global_,
        "rmse": np.mean(np.sqrt(weighted_mean((x - y) ** 2))),  # per year, then the mean
    }


def random_pair(seed: int, offset: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = (len(YEARS), len(LAT), len(LON))
    truth = offset + rng.standard_normal(shape)
    prediction = truth + 0.5 * rng.standard_normal(shape) + 0.3
    return prediction, truth


@pytest.mark.parametrize("offset", [2.0, -2.0])
def test_scores_match_hand_computation(offset):
    prediction, truth = random_pair(0, offset)
    scores = climatebench_scores(field(prediction), field(truth))
    expected = hand_scores(prediction, truth)
    assert scores.keys() == expected.keys()
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, rel=1e-12), name
    assert all(value > 0 for value in scores.values())


def test_negative_truth_uses_absolute_denominator():
    prediction, truth = random_pair(1, offset=2.0)
    positive = climatebench_scores(field(prediction), field(truth))
    negative = climatebench_scores(field(-prediction), field(-truth))
    for name, value in positive.items():
        assert negative[name] == pytest.approx(value, rel=1e-12)


def test_total_is_spatial_plus_five_global():
    prediction, truth = field(random_pair(2)[0]), field(random_pair(2)[1])
    assert nrmse_total(prediction, truth) == pytest.approx(
        nrmse_spatial(prediction, truth) + 5 * nrmse_global(prediction, truth), rel=1e-12
    )


def test_weighting_is_cos_latitude():
    prediction, truth = random_pair(3)
    # Unweighted numbers would differ; put the whole error at one latitude to make it obvious.
    prediction = truth.copy()
    prediction[:, 2, :] += 1.0  # error only at 45°
    error = rmse(field(prediction), field(truth))
    share = np.cos(np.deg2rad(45.0)) / np.cos(np.deg2rad(LAT)).sum()
    assert error == pytest.approx(np.sqrt(share), rel=1e-12)
    assert error != pytest.approx(np.sqrt(1 / 3), rel=1e-3)


def test_years_outside_the_window_do_not_matter():
    prediction, truth = random_pair(4)
    reference = climatebench_scores(field(prediction), field(truth))
    outside = ~WINDOW
    prediction[outside] = 1e6
    truth[outside] = -1e6
    assert climatebench_scores(field(prediction), field(truth)) == pytest.approx(reference)


def test_custom_window():
    prediction, truth = random_pair(5)
    later = climatebench_scores(field(prediction), field(truth), start=2101, end=2110)
    assert later != pytest.approx(climatebench_scores(field(prediction), field(truth)))


def test_perfect_prediction_scores_zero():
    _, truth = random_pair(6)
    assert all(value == 0 for value in climatebench_scores(field(truth), field(truth)).values())


def test_dimension_order_does_not_matter():
    prediction, truth = random_pair(7)
    transposed = field(prediction).transpose("lat", "lon", "time")
    assert climatebench_scores(transposed, field(truth)) == pytest.approx(
        climatebench_scores(field(prediction), field(truth)), rel=1e-12
    )


@pytest.mark.parametrize("coordinate", ["time", "lat", "lon"])
def test_mismatched_coordinates_raise(coordinate):
    prediction, truth = random_pair(8)
    shifted = field(prediction)
    shifted = shifted.assign_coords({coordinate: shifted[coordinate].values + 1})
    with pytest.raises(ValueError, match=coordinate):
        climatebench_scores(shifted, field(truth))


def test_wrong_dims_raise():
    prediction, truth = random_pair(9)
    with pytest.raises(ValueError, match="dims"):
        rmse(field(prediction).rename(lat="latitude"), field(truth))


def test_empty_window_raises():
    prediction, truth = random_pair(10)
    with pytest.raises(ValueError, match="no years in the scoring window 2200"):
        climatebench_scores(field(prediction), field(truth), start=2200, end=2300)


def test_nan_prediction_is_not_skipped():
    prediction, truth = random_pair(11)
    prediction[WINDOW.argmax(), 0, 0] = np.nan
    assert np.isnan(rmse(field(prediction), field(truth)))


def test_nrmse_keeps_its_values_and_rmse_is_taken_per_year():
    """The NRMSE of a fixed pair as scored before the RMSE followed ClimateBench's `get_rmse`
    (sqrt per year, then the mean over years, which is below the sqrt of the mean)."""
    prediction, truth = random_pair(0)
    scores = climatebench_scores(field(prediction), field(truth))
    assert scores["nrmse_spatial"] == pytest.approx(0.15689099355089742, rel=1e-12)
    assert scores["nrmse_global"] == pytest.approx(0.1627183587397307, rel=1e-12)
    assert scores["nrmse_total"] == pytest.approx(0.970482787249551, rel=1e-12)
    squared = (field(prediction) - field(truth)).isel(time=WINDOW) ** 2
    weights = np.cos(np.deg2rad(LAT))
    per_year = np.sqrt(squared.weighted(xr.DataArray(weights, dims="lat")).mean(("lat", "lon")))
    assert scores["rmse"] == pytest.approx(float(per_year.mean()), rel=1e-12)
    assert scores["rmse"] < float(np.sqrt((per_year**2).mean()))
