import pytest
import torch

from odfa.optics.camera import Camera, CameraConfig


def intensities(seed: int = 0) -> torch.Tensor:
    return torch.rand(16, 200, generator=torch.Generator().manual_seed(seed)) * 5


def test_ideal_camera_is_identity_without_calibration():
    intensity = intensities()
    assert torch.equal(Camera(CameraConfig.ideal()).measure(intensity), intensity)


def test_quantisation_levels_and_error():
    config = CameraConfig(bits=4, shot_noise=False, read_noise_electrons=0.0)
    camera = Camera(config)
    intensity = intensities()
    camera.calibrate(intensity)
    measured = camera.measure(intensity)
    assert measured.unique().numel() <= 2**4
    step = config.full_well_electrons / (2**4 - 1) / camera.exposure
    assert (measured - intensity).abs().max() <= step / 2 * (1 + 1e-5)


def test_saturation_clips_pixels_brighter_than_calibration():
    camera = Camera(CameraConfig(shot_noise=False, read_noise_electrons=0.0, quantize=False))
    camera.calibrate(torch.tensor([[1.0, 2.0]]))
    measured = camera.measure(torch.tensor([[1.0, 10.0]]))
    full_scale = 2.0 / 0.9
    assert measured[0, 0] == pytest.approx(1.0)
    assert measured[0, 1] == pytest.approx(full_scale)
    assert (camera.saturated_pixels, camera.pixels_read) == (1, 2)
    camera.measure(torch.tensor([[1.0, 0.5]]))  # none saturates
    camera.measure(torch.tensor([[5.0, 10.0], [3.0, 0.0]]))
    assert (camera.saturated_pixels, camera.pixels_read) == (4, 8)
    camera.measure(torch.zeros(0, 2))
    assert camera.pixels_read == 8


def test_measuring_leaves_the_intensities_it_was_given_alone():
    camera = Camera(CameraConfig(bits=6))
    camera.calibrate(torch.tensor([[1.0, 2.0]]))
    intensity = torch.tensor([[0.5, 4.0]])
    camera.measure(intensity)
    assert torch.equal(intensity, torch.tensor([[0.5, 4.0]]))


def test_a_reading_made_in_place_equals_one_made_apart_and_readings_never_share_memory():
    intensity = intensities()
    apart, in_place = Camera(CameraConfig(), seed=1), Camera(CameraConfig(), seed=1)
    for camera in (apart, in_place):
        camera.calibrate(intensity)
    given = intensity.clone()
    reading = in_place.measure(given, overwrite=True)
    assert reading.data_ptr() == given.data_ptr()
    assert torch.equal(reading, apart.measure(intensity))
    first = apart.measure(intensity)
    kept = first.clone()
    apart.measure(intensity)  # its noise is drawn where the first reading's was
    assert torch.equal(first, kept)


def test_noise_is_seeded():
    intensity = intensities()

    def measure(seed: int) -> torch.Tensor:
        camera = Camera(CameraConfig(), seed=seed)
        camera.calibrate(intensity)
        return camera.measure(intensity)

    assert torch.equal(measure(1), measure(1))
    assert not torch.equal(measure(1), measure(2))
    assert (measure(1) - intensity).abs().mean() > 0


def test_measure_before_calibrate_raises():
    with pytest.raises(RuntimeError, match="calibrate"):
        Camera(CameraConfig()).measure(intensities())


@pytest.mark.parametrize(
    "field, value",
    [("bits", 0), ("headroom", 1.5), ("full_well_electrons", 0.0), ("read_noise_electrons", -1.0)],
)
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        CameraConfig(**{field: value})
