"""exp, sin, cos and Gaussian smoothing from + - * / alone: the same bits on every CPU.

numpy's float64 exp, sin and cos run vectorised code chosen for the CPU at run time (AVX-512
has its own), whose last bits differ from one CPU to another, and scipy's Gaussian kernel is
built with numpy's exp. Each basic IEEE operation is correctly rounded everywhere, so functions
built from them alone, in a fixed order, make generated data byte-identical on every machine.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import correlate1d

LN2_HIGH, LN2_LOW = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # ln 2 = HIGH + LOW
HALF_PI_HIGH, HALF_PI_LOW = 1.57079632673412561417e00, 6.07710050650619224932e-11
TAYLOR_TERMS = 18  # the remainder of each series is below 1e-17 on its reduced range
TRUNCATE = 4.0  # kernel half-width in standard deviations, as scipy's gaussian_filter


def _taylor(reduced: np.ndarray, first: int, terms: int) -> np.ndarray:
    """sum over n of reduced^n / n!, for n = first, first + 2, ... (first + 2 terms - 2),
    by Horner's rule."""
    square = reduced * reduced
    total = np.ones_like(reduced)
    for n in range(first + 2 * terms - 2, first, -2):
        total = 1.0 - square * total / (n * (n - 1))
    return total * reduced if first == 1 else total


def exp(values: np.ndarray) -> np.ndarray:
    """e ** values: values = k ln 2 + r with |r| <= ln 2 / 2, then 2 ** k times exp(r)."""
    values = np.maximum(np.asarray(values, dtype=np.float64), -800.0)  # exp(-800) is 0.0
    k = np.rint(values / (LN2_HIGH + LN2_LOW))
    reduced = (values - k * LN2_HIGH) - k * LN2_LOW
    total = np.ones_like(reduced)
    for n in range(TAYLOR_TERMS, 0, -1):
        total = 1.0 + reduced * total / n
    return np.ldexp(total, k.astype(np.int64))


def sin_cos(radians: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos: radians = k pi/2 + r with |r| <= pi/4, then the series of r by quadrant."""
    radians = np.asarray(radians, dtype=np.float64)
    k = np.rint(radians / (HALF_PI_HIGH + HALF_PI_LOW))
    reduced = (radians - k * HALF_PI_HIGH) - k * HALF_PI_LOW
    sine = _taylor(reduced, 1, TAYLOR_TERMS // 2)
    cosine = _taylor(reduced, 0, TAYLOR_TERMS // 2)
    quadrant = k.astype(np.int64) % 4
    return (
        np.choose(quadrant, [sine, cosine, -sine, -cosine]),
        np.choose(quadrant, [cosine, -sine, -cosine, sine]),
    )


def gaussian_kernel(sigma: float) -> np.ndarray:
    """The normalised Gaussian weights scipy's gaussian_filter uses, from this module's exp."""
    radius = int(TRUNCATE * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = exp(-0.5 / (sigma * sigma) * offsets * offsets)
    return weights / weights.sum()


def gaussian_smooth(
    field: np.ndarray, sigmas: tuple[float, ...], modes: tuple[str, ...]
) -> np.ndarray:
    """`field` smoothed along every axis whose sigma is positive, each with its boundary mode."""
    smoothed = np.asarray(field, dtype=np.float64)
    for axis, (sigma, mode) in enumerate(zip(sigmas, modes, strict=True)):
        if sigma > 0:
            smoothed = correlate1d(smoothed, gaussian_kernel(sigma), axis=axis, mode=mode)
    return smoothed
