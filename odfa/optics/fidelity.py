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
    ideal_ternary: Tensor,
    ideal: Tensor,
    silent_fraction: float,
    saturated_fraction: float | None,
) -> dict[str, float]:
    """The fidelity fields of one projection of an error (N rows).

    `optical_ternary` is the recovered projection of the ternarised error, `optical` the signal
    delivered (the error's mean restored, rescaled as the projector is set); `ideal_ternary`
    and `ideal` are the noiseless projections (a perfect camera, the same linear map) of the
    ternarised error and of the error itself. `projection_cosine` and `projection_norm_ratio`
    say what the camera costs, `projection_cosine_unternarised` what ternarisation adds.
    `silent_outputs` is the fraction of outputs the projection always silences (a dark
    measured anchor), `saturated_pixels` the fraction of this projection's pixel readings above
    the camera's full well (None: the device does not report it, and the field is left out).
    """
    fidelity = {
        "projection_cosine": mean_row_cosine(optical_ternary, ideal_ternary),
        "projection_norm_ratio": mean_norm_ratio(optical_ternary, ideal_ternary),
        "projection_cosine_unternarised": mean_row_cosine(optical, ideal),
        "silent_outputs": silent_fraction,
    }
    if saturated_fraction is not None:
        fidelity["saturated_pixels"] = saturated_fraction
    return fidelity


def repeat_fidelity(
    first: Tensor, second: Tensor, silent_fraction: float, saturated_fraction: float | None
) -> dict[str, float]:
    """The fidelity fields of one projection, estimated without the noiseless reference (a real
    OPU's T is unknown) from two projections of the same ternarised error (N rows).

    With independent noise, `first = s + n1` and `second = s + n2` give `first . second ~ |s|^2`,
    so `cos(first, s) ~ |s| / |first| ~ sqrt(cos(first, second))` and `|first| / |s| ~
    1 / sqrt(cos(first, second))`, averaged over rows whose two projections agree in sign. A
    systematic error (saturation, a non-linear camera) counts as signal, and the ternarisation's
    share cannot be had without T, so there is no `projection_cosine_unternarised`.
    `saturated_fraction` None: the device does not report it.
    """
    first, second = first.double(), second.double()
    norms = first.norm(dim=1) * second.norm(dim=1)
    agreement = torch.where(norms > 0, (first * second).sum(dim=1) / norms, 0)
    kept = agreement > 0
    fidelity = {"silent_outputs": silent_fraction}
    if saturated_fraction is not None:
        fidelity["saturated_pixels"] = saturated_fraction
    if not kept.any():
        return fidelity | {"projection_cosine": float("nan"), "projection_norm_ratio": float("nan")}
    return fidelity | {
        "projection_cosine": float(agreement[kept].sqrt().mean()),
        "projection_norm_ratio": float(agreement[kept].rsqrt().mean()),
    }
