"""scikit-learn's digits: a stratified, seeded split with pixels in [0, 1]."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from odfa.data.digits import ARRAYS, load_digits_split, load_prepared_digits, save_digits_split
from odfa.errors import DataError, MissingInputError


def test_the_split_is_stratified_seeded_and_scaled():
    split = load_digits_split(0.2, seed=3)
    assert split.train_inputs.shape[1] == 64 and len(split.test_inputs) == 360
    assert float(split.train_inputs.min()) >= 0.0 and float(split.train_inputs.max()) <= 1.0
    labels = torch.cat([split.train_labels, split.test_labels])
    expected = 0.2 * torch.bincount(labels, minlength=10)
    tested = torch.bincount(split.test_labels, minlength=10)
    assert bool(((tested - expected).abs() <= 1).all())  # every digit in proportion
    again = load_digits_split(0.2, seed=3)
    assert torch.equal(split.test_labels, again.test_labels)
    assert not torch.equal(split.test_labels, load_digits_split(0.2, seed=4).test_labels)


def test_the_prepared_split_reads_back_bit_for_bit(tmp_path):
    split = load_digits_split(0.2, seed=3)
    save_digits_split(split, tmp_path / "split.npz")
    again = load_prepared_digits(tmp_path / "split.npz")
    for name in ARRAYS:
        assert torch.equal(getattr(again, name), getattr(split, name)), name


def test_a_missing_or_bad_split_names_the_stage_that_makes_it(tmp_path):
    with pytest.raises(MissingInputError, match=r"split\.npz: missing; run the digits_prepare"):
        load_prepared_digits(tmp_path / "split.npz")
    (tmp_path / "split.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"not a readable digits split.*digits_prepare stage again"):
        load_prepared_digits(tmp_path / "split.npz")
    split = load_digits_split(0.2, seed=3)
    save_digits_split(
        dataclasses.replace(split, test_inputs=split.test_inputs * 16), tmp_path / "x.npz"
    )
    with pytest.raises(DataError, match=r"test pixels outside \[0, 1\]"):
        load_prepared_digits(tmp_path / "x.npz")
