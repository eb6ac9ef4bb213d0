import io
import json
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from odfa.data.climatebench import (
    INPUT_VARIABLES,
    OUTPUT_VARIABLES,
    TEST_EXPERIMENTS,
    TRAIN_EXPERIMENTS,
    ClimateBenchFormatError,
    extract_archives,
    forcing_maps,
    prepare_climatebench,
    read_inputs,
    read_outputs,
    write_netcdf,
)
from odfa.data.regrid import climax_grid
from odfa.data.synthetic.climatebench import generate_sample_archives

N_LAT, N_LON = 12, 18


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    archives = tmp_path_factory.mktemp("archives")
    generate_sample_archives(archives, N_LAT, N_LON, seed=0)
    out_dir = tmp_path_factory.mktemp("climatebench")
    extract_archives([archives / "train_val.tar.gz", archives / "test.tar.gz"], out_dir)
    return out_dir


@pytest.fixture(scope="module")
def prepared(data_dir, tmp_path_factory) -> tuple[Path, dict]:
    out_dir = tmp_path_factory.mktemp("prepared")
    summary = prepare_climatebench(data_dir, out_dir, ["tas", "pr"], grid=None, window=3)
    return out_dir, summary


def open_file(path: Path) -> xr.Dataset:
    with xr.open_dataset(path) as dataset:
        return dataset.load()


def test_extract_archives_writes_every_file(data_dir):
    expected = {
        f"{kind}_{name}.nc"
        for name in TRAIN_EXPERIMENTS + TEST_EXPERIMENTS
        for kind in ("inputs", "outputs")
    }
    assert {path.name for path in data_dir.iterdir()} == expected


@pytest.mark.parametrize("name", ["folder/inputs_historical.nc", "../inputs_historical.nc"])
def test_extract_archives_refuses_members_with_paths(tmp_path, name):
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"data"))
    with pytest.raises(ClimateBenchFormatError, match=re.escape(name)):
        extract_archives([archive], tmp_path / "out")
    assert not (tmp_path / "out" / "inputs_historical.nc").exists()


def test_read_inputs_renames_to_lat_lon(data_dir):
    inputs = read_inputs(data_dir / "inputs_ssp245.nc")
    assert inputs["SO2"].dims == ("time", "lat", "lon")
    assert inputs["CO2"].dims == ("time",)
    assert list(inputs["time"].values) == list(range(2015, 2101))
    assert np.array_equal(inputs["lat"].values, np.linspace(-90, 90, N_LAT))


def test_forcing_maps_spread_global_forcers(data_dir):
    inputs = read_inputs(data_dir / "inputs_historical.nc")
    maps = forcing_maps(inputs)
    assert maps.dims == ("time", "channel", "lat", "lon")
    assert list(maps["channel"].values) == list(INPUT_VARIABLES)
    assert maps.shape == (165, 4, N_LAT, N_LON)
    co2 = maps.sel(channel="CO2")
    assert np.array_equal(co2.isel(lat=3, lon=5), inputs["CO2"])
    assert (co2 == inputs["CO2"]).all()
    assert np.array_equal(maps.sel(channel="BC"), inputs["BC"])


def test_read_outputs_averages_any_number_of_members(tmp_path):
    lat, lon = np.linspace(-90, 90, 3), np.array([0.0, 180.0])
    first = np.arange(12.0).reshape(2, 3, 2)
    second = 10 * first
    path = tmp_path / "outputs_two.nc"
    write_netcdf(
        xr.Dataset(
            {
                "tas": (("member", "time", "lat", "lon"), np.stack([first, second])),
                "pr90": (("member", "time", "lat", "lon"), np.stack([first, first])),
            },
            coords={"time": [2015, 2016], "lat": lat, "lon": lon, "quantile": 0.9},
        ),
        path,
    )
    outputs, missing = read_outputs(path, ["tas", "pr90"])
    assert outputs["tas"].dims == ("time", "lat", "lon")
    assert np.allclose(outputs["tas"].values, 5.5 * first)
    assert outputs["tas"].attrs["units"] == "K"  # the real files carry no units
    assert np.allclose(outputs["pr90"].values, first * 86400)  # mm/day, as ClimateBench scores
    assert outputs["pr90"].attrs["units"] == "mm day-1"
    assert "quantile" not in outputs.coords and "member" not in outputs.dims
    assert missing == {"tas": 0, "pr90": 0}


def test_read_outputs_of_generated_files(data_dir):
    outputs, _ = read_outputs(data_dir / "outputs_ssp126.nc", list(OUTPUT_VARIABLES))
    raw = open_file(data_dir / "outputs_ssp126.nc")
    assert np.allclose(outputs["pr"].values, raw["pr"].mean("member").values * 86400)
    assert outputs["tas"].dims == ("time", "lat", "lon")


