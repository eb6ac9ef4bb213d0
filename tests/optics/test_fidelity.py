"""The fidelity of the optical projection: measured against the noiseless projection of the
same error, every N projections, kept across a resume."""

from __future__ import annotations

import math

import pytest
import torch

from odfa.optics.build import build_optical_projector
from odfa.optics.fidelity import mean_norm_ratio, mean_row_cosine, repeat_fidelity
from odfa.optics.settings import OpticsSettings
from odfa.optics.ternary import split_signs, ternarize
from tests.optics.test_build import optics

MEASURED = {"threshold": 0.3, "camera": {"bits": 8}, "fidelity_every": 1}  # every projection


def measuring(**overrides: object) -> OpticsSettings:
    """The optics of these tests: an 8-bit camera, the fidelity measured at every projection."""
    return optics(**MEASURED | overrides)


def _softmax_errors(rows: int, width: int) -> torch.Tensor:
    """Errors as a softmax output minus a one-hot target, the shape of a classifier's."""
    generator = torch.Generator().manual_seed(0)
    probabilities = torch.randn(rows, width, generator=generator).mul(2).softmax(dim=1)
    targets = torch.randint(width, (rows,), generator=generator)
    return probabilities - torch.nn.functional.one_hot(targets, width)


def test_row_cosines_and_norm_ratios_leave_out_zero_rows():
    measured = torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    reference = torch.tensor([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    assert mean_row_cosine(measured, reference) == pytest.approx((math.sqrt(0.5) + 1) / 2)
    assert mean_norm_ratio(measured, reference) == pytest.approx((1 / math.sqrt(2) + 2 + 0) / 3)
    assert math.isnan(mean_row_cosine(torch.zeros(2, 2), reference[:2]))


def test_an_ideal_camera_is_faithful_and_a_real_one_costs_fidelity():
    errors = _softmax_errors(64, 256)
    ideal = build_optical_projector(256, 128, measuring(camera="ideal"))
    ideal(errors)
    assert ideal.fidelity["projection_cosine"] == pytest.approx(1.0, abs=1e-4)
    assert ideal.fidelity["projection_norm_ratio"] == pytest.approx(1.0, abs=1e-3)
    assert 0.5 < ideal.fidelity["projection_cosine_unternarised"] < 0.999  # ternarisation
    assert ideal.fidelity["silent_outputs"] == 0.0
    camera = build_optical_projector(256, 128, measuring())
    camera(errors)
    assert camera.fidelity["projection_cosine"] < 0.95  # 8 bits, shot and read noise
    assert camera.fidelity["projection_norm_ratio"] > 1.0  # noise adds energy
    assert 0.0 <= camera.fidelity["silent_outputs"] < 0.2


def test_fidelity_is_measured_every_n_projections_and_resumes():
    projector = build_optical_projector(32, 16, measuring(fidelity_every=2))
    errors = _softmax_errors(8, 32)
    projector(errors)
    assert projector.fresh_fidelity == {} and projector.fidelity == {}
    projector(errors)
    measured = projector.fresh_fidelity
    assert set(measured) == {
        "projection_cosine",
        "projection_norm_ratio",
        "projection_cosine_unternarised",
        "silent_outputs",
        "saturated_pixels",
    }
    state = projector.state_dict()
    projector(errors)
    assert projector.fresh_fidelity == {} and projector.fidelity == measured  # the latest kept
    resumed = build_optical_projector(32, 16, measuring(fidelity_every=2))
    resumed.load_state_dict(state)
    assert resumed.fresh_fidelity == measured and resumed.projections == 2


def test_fidelity_off_measures_nothing():
    projector = build_optical_projector(32, 16, measuring(fidelity_every=0))
    projector(_softmax_errors(8, 32))
    assert projector.fidelity == {} and projector.fidelity_measured_at == 0


def test_the_anchor_exposure_and_floored_normalisation_recover_what_the_camera_lost():
    errors = _softmax_errors(64, 1016)
    fidelity = {}
    for frame, normalisation in (("all_on", "per_output"), ("anchor", "floored")):
        settings = measuring(exposure_frame=frame, anchor_normalisation=normalisation)
        projector = build_optical_projector(1016, 128, settings)
        projector(errors)
        fidelity[frame] = projector.fidelity
    assert fidelity["all_on"]["projection_cosine"] < 0.7  # a third to a half camera noise
    assert fidelity["all_on"]["silent_outputs"] > 0.01
    assert fidelity["anchor"]["projection_cosine"] > 0.8
    assert fidelity["anchor"]["silent_outputs"] == 0.0
    assert fidelity["anchor"]["saturated_pixels"] < 0.01


def test_fidelity_never_builds_t_so_a_streamed_opu_too_big_to_hold_it_is_measured(monkeypatch):
    from odfa.optics import device

    monkeypatch.setattr(device, "MAX_MATERIALISED_BYTES", 1024)  # T of 32+32 x 16 would not fit
    projector = build_optical_projector(32, 16, measuring(mode="streamed"))
    with pytest.raises(ValueError, match="would need"):
        projector.projection.device.transmission_matrix()
    projector(_softmax_errors(8, 32))
    assert 0.0 < projector.fidelity["projection_cosine"] <= 1.0


def test_repeat_fidelity_is_the_square_root_of_two_readings_agreement():
    signal = torch.tensor([[3.0, 4.0], [1.0, 0.0], [1.0, 0.0]])
    second = torch.tensor([[3.0, 4.0], [1.0, 1.0], [-1.0, 0.0]])  # last row disagrees: left out
    fidelity = repeat_fidelity(signal, second, 0.0, None)
    agreement = 1 / math.sqrt(2)
    assert fidelity["projection_cosine"] == pytest.approx((1 + agreement**0.5) / 2)
    assert fidelity["projection_norm_ratio"] == pytest.approx((1 + agreement**-0.5) / 2)
    assert "saturated_pixels" not in fidelity and "projection_cosine_unternarised" not in fidelity


@pytest.mark.parametrize("n_features, n_outputs", [(10, 256), (1016, 128)])
def test_repeat_fidelity_agrees_with_the_noiseless_reference(n_features, n_outputs):
    """What a real OPU reports without T matches what the simulator measures with it."""
    errors = _softmax_errors(64, n_features)
    projector = build_optical_projector(n_features, n_outputs, measuring())
    projector(errors)
    positive, negative = split_signs(ternarize(errors, 0.3, relative=True))
    first, second = (projector.projection.project(torch.cat([positive, negative])) for _ in "ab")
    estimate = repeat_fidelity(first[:64] - first[64:], second[:64] - second[64:], 0.0, None)
    fields = projector.fidelity
    assert estimate["projection_cosine"] == pytest.approx(fields["projection_cosine"], abs=0.02)
    assert estimate["projection_norm_ratio"] == pytest.approx(
        fields["projection_norm_ratio"], rel=0.03
    )
