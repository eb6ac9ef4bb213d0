import sys

import pytest
import torch

from odfa.optics.camera import CameraConfig
from odfa.optics.device import SimulatedOPU
from odfa.optics.lightonml_backend import LightonmlOPU


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
