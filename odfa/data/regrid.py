"""Bilinear regridding of lat/lon fields, periodic in longitude, and ClimaX's 5.625° grid.

ClimaX regrids ClimateBench bilinearly with xesmf, but xesmf needs ESMF, which is not on PyPI
(xesmf installs and then fails to import), so this module uses xarray's own linear `interp`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

FULL_CIRCLE = 360.0


def climax_grid(n_lat: int = 32, n_lon: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes at cell centres (no poles) and longitudes from 0 in equal steps.

    For 32 x 64 (5.625°): lat = -87.1875 .. 87.1875, lon = 0 .. 354.375.
    """
    if n_lat < 1 or n_lon < 1:
        raise ValueError(f"grid size must be positive; got {n_lat} x {n_lon}")
    lat_step = 180.0 / n_lat
    lat = -90.0 + lat_step * (np.arange(n_lat) + 0.5)
    lon = FULL_CIRCLE / n_lon * np.arange(n_lon)
    return lat, lon


def regrid_bilinear(
    da: xr.DataArray,
    lat: np.ndarray,
    lon: np.ndarray,
    lat_name: str = "lat",
    lon_name: str = "lon",
) -> xr.DataArray:
    """Interpolate `da` bilinearly onto (lat, lon); other dimensions are kept.

    Longitude is periodic: one wrapped column is padded on each side before interpolating, so a
    target at 359° lies between the source's last column and 0° (= 360°). Target latitudes outside
    the source range take the nearest source row (clamped), as a pole-free grid inside a
    pole-including one never needs more.
    """
    for name in (lat_name, lon_name):
        if name not in da.dims:
            raise ValueError(f"regrid_bilinear: {da.name!r} has no dimension {name!r}: {da.dims}")
    source = da.sortby(lat_name)
    source = source.assign_coords({lon_name: np.mod(source[lon_name].values, FULL_CIRCLE)})
    source = source.sortby(lon_name)
    source_lon = source[lon_name].values
    padded = xr.concat(
        [
            source.isel({lon_name: [-1]}).assign_coords({lon_name: source_lon[-1:] - FULL_CIRCLE}),
            source,
            source.isel({lon_name: [0]}).assign_coords({lon_name: source_lon[:1] + FULL_CIRCLE}),
        ],
        dim=lon_name,
    )
    source_lat = source[lat_name].values
    target_lat = np.clip(np.asarray(lat, dtype=float), source_lat[0], source_lat[-1])
    target_lon = np.mod(np.asarray(lon, dtype=float), FULL_CIRCLE)
    regridded = padded.interp(
        {lat_name: target_lat, lon_name: target_lon}, method="linear", assume_sorted=True
    )
    regridded = regridded.assign_coords(
        {lat_name: np.asarray(lat, dtype=float), lon_name: np.asarray(lon, dtype=float)}
    )
    return regridded.transpose(*da.dims).assign_attrs(da.attrs)
