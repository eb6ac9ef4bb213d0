import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from odfa.data.climatebench import TEST_EXPERIMENTS, TRAIN_EXPERIMENTS
from odfa.data.synthetic.climatebench import MISSING_DTR_YEARS, generate_sample_archives
from odfa.io import sha256_of

N_LAT, N_LON = 12, 18


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("climatebench_archives")
    generate_sample_archives(out_dir, N_LAT, N_LON, seed=0)
    return out_dir


@pytest.fixture(scope="module")
def files(archives, tmp_path_factory) -> Path:
    """The archives' members, extracted with plain tarfile (independent of odfa's extractor)."""
    out_dir = tmp_path_factory.mktemp("climatebench_files")
    for name in ("train_val.tar.gz", "test.tar.gz"):
        with tarfile.open(archives / name) as tar:
            tar.extractall(out_dir, filter="data")
    return out_dir


def open_file(files: Path, name: str) -> xr.Dataset:
    with xr.open_dataset(files / name) as dataset:
        return dataset.load()


@pytest.mark.parametrize(
    ("archive", "experiments"),
    [("train_val.tar.gz", TRAIN_EXPERIMENTS), ("test.tar.gz", TEST_EXPERIMENTS)],
)
def test_archive_members_are_flat_and_named_like_climatebench(archives, archive, experiments):
    with tarfile.open(archives / archive, "r:gz") as tar:
        members = tar.getmembers()
    expected = {f"{kind}_{name}.nc" for name in experiments for kind in ("inputs", "outputs")}
    assert {member.name for member in members} == expected
    assert all(member.isfile() and member.mtime == 0 for member in members)


def test_experiment_lists():
    assert TRAIN_EXPERIMENTS == ("historical", "ssp126", "ssp370", "ssp585", "hist-GHG", "hist-aer")
    assert TEST_EXPERIMENTS == ("ssp245",)


@pytest.mark.parametrize("experiment", [*TRAIN_EXPERIMENTS, *TEST_EXPERIMENTS])
def test_inputs_have_climatebench_layout(files, experiment):
    inputs = open_file(files, f"inputs_{experiment}.nc")
    first = 2015 if experiment.startswith("ssp") else 1850
    last = 2100 if experiment.startswith("ssp") else 2014
    assert set(inputs.data_vars) == {"CO2", "CH4", "SO2", "BC"}
    assert inputs["CO2"].dims == ("time",) and inputs["CH4"].dims == ("time",)
    assert inputs["SO2"].dims == ("time", "latitude", "longitude")
    assert inputs["BC"].dims == ("time", "latitude", "longitude")
    assert np.issubdtype(inputs["time"].dtype, np.integer)
    assert np.array_equal(inputs["time"].values, np.arange(first, last + 1))
    assert np.array_equal(inputs["latitude"].values, np.linspace(-90, 90, N_LAT))
    assert np.allclose(inputs["longitude"].values, np.arange(N_LON) * 360 / N_LON)
    # as ClimateBench's prep_input_data notebook writes them: float64, no variable attributes
    assert all(variable.dtype == np.float64 for variable in inputs.data_vars.values())
    assert all(variable.attrs == {} for variable in inputs.data_vars.values())
    assert inputs.attrs == {} and inputs["latitude"].attrs == {"units": "degrees"}
    for name in ("SO2", "BC"):
        assert (inputs[name] >= 0).all() and inputs[name].max() < 1e-8


@pytest.mark.parametrize("experiment", [*TRAIN_EXPERIMENTS, *TEST_EXPERIMENTS])
def test_outputs_have_climatebench_layout(files, experiment):
    outputs = open_file(files, f"outputs_{experiment}.nc")
    years = 86 if experiment.startswith("ssp") else 165
    assert set(outputs.data_vars) == {"tas", "diurnal_temperature_range", "pr", "pr90"}
    members = 1 if experiment == "ssp585" else 3  # as in the real files
    for name, variable in outputs.data_vars.items():
        assert variable.dims == ("member", "time", "lat", "lon"), name
        assert variable.shape == (members, years, N_LAT, N_LON), name
        gaps = experiment == "historical" and name == "diurnal_temperature_range"
        assert bool(variable.isnull().any()) == gaps, name
    assert "latitude" not in outputs.coords and "longitude" not in outputs.coords
    assert np.issubdtype(outputs["time"].dtype, np.integer)
    assert outputs["pr90"].coords["quantile"].shape == ()
    assert float(outputs["pr90"].coords["quantile"]) == 0.9
    assert np.array_equal(outputs["member"].values, np.arange(1, members + 1))
    assert outputs["member"].dtype == np.int64
    dtypes = {name: variable.dtype for name, variable in outputs.data_vars.items()}
    assert dtypes == {
        "diurnal_temperature_range": np.float32,
        "tas": np.float32,
        "pr": np.float32,
        "pr90": np.float64,
    }
    assert all(variable.attrs == {} for variable in outputs.data_vars.values())
    assert outputs["lat"].attrs == {"units": "degrees"}
    assert float(np.abs(outputs["pr"]).max()) < 1e-4  # a flux in kg m-2 s-1, not mm/day


