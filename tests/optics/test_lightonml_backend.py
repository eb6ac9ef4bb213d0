import sys

import pytest
import torch

from odfa.optics.camera import CameraConfig
from odfa.optics.device import SimulatedOPU
from odfa.optics.lightonml_backend import LightonmlHardwareOPU, LightonmlOPU
from tests.optics.opu_stand_in import use_stand_in


def test_agrees_with_simulated_opu_on_the_same_matrix():
    pytest.importorskip("lightonml")
    lightonml_opu = LightonmlOPU(96, 40, seed=5, camera=CameraConfig.ideal())
    simulated = SimulatedOPU.from_matrix(lightonml_opu.transmission_matrix(), CameraConfig.ideal())
    frames = (torch.rand(12, 96, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    expected = simulated.intensity(frames)
    result = lightonml_opu.intensity(frames)
    assert result.dtype == torch.float32 and result.shape == (12, 40)
    torch.testing.assert_close(result, expected, rtol=1e-4, atol=1e-5)
    assert lightonml_opu.frames_displayed == 12
    x = frames[:, :60]  # its anchored frames, in a buffer of the caller's
    out = torch.empty(24, 40)
    assert lightonml_opu.anchored_raw_intensity(x, out) is out
    torch.testing.assert_close(out, simulated.anchored_raw_intensity(x), rtol=1e-4, atol=1e-5)
    matrix = lightonml_opu.transmission_matrix()
    assert matrix.dtype == torch.complex64
    assert matrix.real.std().item() == pytest.approx(96**-0.5, rel=0.1)


def test_rejects_non_binary_frames():
    pytest.importorskip("lightonml")
    opu = LightonmlOPU(4, 3, seed=0, camera=CameraConfig.ideal())
    with pytest.raises(ValueError, match=r"\[2\.0\]"):
        opu.intensity(torch.tensor([[0.0, 1.0, 2.0, 1.0]]))


def test_missing_lightonml_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "lightonml", None)
    expected = 'pip install --no-deps lightonml==1.4.3 numexpr requests attrs "setuptools<81"'
    with pytest.raises(ImportError) as caught:
        LightonmlOPU(4, 3, seed=0, camera=CameraConfig.ideal())
    assert expected in str(caught.value)


def test_a_real_opu_missing_is_said_with_the_way_back():
    pytest.importorskip("lightonml")
    with pytest.raises(RuntimeError, match=r"optics\.simulated: false drives a real LightOn OPU"):
        LightonmlHardwareOPU(8, 4, headroom=0.9)


def test_hardware_counts_are_used_as_read(monkeypatch):
    pytest.importorskip("lightonml")
    use_stand_in(monkeypatch)
    opu = LightonmlHardwareOPU(24, 16, headroom=0.9)
    frames = (torch.rand(6, 24, generator=torch.Generator().manual_seed(0)) < 0.5).float()
    counts = opu.raw_intensity(frames)
    assert counts.dtype == torch.float32 and counts.shape == (6, 16)
    assert torch.equal(counts, counts.round()) and counts.min() >= 0 and counts.max() <= 255
    assert opu.camera.measure(counts) is counts  # no simulated camera on top of the real one
    assert opu.camera.saturated_pixels == int((counts == 255).sum())
    assert opu.physical and opu.frames_displayed == 6
    with pytest.raises(ValueError, match="unknown"):
        opu.transmission_matrix()


@pytest.mark.parametrize("gain", [0.5, 1e-4])  # the first saturates at 400 us, the second is dark
def test_auto_exposure_puts_the_calibration_peak_at_the_headroom(monkeypatch, gain):
    pytest.importorskip("lightonml")
    from tests.optics import opu_stand_in

    monkeypatch.setattr(opu_stand_in, "COUNTS_PER_INTENSITY_US", gain)
    use_stand_in(monkeypatch)
    opu = LightonmlHardwareOPU(64, 128, headroom=0.8)
    anchor = torch.zeros(1, 64)
    anchor[:, 32:] = 1
    opu.calibrate_exposure(anchor)
    peak = float(opu.raw_intensity(anchor).max())
    assert 0.6 * 255 <= peak < 255, peak


def test_frames_beyond_the_dmd_are_refused_with_its_size(monkeypatch):
    pytest.importorskip("lightonml")
    use_stand_in(monkeypatch, input_shape=(8, 4))
    with pytest.raises(ValueError, match=r"8 x 4 = 32 features.*40"):
        LightonmlHardwareOPU(40, 4, headroom=0.9)
    with pytest.raises(ValueError, match=r"1140 x 912 = 1039680 features.*1039681"):
        LightonmlOPU(1140 * 912 + 1, 4, seed=0, camera=CameraConfig.ideal())


def test_lightonml_seeds_are_numpys():
    pytest.importorskip("lightonml")
    with pytest.raises(ValueError, match="RandomState"):
        LightonmlOPU(4, 3, seed=2**32, camera=CameraConfig.ideal())