def broken_copy(data_dir: Path, tmp_path: Path, name: str, change) -> Path:
    path = tmp_path / name
    write_netcdf(change(open_file(data_dir / name)), path)
    return path


def expect_format_error(path: Path, variable: str, reason: str) -> str:
    return f"{re.escape(str(path))}: variable '{variable}' .*{reason}"


def test_missing_input_variable_raises(data_dir, tmp_path):
    path = broken_copy(data_dir, tmp_path, "inputs_historical.nc", lambda d: d.drop_vars("BC"))
    with pytest.raises(ClimateBenchFormatError, match=expect_format_error(path, "BC", "missing")):
        read_inputs(path)


def test_input_with_wrong_dims_raises(data_dir, tmp_path):
    path = broken_copy(
        data_dir,
        tmp_path,
        "inputs_historical.nc",
        lambda d: d.assign(SO2=d["SO2"].isel(latitude=0, drop=True)),
    )
    with pytest.raises(ClimateBenchFormatError, match=expect_format_error(path, "SO2", "latitude")):
        read_inputs(path)


def _with_nan(members: list[int]):
    def add_nan(dataset: xr.Dataset) -> xr.Dataset:
        tas = dataset["tas"].copy()
        tas[members, 3, 2, 2] = np.nan
        return dataset.assign(tas=tas)

    return add_nan


def test_a_value_missing_from_one_member_is_skipped_and_counted(data_dir, tmp_path):
    path = broken_copy(data_dir, tmp_path, "outputs_ssp126.nc", _with_nan([1]))
    outputs, missing = read_outputs(path, ["tas", "pr"])
    raw = open_file(path)["tas"]
    assert missing == {"tas": 1, "pr": 0}
    expected = float(raw.isel(member=[0, 2], time=3, lat=2, lon=2).mean())
    assert float(outputs["tas"].isel(time=3, lat=2, lon=2)) == pytest.approx(expected)


def test_a_value_missing_from_every_member_names_file_and_variable(data_dir, tmp_path):
    path = broken_copy(data_dir, tmp_path, "outputs_ssp126.nc", _with_nan([0, 1, 2]))
    with pytest.raises(
        ClimateBenchFormatError, match=expect_format_error(path, "tas", "every member at 1")
    ):
        read_outputs(path, ["tas"])
    read_outputs(path, ["pr"])  # only the requested variables are checked


def test_output_without_member_dim_raises(data_dir, tmp_path):
    path = broken_copy(
        data_dir, tmp_path, "outputs_ssp126.nc", lambda d: d.isel(member=0, drop=True)
    )
    with pytest.raises(ClimateBenchFormatError, match=expect_format_error(path, "pr", "member")):
        read_outputs(path, ["pr"])


def test_unknown_output_variable_raises(data_dir):
    with pytest.raises(ValueError, match="precipitation"):
        read_outputs(data_dir / "outputs_ssp126.nc", ["precipitation"])


def test_prepared_files_have_documented_layout(prepared):
    out_dir, summary = prepared
    assert json.loads((out_dir / "prepared.json").read_text()) == summary
    expected_samples = {"train": 3 * 163 + 3 * 86, "test": 86}
    for split in ("train", "test"):
        dataset = open_file(out_dir / f"{split}.nc")
        samples = expected_samples[split]
        assert summary[f"{split}_samples"] == samples
        assert dataset["inputs"].dims == ("sample", "window", "channel", "lat", "lon")
        assert dataset["inputs"].shape == (samples, 3, 4, N_LAT, N_LON)
        assert dataset["inputs"].dtype == np.float32
        assert dataset["targets"].dims == ("sample", "variable", "lat", "lon")
        assert dataset["targets"].shape == (samples, 2, N_LAT, N_LON)
        assert dataset["targets"].dtype == np.float32
        assert list(dataset["variable"].values) == ["tas", "pr"]
        assert list(dataset["target_units"].values) == ["K", "mm day-1"]
        assert list(dataset["channel"].values) == list(INPUT_VARIABLES)
        assert list(dataset["window"].values) == [-2, -1, 0]
        assert dataset["experiment"].dims == dataset["year"].dims == ("sample",)
        assert dataset["input_mean"].dims == dataset["input_std"].dims == ("channel",)
        assert dataset.sizes["lat"] == N_LAT and dataset.sizes["lon"] == N_LON
    assert summary["grid"] == [N_LAT, N_LON] and summary["window"] == 3
    assert summary["target_units"] == {"tas": "K", "pr": "mm day-1"}
    assert summary["missing_values"]["ssp245"] == {"tas": 0, "pr": 0}


