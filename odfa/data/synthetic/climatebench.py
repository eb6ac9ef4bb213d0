"""Offline ClimateBench archives: synthetic data in exactly the layout of the Zenodo files.

`train_val.tar.gz` and `test.tar.gz` hold flat `inputs_{exp}.nc` / `outputs_{exp}.nc` with the
real variables, dims, coordinates, dtypes and attributes. Emission pathways are plausible shapes,
not the real ones; the climate responds simply but physically: warming = pattern (polar
amplification, land) x lagged (cumulative CO2 + CH4), minus regional aerosol cooling around SO2
sources, plus seeded internal variability per member. A model therefore has something real to
learn. The archives are byte-identical on every machine: the elementary functions come from
`portable_math`, built from + - * / alone.

What is known of the real content is kept (ClimateBench's `prep_input_data` notebook and its
readers): hist-GHG has no SO2 and BC, hist-aer no CO2 and CH4; ssp585 has one member; member 1 of
the historical diurnal temperature range has missing values (here its first MISSING_DTR_YEARS
years, the real gaps' positions not being known here). The file layout follows the datasets that
notebook prints and writes: inputs CO2, CH4 (time) and SO2, BC (time, latitude, longitude) in
float64; outputs (member, time, lat, lon) with an int64 `member` coordinate, a scalar `quantile`
of 0.9, tas, diurnal_temperature_range and pr in float32 and pr90 in float64; no attributes on the
variables (pandas series, regridded means and anomalies carry none) and `units: degrees` on the
latitudes only. The units are therefore implied: cumulative GtCO2, GtCH4/yr, kg m-2 s-1 for the
aerosol emissions and precipitation, K for the temperatures.
"""

from __future__ import annotations

import gzip
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from odfa.data.climatebench import TEST_EXPERIMENTS, TRAIN_EXPERIMENTS, write_netcdf
from odfa.data.synthetic.portable_math import exp, gaussian_smooth, sin_cos
from odfa.io import atomic_output

HISTORICAL_YEARS = np.arange(1850, 2015)
SINGLE_MEMBER = ("ssp585",)  # the real ssp585 outputs have one member
MISSING_DTR_YEARS = 10  # NaN years of the historical diurnal temperature range, in member 1
SCENARIO_YEARS = np.arange(2015, 2101)
SECONDS_PER_DAY = 86400.0

# Pathways as (anchor years, values), linearly interpolated; SSPs start where historical ends.
CO2_EMISSIONS = {  # GtCO2 / yr
    "historical": ([1850, 1900, 1950, 1980, 2000, 2014], [3, 6, 12, 25, 32, 40]),
    "ssp126": ([2014, 2030, 2050, 2075, 2100], [40, 30, 10, -5, -8]),
    "ssp245": ([2014, 2040, 2060, 2080, 2100], [40, 44, 38, 25, 10]),
    "ssp370": ([2014, 2050, 2100], [40, 62, 83]),
    "ssp585": ([2014, 2050, 2080, 2100], [40, 82, 125, 126]),
}
CH4_EMISSIONS = {  # GtCH4 / yr
    "historical": ([1850, 1950, 1990, 2014], [0.03, 0.15, 0.30, 0.38]),
    "ssp126": ([2014, 2050, 2100], [0.38, 0.20, 0.14]),
    "ssp245": ([2014, 2040, 2100], [0.38, 0.40, 0.22]),
    "ssp370": ([2014, 2100], [0.38, 0.75]),
    "ssp585": ([2014, 2070, 2100], [0.38, 0.60, 0.55]),
}
# Aerosol source regions: (latitude, longitude, radius in degrees) per group.
SOURCE_REGIONS = {
    "west": [(50.0, 10.0, 10.0), (40.0, 275.0, 12.0)],
    "asia": [(32.0, 112.0, 10.0), (23.0, 80.0, 9.0)],
    "south": [(5.0, 20.0, 14.0), (-12.0, 305.0, 12.0)],
}
# Relative emission level of each group (1 = peak flux of the species).
HISTORICAL_AEROSOLS = {
    "SO2": {
        "west": ([1850, 1900, 1950, 1975, 2014], [0.02, 0.15, 0.5, 1.0, 0.3]),
        "asia": ([1850, 1950, 1990, 2014], [0.01, 0.05, 0.5, 0.9]),
        "south": ([1850, 1950, 2014], [0.0, 0.05, 0.2]),
    },
    "BC": {
        "west": ([1850, 1920, 1960, 2014], [0.1, 0.4, 0.5, 0.2]),
        "asia": ([1850, 1950, 2000, 2014], [0.1, 0.2, 0.8, 1.0]),
        "south": ([1850, 1950, 2014], [0.2, 0.3, 0.6]),
    },
}
# SSP aerosol emissions as multiples of the 2014 level, the same for both species.
SCENARIO_AEROSOLS = {
    "ssp126": {
        "west": ([2014, 2050, 2100], [1.0, 0.2, 0.07]),
        "asia": ([2014, 2040, 2100], [1.0, 0.25, 0.05]),
        "south": ([2014, 2100], [1.0, 0.25]),
    },
    "ssp245": {
        "west": ([2014, 2050, 2100], [1.0, 0.5, 0.2]),
        "asia": ([2014, 2030, 2100], [1.0, 0.9, 0.2]),
        "south": ([2014, 2050, 2100], [1.0, 1.4, 0.5]),
    },
    "ssp370": {
        "west": ([2014, 2100], [1.0, 1.0]),
        "asia": ([2014, 2050, 2100], [1.0, 1.2, 0.9]),
        "south": ([2014, 2100], [1.0, 3.0]),
    },
    "ssp585": {
        "west": ([2014, 2100], [1.0, 0.15]),
        "asia": ([2014, 2040, 2100], [1.0, 0.6, 0.1]),
        "south": ([2014, 2100], [1.0, 0.5]),
    },
}
PEAK_FLUX = {"SO2": 2e-10, "BC": 2e-11}  # kg m-2 s-1
LATITUDE_ATTRIBUTES = {"units": "degrees"}  # the notebook's "metadata to help iris"

