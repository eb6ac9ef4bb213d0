"""Fidelity of an optical projection: how close the camera's recovered projection is to the
noiseless linear projection of the same error."""

from __future__ import annotations

import torch
from torch import Tensor


def mean_row_cosine(measured: Tensor, reference: Tensor) -> float:
    """Mean cosine between matching rows; rows where either is zero are left out (NaN if all)."""
    measured, reference = measured.double(), reference.double()
    norms = measured.norm(dim=1) * reference.norm(dim=1)
    kept = norms > 0
    if not kept.any():
        return float("nan")
    return float(((measured * reference).sum(dim=1)[kept] / norms[kept]).mean())


def mean_norm_ratio(measured: Tensor, reference: Tensor) -> float:
    """Mean of ||measured row|| / ||reference row|| over rows with a non-zero reference."""
    reference_norm = reference.double().norm(dim=1)
    kept = reference_norm > 0
    if not kept.any():
        return float("nan")
    return float((measured.double().norm(dim=1)[kept] / reference_norm[kept]).mean())


def projection_fidelity(
    optical_ternary: Tensor,
    optical: Tensor,
    ternary: Tensor,
    error: Tensor,
    effective_matrix: Tensor,
    silent_fraction: float,
    saturated_fraction: float,
) -> dict[str, float]:
    """The fidelity fields of one projection of `error` (N, n_features).

    `optical_ternary` is the recovered projection of the ternarised error `ternary`, `optical`
    that projection rescaled to the error's norm; both are held against the noiseless
    projections through `effective_matrix` (the matrix the optics apply, from T itself): of the
    same ternarised error (`projection_cosine`, `projection_norm_ratio`: what the camera costs)
    and of the error itself (`projection_cosine_unternarised`: what ternarisation adds).
    `silent_outputs` is the fraction of outputs the projection always silences (a dark
    measured anchor), `saturated_pixels` the fraction of this projection's pixel readings
    above the camera's full well.
    """
    matrix = effective_matrix.to(error.device, torch.float32)
    ideal_ternary = ternary.float() @ matrix
    return {
        "projection_cosine": mean_row_cosine(optical_ternary, ideal_ternary),
        "projection_norm_ratio": mean_norm_ratio(optical_ternary, ideal_ternary),
        "projection_cosine_unternarised": mean_row_cosine(optical, error.float() @ matrix),
        "silent_outputs": silent_fraction,
        "saturated_pixels": saturated_fraction,
    }