def test_targets_are_member_means_in_physical_units(prepared, data_dir):
    out_dir, _ = prepared
    test = open_file(out_dir / "test.nc")
    truth = open_file(data_dir / "outputs_ssp245.nc")
    expected = truth["tas"].mean("member").sel(time=2100).values
    sample = test["targets"].where(test["year"] == 2100, drop=True).sel(variable="tas")
    assert np.allclose(sample.values[0], expected, atol=1e-6)


def test_scenario_windows_reach_back_into_historical(prepared, data_dir):
    out_dir, _ = prepared
    test = open_file(out_dir / "test.nc")
    first = test.isel(sample=0)
    assert str(first["experiment"].values) == "ssp245" and int(first["year"]) == 2015
    historical = forcing_maps(read_inputs(data_dir / "inputs_historical.nc"))
    scenario = forcing_maps(read_inputs(data_dir / "inputs_ssp245.nc"))
    expected = xr.concat(
        [historical.sel(time=[2013, 2014]), scenario.sel(time=[2015])], dim="time"
    ).values
    mean = test["input_mean"].values[:, None, None]
    std = test["input_std"].values[:, None, None]
    assert np.allclose(first["inputs"].values, (expected - mean) / std, rtol=1e-5, atol=1e-5)


def test_historical_period_experiments_start_once_a_window_fits(prepared):
    out_dir, _ = prepared
    train = open_file(out_dir / "train.nc")
    for experiment in ("historical", "hist-GHG", "hist-aer"):
        years = train["year"].values[train["experiment"].values == experiment]
        assert years[0] == 1852 and years[-1] == 2014 and len(years) == 163
    for experiment in ("ssp126", "ssp370", "ssp585"):
        years = train["year"].values[train["experiment"].values == experiment]
        assert list(years) == list(range(2015, 2101))


def test_standardisation_uses_training_statistics_only(data_dir, tmp_path):
    summary = prepare_climatebench(data_dir, tmp_path, ["tas"], grid=None, window=1)
    train = open_file(tmp_path / "train.nc")
    test = open_file(tmp_path / "test.nc")
    training_maps = np.concatenate(
        [
            forcing_maps(read_inputs(data_dir / f"inputs_{name}.nc")).values
            for name in TRAIN_EXPERIMENTS
        ]
    )
    assert np.allclose(train["input_mean"], training_maps.mean(axis=(0, 2, 3)))
    assert np.allclose(train["input_std"], training_maps.std(axis=(0, 2, 3)))
    assert np.allclose(test["input_mean"], train["input_mean"])
    assert summary["input_mean"]["CO2"] == pytest.approx(float(train["input_mean"][0]))
    per_channel = train["inputs"].astype(np.float64)
    assert np.allclose(per_channel.mean(("sample", "window", "lat", "lon")), 0, atol=1e-5)
    assert np.allclose(per_channel.std(("sample", "window", "lat", "lon")), 1, atol=1e-5)
    test_co2 = test["inputs"].sel(channel="CO2").astype(np.float64)
    assert float(test_co2.mean()) > 0.3  # ssp245's cumulative CO2 lies above the training mean


def test_without_normalisation_inputs_are_physical(data_dir, tmp_path):
    prepare_climatebench(data_dir, tmp_path, ["tas"], grid=None, window=1, normalise=False)
    test = open_file(tmp_path / "test.nc")
    co2 = read_inputs(data_dir / "inputs_ssp245.nc")["CO2"].values
    assert np.allclose(test["inputs"].sel(channel="CO2").isel(lat=0, lon=0, window=0), co2)
    assert int(test["inputs"].attrs["standardised"]) == 0


def test_regridding_to_a_climax_grid(data_dir, tmp_path):
    summary = prepare_climatebench(data_dir, tmp_path, ["tas"], grid=(8, 16), window=2)
    train = open_file(tmp_path / "train.nc")
    lat, lon = climax_grid(8, 16)
    assert summary["grid"] == [8, 16]
    assert np.allclose(train["lat"], lat) and np.allclose(train["lon"], lon)
    assert train["inputs"].shape[1:] == (2, 4, 8, 16)
    assert train["targets"].shape[1:] == (1, 8, 16)
    assert not np.isnan(train["targets"].values).any()


def test_bad_window_raises(data_dir, tmp_path):
    with pytest.raises(ValueError, match="window"):
        prepare_climatebench(data_dir, tmp_path, ["tas"], grid=None, window=0)