WARMING_PER_CO2 = 4.5e-4  # K per GtCO2 emitted (about the TCRE)
WARMING_PER_CH4 = 1.5  # K per GtCH4/yr
RESPONSE_YEARS = 5.0  # e-folding time of the lagged response
LOCAL_AEROSOL_COOLING = 2.0  # K at a source emitting the peak SO2 flux, after smoothing
GLOBAL_AEROSOL_COOLING = 1.5  # K per unit of global-mean relative SO2
BC_WARMING = 0.3  # K per unit of smoothed relative BC
AEROSOL_SMOOTHING_DEGREES = 12.0


def _pathway(anchors: tuple[list[int], list[float]], years: np.ndarray) -> np.ndarray:
    return np.interp(years, *anchors)


def _lagged(series: np.ndarray, years: float = RESPONSE_YEARS) -> np.ndarray:
    """A first-order relaxation of `series` (time first) towards its current value."""
    response = np.empty_like(series)
    state = series[0]
    for index, value in enumerate(series):
        state = state + (value - state) / years
        response[index] = state
    return response


class _Grid:
    """ClimateBench's grid (poles included) and the spatial fields built on it."""

    def __init__(self, n_lat: int, n_lon: int) -> None:
        self.lat = np.linspace(-90.0, 90.0, n_lat)
        self.lon = np.arange(n_lon) * (360.0 / n_lon)
        self.lat2d, self.lon2d = np.meshgrid(self.lat, self.lon, indexing="ij")
        self.sine, self.cosine = sin_cos(np.deg2rad(self.lat2d))
        weights = self.cosine
        self.weights = weights / weights.sum()
        self.sigma = (
            AEROSOL_SMOOTHING_DEGREES / (180.0 / max(n_lat - 1, 1)),
            AEROSOL_SMOOTHING_DEGREES / (360.0 / n_lon),
        )

    def blob(self, lat: float, lon: float, radius: float) -> np.ndarray:
        """A Gaussian bump; longitude distance wraps around and shrinks with cos(latitude)."""
        dlon = (self.lon2d - lon + 180.0) % 360.0 - 180.0
        along_latitude, along_longitude = self.lat2d - lat, dlon * self.cosine
        distance2 = along_latitude * along_latitude + along_longitude * along_longitude
        return exp(-0.5 * distance2 / (radius * radius))

    def smooth(self, field: np.ndarray) -> np.ndarray:
        """Gaussian smoothing over the last two axes (lat: nearest edge, lon: periodic)."""
        sigma = (0.0,) * (field.ndim - 2) + self.sigma
        mode = ("nearest",) * (field.ndim - 1) + ("wrap",)
        return gaussian_smooth(field, sigma, mode)

    def global_mean(self, field: np.ndarray) -> np.ndarray:
        return (field * self.weights).sum(axis=(-2, -1))


