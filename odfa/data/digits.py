"""scikit-learn's bundled handwritten digits (8 x 8 images, 10 classes): real and offline.

The `digits_prepare` stage splits them once (`load_digits_split`, then `save_digits_split`);
every training run reads that split back (`load_prepared_digits`) without importing
scikit-learn, which takes 3 s to import.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from odfa.errors import DataError, MissingInputError
from odfa.io import atomic_output

PIXEL_MAX = 16.0
PIXELS = 64
ARRAYS = ("train_inputs", "train_labels", "test_inputs", "test_labels")


@dataclass(frozen=True)
class DigitsSplit:
    train_inputs: torch.Tensor
    train_labels: torch.Tensor
    test_inputs: torch.Tensor
    test_labels: torch.Tensor


def load_digits_split(test_fraction: float, seed: int) -> DigitsSplit:
    """A stratified, seeded train/test split with pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

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


def save_digits_split(split: DigitsSplit, path: str | Path) -> None:
    """`split` as one .npz file of its four arrays, written atomically."""
    arrays = {name: getattr(split, name).numpy() for name in ARRAYS}
    with atomic_output(path, "wb") as handle:
        np.savez(handle, **arrays)


def load_prepared_digits(path: str | Path) -> DigitsSplit:
    """The split `save_digits_split` wrote, checked: 64 pixels in [0, 1] per image, labels in
    0-9, as many labels as images."""
    path = Path(path)
    again = "run the digits_prepare stage again"
    if not path.is_file():
        raise MissingInputError(f"{path}: missing; run the digits_prepare stage first")
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in ARRAYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path}: not a readable digits split ({error}); {again}") from None
    for part in ("train", "test"):
        inputs, labels = arrays[f"{part}_inputs"], arrays[f"{part}_labels"]
        if inputs.ndim != 2 or inputs.shape[1] != PIXELS or len(labels) != len(inputs):
            raise DataError(
                f"{path}: {part} holds {inputs.shape} images and {labels.shape} labels; "
                f"expected (n, {PIXELS}) and (n,); {again}"
            )
        if not (np.all(np.isfinite(inputs)) and inputs.min() >= 0 and inputs.max() <= 1):
            raise DataError(f"{path}: {part} pixels outside [0, 1] or not finite; {again}")
        if len(labels) and (labels.min() < 0 or labels.max() > 9):
            raise DataError(f"{path}: {part} labels outside 0-9; {again}")
    return DigitsSplit(**{name: torch.from_numpy(array) for name, array in arrays.items()})
