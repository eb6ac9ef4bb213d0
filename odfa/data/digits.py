"""scikit-learn's bundled handwritten digits (8 x 8 images, 10 classes): real and offline."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

PIXEL_MAX = 16.0
# The file `load_digits` reads: the input whose content a digits run's identity records.
DIGITS_FILE = Path(str(files("sklearn.datasets") / "data" / "digits.csv.gz"))


@dataclass(frozen=True)
class DigitsSplit:
    train_inputs: torch.Tensor
    train_labels: torch.Tensor
    test_inputs: torch.Tensor
    test_labels: torch.Tensor


def load_digits_split(test_fraction: float, seed: int) -> DigitsSplit:
    """A stratified, seeded train/test split with pixels scaled to [0, 1]."""
    digits = load_digits()
    train_x, test_x, train_y, test_y = train_test_split(
        digits.data / PIXEL_MAX,
        digits.target,
        test_size=test_fraction,
        random_state=seed,
        stratify=digits.target,
    )
    return DigitsSplit(
        train_inputs=torch.tensor(train_x, dtype=torch.float32),
        train_labels=torch.tensor(train_y, dtype=torch.long),
        test_inputs=torch.tensor(test_x, dtype=torch.float32),
        test_labels=torch.tensor(test_y, dtype=torch.long),
    )