class _Experiment:
    """The forcing series of one experiment, over the years its outputs cover."""

    def __init__(
        self, grid: _Grid, textures: dict[str, np.ndarray], name: str, years: np.ndarray
    ) -> None:
        self.name = name
        self.years = years
        historical = name in ("historical", "hist-GHG", "hist-aer")
        all_years = years if historical else np.concatenate([HISTORICAL_YEARS, years])
        co2_rate = self._historical_then(CO2_EMISSIONS, name, all_years)
        ch4 = self._historical_then(CH4_EMISSIONS, name, all_years)
        co2 = np.cumsum(co2_rate) - co2_rate[0]  # cumulative since 1850
        aerosols = {
            species: self._aerosol_maps(grid, textures[species], species, all_years)
            for species in PEAK_FLUX
        }
        if name == "hist-GHG":  # greenhouse gases only: no SO2, no BC
            aerosols = {key: np.zeros_like(value) for key, value in aerosols.items()}
        if name == "hist-aer":  # aerosols only: no CO2, no CH4
            co2 = np.zeros_like(co2)
            ch4 = np.zeros_like(ch4)
        self.all_years, self.co2, self.ch4, self.aerosols = all_years, co2, ch4, aerosols

    @staticmethod
    def _historical_then(pathways: dict, name: str, years: np.ndarray) -> np.ndarray:
        scenario = name if name.startswith("ssp") else "historical"
        values = _pathway(pathways["historical"], years)
        future = years > HISTORICAL_YEARS[-1]
        values[future] = _pathway(pathways[scenario], years[future])
        return values

    def _aerosol_maps(
        self, grid: _Grid, texture: np.ndarray, species: str, years: np.ndarray
    ) -> np.ndarray:
        """Emission flux maps (time, lat, lon) in kg m-2 s-1."""
        flux = np.zeros((len(years), *grid.lat2d.shape))
        future = years > HISTORICAL_YEARS[-1]
        for group, regions in SOURCE_REGIONS.items():
            history = HISTORICAL_AEROSOLS[species][group]
            level = _pathway(history, years)
            if self.name.startswith("ssp"):
                level[future] = _pathway(history, HISTORICAL_YEARS[-1:]) * _pathway(
                    SCENARIO_AEROSOLS[self.name][group], years[future]
                )
            pattern = sum(grid.blob(*region) for region in regions)
            flux += level[:, None, None] * pattern[None]
        return PEAK_FLUX[species] * flux * texture

    def inputs(self, grid: _Grid) -> xr.Dataset:
        """CO2, CH4 (time) and SO2, BC (time, latitude, longitude) for own years."""
        own = slice(len(self.all_years) - len(self.years), None)
        maps = ("time", "latitude", "longitude")
        series = {"CO2": ("time", self.co2), "CH4": ("time", self.ch4)}
        series |= {species: (maps, self.aerosols[species]) for species in PEAK_FLUX}
        return xr.Dataset(
            {name: (dims, values[own]) for name, (dims, values) in series.items()},
            coords={
                "time": self.years.astype(np.int64),
                "longitude": ("longitude", grid.lon),
                "latitude": ("latitude", grid.lat, LATITUDE_ATTRIBUTES),
            },
        )

    def outputs(
        self, grid: _Grid, pattern: np.ndarray, rng: np.random.Generator, members: int
    ) -> xr.Dataset:
        """tas, diurnal_temperature_range, pr, pr90 (member, time, lat, lon) for own years."""
        greenhouse = _lagged(WARMING_PER_CO2 * self.co2 + WARMING_PER_CH4 * self.ch4)
        sulphate = self.aerosols["SO2"] / PEAK_FLUX["SO2"]
        black_carbon = self.aerosols["BC"] / PEAK_FLUX["BC"]
        sulphate_index = grid.global_mean(sulphate) / grid.global_mean(self._all_sources(grid))
        local_sulphate = _lagged(grid.smooth(sulphate), 2.0)
        aerosol = (
            -LOCAL_AEROSOL_COOLING * local_sulphate
            - GLOBAL_AEROSOL_COOLING * _lagged(sulphate_index, 2.0)[:, None, None]
            + BC_WARMING * _lagged(grid.smooth(black_carbon), 2.0)
        )
        warming = greenhouse[:, None, None] * pattern + aerosol
        own = slice(len(self.all_years) - len(self.years), None)
        warming, local_sulphate = warming[own], local_sulphate[own]
        rainfall = _rainfall_climatology(grid.lat2d)  # mm/day

        def variability(scale: float) -> np.ndarray:
            return scale * _smooth_noise(grid, rng, (members, *warming.shape))

        tas = warming + variability(0.25)
        dtr = -0.03 * warming * (1.0 + pattern) - 0.4 * local_sulphate + variability(0.08)
        if self.name == "historical" and members > 1:
            dtr[1, :MISSING_DTR_YEARS] = np.nan
        pr = rainfall * (0.02 * warming - 0.05 * local_sulphate) + variability(0.08)
        pr90 = 2.5 * rainfall * (0.035 * warming - 0.05 * local_sulphate) + variability(0.25)
        dims = ("member", "time", "lat", "lon")
        return xr.Dataset(
            {
                "diurnal_temperature_range": (dims, dtr.astype(np.float32)),
                "tas": (dims, tas.astype(np.float32)),
                "pr": (dims, (pr / SECONDS_PER_DAY).astype(np.float32)),
                "pr90": (dims, pr90 / SECONDS_PER_DAY),
            },
            coords={
                "lat": ("lat", grid.lat, LATITUDE_ATTRIBUTES),
                "lon": ("lon", grid.lon),
                "time": self.years.astype(np.int64),
                "quantile": 0.9,
                "member": np.arange(1, members + 1, dtype=np.int64),
            },
        )

    @staticmethod
    def _all_sources(grid: _Grid) -> np.ndarray:
        return sum(grid.blob(*region) for regions in SOURCE_REGIONS.values() for region in regions)


