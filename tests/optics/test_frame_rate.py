"""The MODELLED cost of the optics: lightonml's frame time for small frames, the study's 340 Hz
at full resolution, the published power for energy, and a clear error for a bad setting."""

import pytest

from odfa.optics.frame_rate import FrameRateModel


def test_the_full_resolution_runs_at_the_studys_rate():
    assert FrameRateModel().frame_rate_hz(2 * 10**6) == pytest.approx(340.0)


def test_small_frames_run_at_lightonmls_frame_time():
    assert FrameRateModel().frame_rate_hz(10_000) == pytest.approx(2000.0)  # 500 us


def test_between_the_two_the_camera_reads_pixels_at_the_full_resolutions_rate():
    model = FrameRateModel()
    assert model.frame_rate_hz(10**6) == pytest.approx(680.0)
    switch = model.readout_pixels_per_s / 2000.0  # 340,000 pixels: where the two meet
    assert model.frame_rate_hz(round(switch)) == pytest.approx(2000.0, rel=1e-5)


def test_modelled_seconds_are_frames_over_the_rate_and_joules_the_power_times_seconds():
    model = FrameRateModel(power_w=30.0)
    assert model.modelled_seconds(34, 2 * 10**6) == pytest.approx(0.1)
    assert model.modelled_seconds(4, 512) == pytest.approx(0.002)
    assert model.modelled_joules(0.002) == pytest.approx(0.06)


@pytest.mark.parametrize(
    "field", ["frame_time_us", "full_resolution_rate_hz", "full_resolution_outputs", "power_w"]
)
@pytest.mark.parametrize("value", [0.0, -1.0, "fast"])
def test_a_bad_setting_is_a_clear_error(field, value):
    with pytest.raises(ValueError, match=rf"optics.timing.{field} must be a number > 0"):
        FrameRateModel(**{field: value})
