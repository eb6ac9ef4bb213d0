"""scikit-learn's digits: a stratified, seeded split with pixels in [0, 1]."""

from __future__ import annotations

import torch

from odfa.data.digits import DIGITS_FILE, load_digits_split


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
    assert DIGITS_FILE.is_file()  # the file a run's identity records
