"""The portable elementary functions agree with numpy's to the last bit or two."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from odfa.data.synthetic.portable_math import exp, gaussian_kernel, gaussian_smooth, sin_cos


def test_exp_is_within_two_ulps_of_numpys_from_underflow_to_overflow():
    values = np.linspace(-700.0, 700.0, 100_001)
    assert np.max(np.abs(exp(values) / np.exp(values) - 1.0)) <= 4.5e-16
    assert exp(np.array([-1e6, 0.0]))[0] == 0.0 and exp(np.array([0.0]))[0] == 1.0


def test_sine_and_cosine_are_within_two_ulps_of_numpys_in_every_quadrant():
    radians = np.linspace(-20.0, 20.0, 100_001)
    sine, cosine = sin_cos(radians)
    assert np.max(np.abs(sine - np.sin(radians))) <= 2.3e-16
    assert np.max(np.abs(cosine - np.cos(radians))) <= 2.3e-16
    assert sin_cos(np.array([np.pi / 2]))[0][0] == 1.0


@pytest.mark.parametrize("sigma", [0.7, 1.5, 3.2])
def test_smoothing_is_scipys_gaussian_filter(sigma):
    assert gaussian_kernel(sigma).sum() == pytest.approx(1.0, abs=1e-15)
    field = np.random.default_rng(0).standard_normal((2, 9, 14))
    sigmas, modes = (0.0, sigma, 2 * sigma), ("nearest", "nearest", "wrap")
    expected = gaussian_filter(field, sigma=sigmas, mode=modes)
    np.testing.assert_allclose(gaussian_smooth(field, sigmas, modes), expected, atol=1e-14)
