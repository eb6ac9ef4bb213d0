"""Prepared files read back with their checks: a bad file stops where it is read, in one line
that names it and what to do, before any training step."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import xarray as xr

from odfa.errors import DataError, MissingInputError


def _require(path: Path, stage: str) -> Path:
    if not path.is_file():
        raise MissingInputError(f"{path}: missing; run the {stage} stage first")
    return path


def load_tokens(path: str | Path, vocab_size: int) -> np.ndarray:
    """A prepared token array: one dimension of integer ids in [0, vocab_size)."""
    path = _require(Path(path), "dialogs_prepare")
    again = "run the dialogs_prepare stage again"
    try:
        tokens = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path}: not a readable .npy array ({error}); {again}") from None
    if tokens.ndim != 1 or not np.issubdtype(tokens.dtype, np.integer):
        raise DataError(
            f"{path}: expected one dimension of integer token ids, got {tokens.dtype} of shape "
            f"{tokens.shape}; {again}"
        )
    if len(tokens) and (int(tokens.min()) < 0 or int(tokens.max()) >= vocab_size):
        raise DataError(
            f"{path}: token ids run from {int(tokens.min())} to {int(tokens.max())}, outside the "
            f"tokenizer's vocabulary [0, {vocab_size}); {again}"
        )
    return tokens


def require_finite(values: np.ndarray, path: str | Path, name: str, advice: str) -> None:
    """Stop, naming `path` and its variable `name`, where `values` hold NaN or infinities."""
    bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
    if bad:
        raise DataError(
            f"{path}: {bad} of {np.size(values)} values of {name!r} are NaN or infinite; {advice}"
        )


def load_climate_split(path: str | Path) -> xr.Dataset:
    """A prepared ClimateBench split (train.nc or test.nc), loaded, with finite inputs and
    targets."""
    path = _require(Path(path), "climate_prepare")
    again = "run the climate_prepare stage again"
    try:
        with xr.open_dataset(path) as dataset:
            dataset = dataset.load()
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not a readable NetCDF file ({error}); {again}") from None
    for name in ("inputs", "targets"):
        if name not in dataset:
            raise DataError(f"{path}: no variable {name!r}; {again}")
        require_finite(dataset[name].values, path, name, again)
    return dataset
