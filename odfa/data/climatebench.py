"""ClimateBench (Watson-Parris et al. 2022): archive extraction, checked reading, and preparation
of windowed forcing maps -> climate-response samples for Study 2 (ViT and FCNN)."""

from __future__ import annotations

import gzip
import os
import shutil
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import xarray as xr

from odfa.data.regrid import climax_grid, regrid_bilinear
from odfa.errors import DataError, MissingInputError
from odfa.io import atomic_output, atomic_path, write_json

TRAIN_EXPERIMENTS = ("historical", "ssp126", "ssp370", "ssp585", "hist-GHG", "hist-aer")
TEST_EXPERIMENTS = ("ssp245",)
INPUT_VARIABLES = ("CO2", "CH4", "SO2", "BC")
OUTPUT_VARIABLES = ("tas", "diurnal_temperature_range", "pr", "pr90")
HISTORICAL = "historical"

GLOBAL_INPUTS = ("CO2", "CH4")
INPUT_DIMS = {
    "CO2": ("time",),
    "CH4": ("time",),
    "SO2": ("time", "latitude", "longitude"),
    "BC": ("time", "latitude", "longitude"),
}
OUTPUT_DIMS = ("member", "time", "lat", "lon")
# Precipitation is stored as a flux; ClimateBench and ClimaX score it in mm/day.
PRECIPITATION = ("pr", "pr90")
SECONDS_PER_DAY = 86400.0
# The real output files carry no units attributes (their variables are anomalies computed with
# xarray, which drops attributes): these are the units the member means are returned in.
TARGET_UNITS = {"tas": "K", "diurnal_temperature_range": "K", "pr": "mm day-1", "pr90": "mm day-1"}


class ClimateBenchFormatError(DataError):
    """A ClimateBench file or archive does not have the expected content."""


def write_netcdf(dataset: xr.Dataset, path: Path) -> None:
    """Write `dataset` as NetCDF, atomically (netCDF4 needs a file name, not a handle)."""
    with atomic_path(path) as temporary:
        dataset.to_netcdf(temporary)