def global_mean(field: xr.DataArray) -> xr.DataArray:
    return field.weighted(np.cos(np.deg2rad(field["lat"]))).mean(("lat", "lon"))


def test_warming_grows_with_cumulative_co2(files):
    def tas_2100(experiment: str) -> float:
        tas = open_file(files, f"outputs_{experiment}.nc")["tas"]
        return float(global_mean(tas.mean("member")).sel(time=2100))

    def co2_2100(experiment: str) -> float:
        return float(open_file(files, f"inputs_{experiment}.nc")["CO2"].sel(time=2100))

    order = ["ssp126", "ssp245", "ssp370", "ssp585"]
    assert [co2_2100(name) for name in order] == sorted(co2_2100(name) for name in order)
    assert tas_2100("ssp585") > tas_2100("ssp126") + 2.0
    assert tas_2100("ssp126") < tas_2100("ssp245") < tas_2100("ssp585")


def test_single_forcing_experiments(files):
    historical = open_file(files, "inputs_historical.nc")
    ghg = open_file(files, "inputs_hist-GHG.nc")
    aerosol = open_file(files, "inputs_hist-aer.nc")
    assert np.array_equal(ghg["CO2"], historical["CO2"])
    assert np.array_equal(ghg["CH4"], historical["CH4"])
    assert (ghg["SO2"] == 0).all() and (ghg["BC"] == 0).all()  # as ClimateBench's hist-GHG
    assert np.array_equal(aerosol["SO2"], historical["SO2"])
    assert (aerosol["CO2"] == 0).all() and (aerosol["CH4"] == 0).all()  # as its hist-aer
    cumulative = historical["CO2"].values
    assert cumulative[0] == 0 and np.all(np.diff(cumulative) > 0)
    aerosol_tas = open_file(files, "outputs_hist-aer.nc")["tas"].mean("member")
    assert float(global_mean(aerosol_tas).sel(time=slice(1990, 2014)).mean()) < -0.2


def test_sulphate_rises_then_falls(files):
    historical = open_file(files, "inputs_historical.nc")["SO2"].sum(("latitude", "longitude"))
    future = open_file(files, "inputs_ssp126.nc")["SO2"].sum(("latitude", "longitude"))
    assert historical.sel(time=1980) > 5 * historical.sel(time=1850)
    assert future.sel(time=2100) < 0.2 * historical.sel(time=2014)


def test_same_seed_same_bytes_other_seed_other_bytes(archives, tmp_path):
    generate_sample_archives(tmp_path / "again", N_LAT, N_LON, seed=0)
    generate_sample_archives(tmp_path / "other", N_LAT, N_LON, seed=1)
    for name in ("train_val.tar.gz", "test.tar.gz"):
        reference = (archives / name).read_bytes()
        assert (tmp_path / "again" / name).read_bytes() == reference
        assert (tmp_path / "other" / name).read_bytes() != reference


# Written on one machine, checked on every other: generation uses only correctly rounded
# arithmetic (odfa.data.synthetic.portable_math), so no CPU's vector paths change a bit.
SAMPLE_SHA256 = {
    "test.tar.gz": "db221622e26380b7ea6cf70d782d3e7ef39e3b52f703c2dfd4855882935087a9",
    "train_val.tar.gz": "ff1cf394cf9194463f0339e72b088b7ba1d93d20cd22bf6d241aab243e74d941",
}


def test_the_archives_have_the_same_bytes_on_every_machine(archives):
    assert {name: sha256_of(archives / name) for name in SAMPLE_SHA256} == SAMPLE_SHA256


def test_the_archives_do_not_depend_on_the_cpu_features_numpy_uses(archives, tmp_path):
    """numpy without its AVX2/FMA code paths (as on an older CPU) writes the same bytes."""
    script = (
        "import sys; from pathlib import Path; "
        "from odfa.data.synthetic.climatebench import generate_sample_archives; "
        f"generate_sample_archives(Path(sys.argv[1]), {N_LAT}, {N_LON}, seed=0)"
    )
    environment = os.environ | {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=environment, check=True)
    for name in SAMPLE_SHA256:
        assert (tmp_path / name).read_bytes() == (archives / name).read_bytes()


def test_member_count_is_configurable(tmp_path):
    generate_sample_archives(tmp_path, 4, 6, seed=0, members=2)
    with tarfile.open(tmp_path / "test.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    assert open_file(tmp_path, "outputs_ssp245.nc").sizes["member"] == 2


def test_the_historical_dtr_misses_values_in_member_1_only(files):
    dtr = open_file(files, "outputs_historical.nc")["diurnal_temperature_range"]
    missing = dtr.isnull()
    assert missing.isel(member=1, time=slice(0, MISSING_DTR_YEARS)).all()
    assert int(missing.sum()) == MISSING_DTR_YEARS * N_LAT * N_LON
