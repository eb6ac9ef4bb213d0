import pytest
import torch

from odfa.optics.build import build_optical_projector
from tests.optics.opu_stand_in import use_stand_in

SETTINGS = {
    "backend": "simulated",
    "seed": 4,
    "noise_seed": 5,
    "anchor_pixels": None,
    "threshold": 0.1,
    "relative_threshold": True,
    "camera": {"bits": 10},
    "device": "cpu",
}


def test_factory_builds_a_seeded_projector():
    projector = build_optical_projector(32, 16, SETTINGS)
    device = projector.projection.device
    assert (device.n_inputs, device.n_outputs) == (64, 16)
    assert device.camera.config.bits == 10
    error = torch.randn(2, 32, generator=torch.Generator().manual_seed(0))
    assert torch.equal(projector(error), build_optical_projector(32, 16, SETTINGS)(error))
    ideal = build_optical_projector(32, 16, {**SETTINGS, "camera": "ideal", "anchor_pixels": 8})
    assert ideal.projection.device.camera.config.is_ideal
    assert ideal.projection.n_anchor == 8


def test_factory_lightonml_backend():
    pytest.importorskip("lightonml")
    projector = build_optical_projector(16, 8, {**SETTINGS, "backend": "lightonml"})
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
        build_optical_projector(8, 4, {**SETTINGS, **override})


def test_factory_names_missing_keys():
    settings = {key: value for key, value in SETTINGS.items() if key != "noise_seed"}
    with pytest.raises(ValueError, match="noise_seed"):
        build_optical_projector(8, 4, settings)


def test_factory_passes_mode_and_precision():
    settings = {
        "backend": "simulated",
        "seed": 0,
        "noise_seed": 0,
        "anchor_pixels": None,
        "threshold": 0.1,
        "relative_threshold": True,
        "camera": "ideal",
        "device": "cpu",
    }
    default = build_optical_projector(8, 4, settings).projection.device
    assert (default.mode, default.precision) == ("dense", "float32")
    chosen = {**settings, "mode": "streamed", "precision": "bfloat16"}
    device = build_optical_projector(8, 4, chosen).projection.device
    assert (device.mode, device.precision) == ("streamed", "bfloat16")
    with pytest.raises(ValueError, match="simulated backend only"):
        build_optical_projector(8, 4, {**chosen, "backend": "lightonml"})


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
    with pytest.raises(ValueError, match=message):
        build_optical_projector(8, 4, {**SETTINGS, **override})


def test_factory_drives_a_real_opu_on_the_stand_in(monkeypatch):
    """simulated: false: the OPU's counts as read, its T unknown, fidelity from a repeat."""
    pytest.importorskip("lightonml")
    use_stand_in(monkeypatch)
    settings = {**SETTINGS, "backend": "lightonml", "simulated": False, "fidelity_every": 1}
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
    settings = {**SETTINGS, "backend": "lightonml", "simulated": False}
    once = build_optical_projector(32, 64, settings)
    twice = build_optical_projector(32, 64, {**settings, "exposures": 2})
    errors = torch.randn(4, 32, generator=torch.Generator().manual_seed(0))
    shown = [projector.frames_displayed for projector in (once, twice)]
    once(errors), twice(errors)
    assert twice.frames_displayed - shown[1] == 2 * (once.frames_displayed - shown[0])
    anchor = twice.projection.anchor_intensity  # mean of two readings of fresh noise
    assert not torch.equal(anchor, anchor.round())