def extract_archives(archives: list[Path], out_dir: Path) -> None:
    """Extract flat ClimateBench archives into `out_dir`, each file written atomically.

    Every member must be a regular file with a bare name (no folders, no links); tarfile's
    "data" filter vets it as well.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for archive in archives:
        try:
            _extract_flat(Path(archive), out_dir)
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise ClimateBenchFormatError(
                f"{archive}: corrupt or truncated archive ({error}); delete it and fetch again"
            ) from error


def _extract_flat(archive: Path, out_dir: Path) -> None:
    """Extract one flat archive, refusing members with folders or links."""
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            parts = PurePosixPath(member.name).parts
            if member.isdir() and parts in ((), (".",)):
                continue
            if not member.isfile() or len(parts) != 1 or parts[0] in ("..", "/"):
                raise ClimateBenchFormatError(
                    f"{archive}: member {member.name!r} is not a plain file at the top "
                    "level; ClimateBench archives are flat"
                )
            vetted = tarfile.data_filter(member, str(out_dir))
            with (
                tar.extractfile(member) as source,  # type: ignore[union-attr]
                atomic_output(out_dir / parts[0], "wb") as target,
            ):
                shutil.copyfileobj(source, target)
            os.chmod(out_dir / parts[0], vetted.mode or 0o644)


def _open(path: Path) -> xr.Dataset:
    path = Path(path)
    if not path.is_file():
        raise MissingInputError(f"{path}: ClimateBench file not found")
    with xr.open_dataset(path) as dataset:
        return dataset.load()


def _check_variable(
    path: Path, dataset: xr.Dataset, name: str, dims: tuple[str, ...], allow_nan: bool = False
) -> None:
    """Raise unless `name` exists with exactly the dims `dims` (any order) and, unless
    `allow_nan`, holds no NaN."""
    if name not in dataset.data_vars:
        raise ClimateBenchFormatError(
            f"{path}: variable {name!r} is missing; expected {name}{dims} "
            f"(found {sorted(dataset.data_vars)})"
        )
    found = dataset[name].dims
    if sorted(found) != sorted(dims):
        raise ClimateBenchFormatError(
            f"{path}: variable {name!r} has dims {found}; expected {dims}"
        )
    if not allow_nan and dataset[name].isnull().any():
        raise ClimateBenchFormatError(f"{path}: variable {name!r} contains NaN; expected none")


def _check_coordinates(path: Path, dataset: xr.Dataset, names: tuple[str, ...]) -> xr.Dataset:
    """Require coordinate variables `names`; return `dataset` with `time` as consecutive years."""
    for name in names:
        if name not in dataset.coords:
            raise ClimateBenchFormatError(
                f"{path}: coordinate {name!r} is missing; expected coordinates {names}"
            )
    years = dataset["time"].values
    if np.issubdtype(years.dtype, np.floating) and np.array_equal(years, np.round(years)):
        years = years.astype(np.int64)
    if not np.issubdtype(years.dtype, np.integer):
        raise ClimateBenchFormatError(
            f"{path}: coordinate 'time' has dtype {years.dtype}; expected integer years"
        )
    if years.size == 0 or np.any(np.diff(years) != 1):
        raise ClimateBenchFormatError(
            f"{path}: coordinate 'time' must hold consecutive years; got {years}"
        )
    return dataset.assign_coords(time=years.astype(np.int64))


def read_inputs(path: Path) -> xr.Dataset:
    """CO2(time), CH4(time), SO2/BC(time, lat, lon) of one experiment, checked.

    The inputs' `latitude/longitude` are renamed to the outputs' `lat/lon`.
    """
    dataset = _open(path)
    for name in INPUT_VARIABLES:
        _check_variable(path, dataset, name, INPUT_DIMS[name])
    dataset = _check_coordinates(path, dataset[list(INPUT_VARIABLES)], INPUT_DIMS["SO2"])
    dataset = dataset.rename({"latitude": "lat", "longitude": "lon"})
    return dataset.transpose("time", "lat", "lon")


def read_outputs(
    path: Path, variables: list[str] | tuple[str, ...]
) -> tuple[xr.Dataset, dict[str, int]]:
    """`variables` of one experiment as (time, lat, lon), averaged over any number of members
    skipping missing values (member 1 of the real historical diurnal temperature range has
    some), and precipitation converted to mm/day; with the number of missing values of each
    variable. A value missing from every member is an error naming the file and variable."""
    unknown = sorted(set(variables) - set(OUTPUT_VARIABLES))
    if not variables or unknown:
        raise ValueError(
            f"output variables must be a non-empty subset of {OUTPUT_VARIABLES}; got {variables}"
        )
    dataset = _open(path)
    for name in variables:
        _check_variable(path, dataset, name, OUTPUT_DIMS, allow_nan=True)
    dataset = dataset[list(variables)].drop_vars("quantile", errors="ignore")
    dataset = _check_coordinates(path, dataset, OUTPUT_DIMS[1:])
    missing = {name: int(dataset[name].isnull().sum()) for name in variables}
    mean = dataset.mean("member", skipna=True)
    for name in variables:
        gaps = int(mean[name].isnull().sum())
        if gaps:
            raise ClimateBenchFormatError(
                f"{path}: variable {name!r} is missing (NaN) in every member at {gaps} "
                "(time, lat, lon) points; a member mean needs one value at least"
            )
        scale = SECONDS_PER_DAY if name in PRECIPITATION else 1.0
        mean[name] = (mean[name] * scale).assign_attrs(units=TARGET_UNITS[name])
    return mean.transpose("time", "lat", "lon"), missing


def forcing_maps(inputs: xr.Dataset) -> xr.DataArray:
    """The four forcers as maps (time, channel, lat, lon): CO2 and CH4 spread over the globe."""
    template = inputs["SO2"]
    channels = [
        inputs[name].broadcast_like(template) if name in GLOBAL_INPUTS else inputs[name]
        for name in INPUT_VARIABLES
    ]
    maps = xr.concat(channels, dim="channel", coords="minimal", compat="override")
    maps = maps.assign_coords(channel=list(INPUT_VARIABLES)).rename("forcing")
    return maps.transpose("time", "channel", "lat", "lon")


def _experiment_maps_and_targets(
    data_dir: Path,
    experiment: str,
    target_variables: list[str],
    grid: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[xr.DataArray, xr.DataArray, dict[str, int]]:
    """Forcing maps (time, channel, lat, lon) and targets (time, variable, lat, lon) on `grid`,
    and the number of missing output values per variable (skipped by the member mean)."""
    inputs_path = data_dir / f"inputs_{experiment}.nc"
    outputs_path = data_dir / f"outputs_{experiment}.nc"
    maps = forcing_maps(read_inputs(inputs_path))
    outputs, missing = read_outputs(outputs_path, target_variables)
    if not np.array_equal(maps["time"].values, outputs["time"].values):
        raise ClimateBenchFormatError(
            f"{outputs_path}: years {outputs['time'].values} differ from those of {inputs_path}"
        )
    units = [outputs[name].attrs["units"] for name in target_variables]
    targets = outputs.to_dataarray("variable").assign_coords(target_units=("variable", units))
    targets = targets.transpose("time", "variable", "lat", "lon")
    if grid is not None:
        return regrid_bilinear(maps, *grid), regrid_bilinear(targets, *grid), missing
    same_grid = all(
        maps[name].shape == targets[name].shape
        and np.allclose(maps[name].values, targets[name].values)
        for name in ("lat", "lon")
    )
    if not same_grid:
        raise ClimateBenchFormatError(
            f"{outputs_path}: grid differs from that of {inputs_path}; pass a grid to regrid both"
        )
    return maps, targets.assign_coords(lat=maps["lat"].values, lon=maps["lon"].values), missing


def _check_follows_historical(historical: xr.DataArray, scenario: xr.DataArray, name: str) -> None:
    last, first = int(historical["time"][-1]), int(scenario["time"][0])
    if first != last + 1:
        raise ClimateBenchFormatError(
            f"{name} starts in {first}; expected {last + 1}, the year after historical ends"
        )


def _windows(
    maps: np.ndarray, history: np.ndarray | None, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of `window` consecutive years ending at each year of `maps` with enough history.

    Returns the windows (sample, window, channel, lat, lon), oldest year first, and the indices
    into `maps` of the years they end at. `history` holds the years just before `maps`.
    """
    extended = maps if history is None else np.concatenate([history, maps])
    offset = 0 if history is None else len(history)
    ends = np.arange(max(0, window - 1 - offset), len(maps))
    view = np.lib.stride_tricks.sliding_window_view(extended, window, axis=0)
    view = np.moveaxis(view, -1, 1)  # (time - window + 1, window, channel, lat, lon)
    return view[ends + offset - (window - 1)], ends


