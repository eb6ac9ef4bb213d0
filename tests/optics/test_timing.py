import pytest

from odfa.optics.timing import FrameRateModel


def test_reference_resolution_runs_at_reference_rate():
    assert FrameRateModel().frame_rate_hz(10**6, 2 * 10**5) == pytest.approx(340.0)


def test_small_frames_are_capped_at_max_rate():
    assert FrameRateModel().frame_rate_hz(1000, 500) == 1500.0


def test_rate_follows_the_larger_side_with_exponent():
    model = FrameRateModel(exponent=0.5)
    assert model.frame_rate_hz(100, 4 * 10**6) == pytest.approx(170.0)


def test_modelled_seconds_adds_frames_and_bytes():
    model = FrameRateModel(link_bytes_per_s=1000.0)
    # 1e6 inputs -> 125000 bytes in, 10 bytes out per frame; 340 Hz.
    expected = 34 / 340.0 + 34 * (125000 + 10) / 1000.0
    assert model.modelled_seconds(34, 10**6, 10) == pytest.approx(expected)
    # 9 inputs round up to 2 bytes.
    assert FrameRateModel(link_bytes_per_s=1.0).modelled_seconds(3, 9, 4) == pytest.approx(
        3 / 1500 + 3 * 6
    )


@pytest.mark.parametrize("field", ["reference_rate_hz", "exponent", "link_bytes_per_s"])
def test_non_positive_settings_raise(field):
    with pytest.raises(ValueError, match=field):
        FrameRateModel(**{field: 0.0})
