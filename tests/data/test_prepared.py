"""Prepared files are checked where they are read: a bad one stops in one line naming it."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from odfa.data.prepared import load_climate_split, load_tokens, require_finite
from odfa.errors import DataError, MissingInputError

VOCABULARY = 100


@pytest.fixture
def tokens(tmp_path):
    path = tmp_path / "train.npy"
    np.save(path, np.arange(50, dtype=np.uint16))
    return path


def test_good_tokens_load_as_they_were_saved(tokens):
    assert list(load_tokens(tokens, VOCABULARY)) == list(range(50))


def test_a_truncated_token_file_names_itself_and_the_stage_to_rerun(tokens):
    tokens.write_bytes(tokens.read_bytes()[:-20])
    with pytest.raises(DataError, match=rf"{tokens}: not a readable \.npy array .*dialogs_prepare"):
        load_tokens(tokens, VOCABULARY)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (
            np.arange(50, dtype=np.float64),
            r"expected one dimension of integer token ids, got float64",
        ),
        (np.arange(50).reshape(5, 10), r"of shape \(5, 10\)"),
        (np.array([1, 2, 60_000]), r"token ids run from 1 to 60000, outside .*\[0, 100\)"),
        (np.array([-1, 2]), r"token ids run from -1 to 2"),
    ],
)
def test_tokens_of_another_kind_or_range_are_refused_before_training(tokens, array, message):
    np.save(tokens, array)
    with pytest.raises(DataError, match=message):
        load_tokens(tokens, VOCABULARY)


def test_a_missing_prepared_file_says_which_stage_makes_it(tmp_path):
    with pytest.raises(
        MissingInputError, match=r"validation\.npy: missing; run the dialogs_prepare"
    ):
        load_tokens(tmp_path / "validation.npy", VOCABULARY)
    with pytest.raises(MissingInputError, match=r"test\.nc: missing; run the climate_prepare"):
        load_climate_split(tmp_path / "test.nc")


def _split(path, targets):
    dims = ("sample", "variable")
    dataset = xr.Dataset({"inputs": (dims, np.ones((3, 2))), "targets": (dims, targets)})
    dataset.to_netcdf(path)
    return path


def test_a_climate_split_with_nan_targets_is_refused_naming_file_and_variable(tmp_path):
    targets = np.ones((3, 2))
    assert float(load_climate_split(_split(tmp_path / "ok.nc", targets))["targets"].sum()) == 6
    targets[1, 0] = np.nan
    path = _split(tmp_path / "test.nc", targets)
    with pytest.raises(DataError, match=rf"{path}: 1 of 6 values of 'targets' are NaN or infinite"):
        load_climate_split(path)


def test_an_unreadable_climate_split_is_refused(tmp_path):
    path = tmp_path / "train.nc"
    path.write_bytes(b"not netcdf")
    with pytest.raises(DataError, match=rf"{path}: not a readable NetCDF file"):
        load_climate_split(path)


def test_infinities_count_as_non_finite():
    with pytest.raises(DataError, match=r"p\.nc: 2 of 3 values of 'x'.*retrain"):
        require_finite(np.array([1.0, np.inf, -np.inf]), "p.nc", "x", "retrain")