def _channel_statistics(maps: list[xr.DataArray]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation per channel over all years and grid points of `maps`."""
    count = sum(field.sizes["time"] * field.sizes["lat"] * field.sizes["lon"] for field in maps)
    dims = ("time", "lat", "lon")
    mean = sum(field.sum(dims).values for field in maps) / count
    deviation = xr.DataArray(mean, dims="channel")
    variance = sum(((field - deviation) ** 2).sum(dims).values for field in maps) / count
    std = np.sqrt(variance)
    if np.any(std == 0):
        constant = [name for name, value in zip(INPUT_VARIABLES, std, strict=True) if value == 0]
        raise DataError(f"input channels {constant} are constant over the training set")
    return mean, std


def _split_dataset(
    experiments: tuple[str, ...],
    maps: dict[str, xr.DataArray],
    targets: dict[str, xr.DataArray],
    window: int,
    statistics: tuple[np.ndarray, np.ndarray],
    normalise: bool,
) -> xr.Dataset:
    """One split: windowed inputs, standardised if `normalise`, and targets in physical units."""
    mean, std = statistics
    shift, scale = (mean, std) if normalise else (np.zeros_like(mean), np.ones_like(std))

    def standardise(field: xr.DataArray) -> np.ndarray:
        return (field.values - shift[:, None, None]) / scale[:, None, None]

    history = standardise(maps[HISTORICAL])
    inputs, outputs, names, years = [], [], [], []
    for experiment in experiments:
        previous = None
        if experiment.startswith("ssp"):
            _check_follows_historical(maps[HISTORICAL], maps[experiment], experiment)
            previous = history
        windows, ends = _windows(standardise(maps[experiment]), previous, window)
        inputs.append(windows.astype(np.float32))
        outputs.append(targets[experiment].values[ends].astype(np.float32))
        names += [experiment] * len(ends)
        years.append(maps[experiment]["time"].values[ends])
    reference = targets[experiments[0]]
    return xr.Dataset(
        {
            "inputs": (
                ("sample", "window", "channel", "lat", "lon"),
                np.concatenate(inputs),
                {"standardised": int(normalise)},
            ),
            "targets": (("sample", "variable", "lat", "lon"), np.concatenate(outputs)),
            "input_mean": ("channel", mean, {"description": "training mean per channel"}),
            "input_std": ("channel", std, {"description": "training standard deviation"}),
        },
        coords={
            "experiment": ("sample", names),
            "year": ("sample", np.concatenate(years).astype(np.int64)),
            "window": ("window", np.arange(1 - window, 1), {"description": "years from `year`"}),
            "channel": list(INPUT_VARIABLES),
            "variable": reference["variable"].values,
            "target_units": ("variable", reference["target_units"].values),
            "lat": ("lat", reference["lat"].values, {"units": "degrees_north"}),
            "lon": ("lon", reference["lon"].values, {"units": "degrees_east"}),
        },
    )


def prepare_climatebench(
    data_dir: Path,
    out_dir: Path,
    target_variables: list[str],
    grid: tuple[int, int] | None,
    window: int,
    normalise: bool = True,
) -> dict[str, Any]:
    """Write `train.nc` and `test.nc`: windows of forcing maps -> targets, plus `prepared.json`.

    `data_dir` holds the extracted `inputs_{exp}.nc` / `outputs_{exp}.nc` of both archives.
    A sample is the target of year t with the maps of years t-window+1 .. t; SSP windows reach
    back into historical, while the historical-period experiments start at year 1850+window-1.
    `grid` = (n_lat, n_lon) regrids inputs and targets bilinearly onto `climax_grid(n_lat, n_lon)`
    (None keeps the native grid). Inputs are standardised per channel with the mean and standard
    deviation of every training experiment's own years (stored as `input_mean`, `input_std`);
    targets stay in physical units (precipitation in mm/day). The report counts the missing
    output values the member means skipped.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 year; got {window}")
    target_variables = list(target_variables)
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    target_grid = None if grid is None else climax_grid(*grid)
    maps, targets, missing = {}, {}, {}
    for experiment in TRAIN_EXPERIMENTS + TEST_EXPERIMENTS:
        maps[experiment], targets[experiment], missing[experiment] = _experiment_maps_and_targets(
            data_dir, experiment, target_variables, target_grid
        )
    statistics = _channel_statistics([maps[experiment] for experiment in TRAIN_EXPERIMENTS])
    summary: dict[str, Any] = {
        "window": window,
        "grid": [maps[HISTORICAL].sizes["lat"], maps[HISTORICAL].sizes["lon"]],
        "normalised": normalise,
        "channels": list(INPUT_VARIABLES),
        "target_variables": target_variables,
        "input_mean": dict(zip(INPUT_VARIABLES, statistics[0].tolist(), strict=True)),
        "input_std": dict(zip(INPUT_VARIABLES, statistics[1].tolist(), strict=True)),
        "target_units": {
            name: str(units)
            for name, units in zip(
                target_variables, targets[HISTORICAL]["target_units"].values, strict=True
            )
        },
        "missing_values": missing,  # per experiment and variable, skipped by the member mean
    }
    for split, experiments in (("train", TRAIN_EXPERIMENTS), ("test", TEST_EXPERIMENTS)):
        dataset = _split_dataset(experiments, maps, targets, window, statistics, normalise)
        write_netcdf(dataset, out_dir / f"{split}.nc")
        summary[f"{split}_samples"] = dataset.sizes["sample"]
        summary[f"{split}_experiments"] = list(experiments)
    write_json(out_dir / "prepared.json", summary)
    return summary


def as_time_series(dataset: xr.Dataset, values: np.ndarray) -> xr.DataArray:
    """(sample, variable, lat, lon) values as a (variable, time, lat, lon) DataArray."""
    targets = dataset["targets"]
    field = targets.copy(data=values).assign_coords(time=("sample", dataset["year"].values))
    return (
        field.swap_dims(sample="time")
        .drop_vars(["experiment", "year"])
        .transpose("variable", "time", "lat", "lon")
    )
