"""The optical projector built from the `optics` settings, and the settings it refuses."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from odfa.errors import ConfigError
from odfa.optics.build import build_optical_projector
from odfa.optics.settings import OpticsSettings
from tests.optics.opu_stand_in import use_stand_in

SETTINGS = {
    "backend": "simulated",
    "seed": 4,
    "noise_seed": 5,
    "anchor_pixels": None,
    "threshold": 0.1,
    "relative_threshold": True,
    "camera": {"bits": 10},
    "timing": {},
    "fidelity_every": 0,
}


def optics(**overrides: Any) -> OpticsSettings:
    """SETTINGS with `overrides`, validated as a config's `optics` section is."""
    return OpticsSettings.from_settings(SETTINGS | overrides)


def test_factory_builds_a_seeded_projector():
    projector = build_optical_projector(32, 16, optics())
    device = projector.projection.device
    assert (device.n_inputs, device.n_outputs) == (64, 16)
    assert device.camera.config.bits == 10
    error = torch.randn(2, 32, generator=torch.Generator().manual_seed(0))
    assert torch.equal(projector(error), build_optical_projector(32, 16, optics())(error))
    ideal = build_optical_projector(32, 16, optics(camera="ideal", anchor_pixels=8))
    assert ideal.projection.device.camera.config.is_ideal
    assert ideal.projection.n_anchor == 8


def test_factory_lightonml_backend():
    pytest.importorskip("lightonml")
    projector = build_optical_projector(16, 8, optics(backend="lightonml"))
    assert projector(torch.randn(2, 16)).shape == (2, 8)


@pytest.mark.parametrize(
    "override, message",
    [
        ({"backend": "hologram"}, r"'hologram'.*simulated.*lightonml"),
        ({"camera": {"bitz": 8}}, "bitz"),
        ({"camera": "perfect"}, "perfect"),
        ({"threshold": 1.5}, "1.5"),
    ],
)
def test_factory_rejects_bad_settings(override, message):
    with pytest.raises(ValueError, match=message):
        build_optical_projector(8, 4, optics(**override))


def test_factory_passes_mode_and_precision():
    default = build_optical_projector(8, 4, optics(camera="ideal")).projection.device
    assert (default.mode, default.precision) == ("dense", "float32")
    chosen = {"camera": "ideal", "mode": "streamed", "precision": "bfloat16"}
    device = build_optical_projector(8, 4, optics(**chosen)).projection.device
    assert (device.mode, device.precision) == ("streamed", "bfloat16")
    with pytest.raises(ConfigError, match="simulated backend only"):
        build_optical_projector(8, 4, optics(**chosen, backend="lightonml"))


@pytest.mark.parametrize(
    "override, message",
    [
        ({"simulated": False}, "real OPU through lightonml: set optics backend to lightonml"),
        ({"recovery": "linear_transform"}, "lightonml's own: set optics backend to lightonml"),
        ({"recovery": "fourier"}, r"'fourier'.*anchor.*linear_transform"),
        (
            {"backend": "lightonml", "recovery": "linear_transform", "exposures": 2},
            "anchor recovery only",
        ),
    ],
)
def test_factory_rejects_settings_that_need_lightonml(override, message):
    with pytest.raises(ConfigError, match=message):
        build_optical_projector(8, 4, optics(**override))


def test_factory_drives_a_real_opu_on_the_stand_in(monkeypatch):
    """simulated: false: the OPU's counts as read, its T unknown, fidelity from a repeat."""
    pytest.importorskip("lightonml")
    use_stand_in(monkeypatch)
    settings = optics(backend="lightonml", simulated=False, fidelity_every=1)
    projector = build_optical_projector(32, 64, settings)
    projection = projector.projection
    assert projection.device.physical and projection.device.camera.headroom == 0.9
    calibration_frames = projector.frames_displayed
    errors = torch.randn(4, 32, generator=torch.Generator().manual_seed(0))
    assert projector(errors).shape == (4, 64)
    assert projector.frames_displayed - calibration_frames == 2 * (2 * 2 * 4)  # and the repeat
    assert 0.5 < projector.fidelity["projection_cosine"] <= 1.0
    assert "projection_cosine_unternarised" not in projector.fidelity
    assert projector.state_dict()["camera"] == {}


def test_exposures_show_a_real_opus_frames_again(monkeypatch):
    pytest.importorskip("lightonml")
    use_stand_in(monkeypatch)
    settings = {"backend": "lightonml", "simulated": False}
    once = build_optical_projector(32, 64, optics(**settings))
    twice = build_optical_projector(32, 64, optics(**settings, exposures=2))
    errors = torch.randn(4, 32, generator=torch.Generator().manual_seed(0))
    shown = [projector.frames_displayed for projector in (once, twice)]
    once(errors), twice(errors)
    assert twice.frames_displayed - shown[1] == 2 * (once.frames_displayed - shown[0])
    anchor = twice.projection.anchor_intensity  # mean of two readings of fresh noise
    assert not torch.equal(anchor, anchor.round())


def test_the_signal_normalisation_reaches_the_projector():
    camera = build_optical_projector(16, 8, optics(signal_normalisation="camera"))
    assert camera.normalisation == "camera"
    assert build_optical_projector(16, 8, optics()).normalisation == "error_norm"
