import numpy as np
import pytest
import xarray as xr

from odfa.data.regrid import climax_grid, regrid_bilinear

CLIMATEBENCH_LAT = np.linspace(-90.0, 90.0, 96)
CLIMATEBENCH_LON = np.arange(144) * 2.5


def on_climatebench_grid(values: np.ndarray) -> xr.DataArray:
    return xr.DataArray(
        values, dims=("lat", "lon"), coords={"lat": CLIMATEBENCH_LAT, "lon": CLIMATEBENCH_LON}
    )


def weighted_global_mean(field: xr.DataArray) -> float:
    return float(field.weighted(np.cos(np.deg2rad(field["lat"]))).mean(("lat", "lon")))


def test_climax_grid():
    lat, lon = climax_grid()
    assert lat.shape == (32,) and lon.shape == (64,)
    assert lat[0] == pytest.approx(-87.1875) and lat[-1] == pytest.approx(87.1875)
    assert lon[0] == 0 and lon[-1] == pytest.approx(354.375)
    assert np.allclose(np.diff(lat), 5.625) and np.allclose(np.diff(lon), 5.625)
    lat, lon = climax_grid(4, 8)
    assert np.allclose(lat, [-67.5, -22.5, 22.5, 67.5]) and np.allclose(lon, np.arange(8) * 45)


def test_global_mean_of_smooth_field_is_kept():
    lat = np.deg2rad(CLIMATEBENCH_LAT)[:, None]
    lon = np.deg2rad(CLIMATEBENCH_LON)[None, :]
    source = on_climatebench_grid(2 + np.cos(lat) * np.sin(lon) + 0.5 * np.sin(lat) ** 2)
    regridded = regrid_bilinear(source, *climax_grid())
    assert regridded.shape == (32, 64)
    before, after = weighted_global_mean(source), weighted_global_mean(regridded)
    assert after == pytest.approx(before, rel=0.01)


def test_longitude_is_periodic():
    values = np.random.default_rng(0).standard_normal(144)
    source = on_climatebench_grid(np.tile(values, (96, 1)))
    regridded = regrid_bilinear(source, np.array([10.0]), np.array([359.0, 1.25, -1.0]))
    west, east = values[-1], values[0]  # 357.5° and 0° (= 360°)
    expected = [west + (359.0 - 357.5) / 2.5 * (east - west), (values[0] + values[1]) / 2]
    assert regridded.values[0, :2] == pytest.approx(expected, rel=1e-12)
    assert regridded.values[0, 2] == pytest.approx(expected[0], rel=1e-12)  # -1° is 359°
    assert np.array_equal(regridded["lon"].values, [359.0, 1.25, -1.0])


def test_linear_in_latitude_is_exact_and_outside_is_clamped():
    source = on_climatebench_grid(np.tile(3.0 * CLIMATEBENCH_LAT[:, None] + 1.0, (1, 144)))
    lat, lon = climax_grid()
    regridded = regrid_bilinear(source, lat, lon)
    assert np.allclose(regridded.values, 3.0 * lat[:, None] + 1.0, rtol=0, atol=1e-10)
    coarse = regrid_bilinear(regridded, np.array([-90.0, 90.0]), lon)
    assert np.allclose(coarse.values[:, 0], [3.0 * lat[0] + 1.0, 3.0 * lat[-1] + 1.0])


def test_other_dims_order_names_and_attributes_are_kept():
    rng = np.random.default_rng(1)
    source = xr.DataArray(
        rng.standard_normal((96, 3, 144)),
        dims=("latitude", "time", "longitude"),
        coords={"latitude": CLIMATEBENCH_LAT, "time": [2000, 2001, 2002]},
        attrs={"units": "K"},
    ).assign_coords(longitude=CLIMATEBENCH_LON)
    regridded = regrid_bilinear(
        source, *climax_grid(8, 16), lat_name="latitude", lon_name="longitude"
    )
    assert regridded.dims == ("latitude", "time", "longitude")
    assert regridded.shape == (8, 3, 16)
    assert regridded.attrs == {"units": "K"}
    assert list(regridded["time"].values) == [2000, 2001, 2002]


def test_missing_dimension_raises():
    with pytest.raises(ValueError, match="latitude"):
        regrid_bilinear(on_climatebench_grid(np.zeros((96, 144))), *climax_grid(), "latitude")