def _rainfall_climatology(lat: np.ndarray) -> np.ndarray:
    """Mean rainfall in mm/day: the tropical rain belt and the mid-latitude storm tracks."""
    tropics, storm_tracks = lat / 12.0, (np.abs(lat) - 45) / 12
    return 1.0 + 5.0 * exp(-tropics * tropics) + 2.0 * exp(-storm_tracks * storm_tracks)


def _smooth_noise(grid: _Grid, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Spatially correlated noise of unit standard deviation."""
    noise = grid.smooth(rng.standard_normal(shape))
    return noise / noise.std()


def _warming_pattern(grid: _Grid) -> np.ndarray:
    """Local warming per degree of global warming: polar amplification and warmer land."""
    sine, northern = grid.sine, np.clip(grid.sine, 0, None)
    pattern = 0.6 + 1.2 * sine * sine + 0.6 * northern * northern * northern
    for continent in [(45, 260, 20), (50, 70, 25), (8, 20, 18), (-10, 300, 15), (-25, 135, 12)]:
        pattern += 0.4 * grid.blob(*continent)
    return pattern / grid.global_mean(pattern)


def _write_tar(path: Path, files: list[Path]) -> None:
    """A gzipped tar of `files`, flat, byte-for-byte reproducible (fixed times and owners).

    Level 0 (stored blocks, still a valid gzip stream): the synthetic noise shrinks by only ~5 %
    at any level, while deflating triples the generation time.
    """
    with (
        atomic_output(path, "wb") as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=0) as packed,
        tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for file in files:
            info = tarfile.TarInfo(file.name)
            info.size = file.stat().st_size
            info.mode = 0o644
            with open(file, "rb") as source:
                tar.addfile(info, source)


def generate_sample_archives(
    out_dir: Path, n_lat: int, n_lon: int, seed: int, members: int = 3
) -> None:
    """Write `train_val.tar.gz` and `test.tar.gz` into `out_dir`, deterministic for `seed`."""
    if n_lat < 2 or n_lon < 1 or members < 1:
        raise ValueError(
            f"need n_lat >= 2, n_lon >= 1, members >= 1; got {n_lat}, {n_lon}, {members}"
        )
    out_dir = Path(out_dir)
    grid = _Grid(n_lat, n_lon)
    rng = np.random.default_rng(seed)
    textures = {
        species: exp(0.4 * _smooth_noise(grid, rng, grid.lat2d.shape)) for species in PEAK_FLUX
    }
    pattern = _warming_pattern(grid)
    archives = {"train_val.tar.gz": TRAIN_EXPERIMENTS, "test.tar.gz": TEST_EXPERIMENTS}
    with tempfile.TemporaryDirectory() as scratch:
        for archive, experiments in archives.items():
            files = []
            for name in experiments:
                years = SCENARIO_YEARS if name.startswith("ssp") else HISTORICAL_YEARS
                experiment = _Experiment(grid, textures, name, years)
                files += [Path(scratch) / f"inputs_{name}.nc", Path(scratch) / f"outputs_{name}.nc"]
                write_netcdf(experiment.inputs(grid), files[-2])
                count = 1 if name in SINGLE_MEMBER else members
                write_netcdf(experiment.outputs(grid, pattern, rng, count), files[-1])
            _write_tar(out_dir / archive, files)
