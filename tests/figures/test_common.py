"""Means and spreads over replicates, as the figures draw them."""

from __future__ import annotations

import pandas as pd
import pytest

from odfa.figures.common import across_replicates


def test_across_replicates_smooths_each_then_takes_mean_and_std_per_step():
    first = pd.DataFrame({"step": [1, 2, 3], "loss": [4.0, 2.0, None]})
    second = pd.DataFrame({"step": [1, 2, 3], "loss": [2.0, 2.0, 1.0]})
    frame = across_replicates([first, second], "loss", window=2)
    assert list(frame.index) == [1, 2, 3]
    assert list(frame["mean"]) == pytest.approx([3.0, 2.5, 1.5])  # (4+2)/2, (3+2)/2, 1.5 alone
    assert frame["std"].iloc[0] == pytest.approx(2**0.5)
    assert frame["std"].iloc[2] == 0.0  # one replicate logged it: no spread


def test_one_replicate_has_no_band():
    frame = across_replicates([pd.DataFrame({"step": [1], "loss": [1.0]})], "loss")
    assert frame["std"].tolist() == [0.0]
