import pytest
import torch

from odfa.optics.camera import CameraConfig
from odfa.optics.device import SimulatedOPU, check_binary_frames


def binary_frames(n: int, width: int, seed: int = 0) -> torch.Tensor:
    return (torch.rand(n, width, generator=torch.Generator().manual_seed(seed)) < 0.5).float()


def test_non_binary_frames_name_the_bad_values():
    frames = torch.tensor([[0.0, 1.0, 0.5], [2.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match=r"binary.*\[0\.5, 2\.0\]"):
        check_binary_frames(frames)
    opu = SimulatedOPU(3, 4, seed=0, camera=CameraConfig.ideal())
    with pytest.raises(ValueError, match=r"0\.5, 2\.0"):
        opu.intensity(frames)


def test_wrong_width_raises():
    opu = SimulatedOPU(10, 4, seed=0, camera=CameraConfig.ideal())
    with pytest.raises(ValueError, match=r"\(N, 10\).*\(2, 9\)"):
        opu.intensity(binary_frames(2, 9))


def test_seeded_matrix_is_reproducible():
    camera = CameraConfig.ideal()
    first = SimulatedOPU(20, 30, seed=7, camera=camera).transmission_matrix()
    assert torch.equal(first, SimulatedOPU(20, 30, seed=7, camera=camera).transmission_matrix())
    assert not torch.equal(first, SimulatedOPU(20, 30, seed=8, camera=camera).transmission_matrix())


def test_matrix_statistics():
    n_inputs = 400
    matrix = SimulatedOPU(n_inputs, 500, seed=0, camera=CameraConfig.ideal()).transmission_matrix()
    assert matrix.dtype == torch.complex64 and matrix.shape == (n_inputs, 500)
    for part in (matrix.real, matrix.imag):
        assert part.mean().abs() < 5 * n_inputs**-0.5 / part.numel() ** 0.5  # 5 standard errors
        assert part.std().item() == pytest.approx(n_inputs**-0.5, rel=0.02)


def test_ideal_intensity_is_squared_modulus_and_frames_are_counted():
    opu = SimulatedOPU(64, 48, seed=3, camera=CameraConfig.ideal())
    frames = binary_frames(5, 64)
    intensity = opu.intensity(frames)
    expected = (frames.to(torch.complex64) @ opu.transmission_matrix()).abs().square()
    assert intensity.dtype == torch.float32 and intensity.shape == (5, 48)
    torch.testing.assert_close(intensity, expected, rtol=1e-5, atol=1e-6)
    opu.raw_intensity(binary_frames(3, 64))
    assert opu.frames_displayed == 8


def test_from_matrix_uses_the_given_matrix():
    source = SimulatedOPU(16, 8, seed=1, camera=CameraConfig.ideal())
    copy = SimulatedOPU.from_matrix(source.transmission_matrix(), CameraConfig.ideal())
    frames = binary_frames(4, 16)
    assert torch.equal(copy.intensity(frames), source.intensity(frames))
    with pytest.raises(ValueError, match="complex"):
        SimulatedOPU.from_matrix(torch.ones(16, 8), CameraConfig.ideal())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    cpu = SimulatedOPU(32, 16, seed=2, camera=CameraConfig.ideal())
    cuda = SimulatedOPU(32, 16, seed=2, camera=CameraConfig.ideal(), device="cuda")
    frames = binary_frames(4, 32)
    result = cuda.intensity(frames.cuda())
    assert result.device.type == "cuda"
    torch.testing.assert_close(result.cpu(), cpu.intensity(frames), rtol=1e-4, atol=1e-5)
