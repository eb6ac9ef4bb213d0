import pytest
import scipy.stats
import torch
from torch.nn.functional import cosine_similarity

from odfa.optics.camera import CameraConfig
from odfa.optics.device import SimulatedOPU
from odfa.optics.frame_rate import FrameRateModel
from odfa.optics.projection import (
    ONES_FRAMES,
    SIGNAL_NORMALISATIONS,
    OpticalLinearProjection,
    TernaryOpticalProjector,
)
from odfa.optics.ternary import ternarize


def make_projection(
    n_features: int,
    n_outputs: int,
    n_anchor: int,
    camera: CameraConfig,
    seed: int = 0,
    **options: object,
) -> OpticalLinearProjection:
    opu = SimulatedOPU(n_features + n_anchor, n_outputs, seed=seed, camera=camera, noise_seed=1)
    return OpticalLinearProjection(opu, n_features, n_anchor, **options)


def binary(n: int, width: int, density: float = 0.5, seed: int = 0) -> torch.Tensor:
    return (torch.rand(n, width, generator=torch.Generator().manual_seed(seed)) < density).float()


def test_ideal_projection_is_linear_in_x():
    projection = make_projection(64, 48, 32, CameraConfig.ideal())
    x = binary(10, 64)
    expected = x @ projection.effective_matrix()
    result = projection.project(x)
    assert result.shape == (10, 48) and result.dtype == torch.float32
    torch.testing.assert_close(result, expected, rtol=0, atol=1e-4 * expected.abs().max().item())


def test_per_output_normalisation_gives_a_zero_mean_unit_gaussian_matrix():
    projection = make_projection(512, 512, 512, CameraConfig.ideal(), normalisation="per_output")
    matrix = projection.effective_matrix()
    assert matrix.shape == (512, 512) and not matrix.is_complex()
    assert matrix.mean().abs() < 0.02
    assert matrix.std().item() == pytest.approx(1.0, abs=0.1)
    kurtosis = scipy.stats.kurtosis((matrix / matrix.std()).flatten().numpy(), fisher=False)
    assert kurtosis == pytest.approx(3.0, abs=0.3)


def test_rms_normalisation_weights_each_output_by_its_anchor_amplitude():
    per_output = make_projection(512, 512, 512, CameraConfig.ideal(), normalisation="per_output")
    rms = make_projection(512, 512, 512, CameraConfig.ideal(), normalisation="rms")
    amplitude = rms.anchor_intensity.sqrt()
    expected = per_output.effective_matrix() * amplitude / amplitude.square().mean().sqrt()
    torch.testing.assert_close(rms.effective_matrix(), expected, rtol=1e-4, atol=1e-5)
    assert rms.effective_matrix().std().item() == pytest.approx(1.0, abs=0.1)  # unit variance
    assert rms.effective_matrix().abs().max(dim=0).values.min() > 0  # no output silenced


def test_floored_normalisation_bounds_the_gain_of_dim_outputs_and_silences_none():
    per_output = make_projection(512, 512, 512, CameraConfig.ideal(), normalisation="per_output")
    floored = make_projection(512, 512, 512, CameraConfig.ideal(), normalisation="floored")
    amplitude = floored.anchor_intensity.sqrt()
    floor = 0.25 * float(amplitude.square().mean().sqrt())
    torch.testing.assert_close(floored.denominator, amplitude.clamp(min=floor) * floored.sigma)
    dim = amplitude < floor
    assert 0 < int(dim.sum()) < 0.15 * len(amplitude)  # a few dim speckle grains
    bright = ~dim
    torch.testing.assert_close(
        floored.effective_matrix()[:, bright], per_output.effective_matrix()[:, bright]
    )


def test_exposure_frame_normalisation_and_exposures_are_checked():
    with pytest.raises(ValueError, match="exposure_frame must be one of"):
        make_projection(8, 4, 8, CameraConfig(), exposure_frame="brightest")
    with pytest.raises(ValueError, match="anchor_normalisation must be one of"):
        make_projection(8, 4, 8, CameraConfig(), normalisation="max")
    with pytest.raises(ValueError, match="exposures must be an integer >= 1; got 0"):
        make_projection(8, 4, 8, CameraConfig(), exposures=0)


def test_the_anchor_exposure_puts_the_anchors_peak_at_the_headroom():
    projection = make_projection(64, 64, 64, CameraConfig(), exposure_frame="anchor")
    camera = projection.device.camera
    peak = float(projection.anchor_intensity.max()) * camera.exposure
    assert peak == pytest.approx(
        camera.config.headroom * camera.config.full_well_electrons, rel=0.05
    )
    all_on = make_projection(64, 64, 64, CameraConfig(), exposure_frame="all_on")
    assert all_on.device.camera.exposure < 0.8 * camera.exposure  # the all-on frame is brighter


def test_repeated_exposures_average_the_noise_and_count_as_frames():
    x = binary(32, 128, density=0.05)
    ideal = make_projection(128, 128, 128, CameraConfig.ideal())
    expected = x @ ideal.effective_matrix()
    errors = {}
    for exposures in (1, 8):
        projection = make_projection(128, 128, 128, CameraConfig(), exposures=exposures)
        before = projection.device.frames_displayed
        errors[exposures] = float((projection.project(x) - expected).norm())
        assert projection.device.frames_displayed - before == 2 * 32 * exposures
    assert errors[8] < 0.85 * errors[1]  # the noise averages; the ADC step does not


def test_realistic_camera_still_projects_linearly():
    projection = make_projection(256, 256, 256, CameraConfig())
    x = binary(32, 256)
    expected = x @ projection.effective_matrix()
    cosine = cosine_similarity(projection.project(x).flatten(), expected.flatten(), dim=0)
    assert cosine > 0.9


def test_frames_are_counted_two_per_vector_plus_calibration():
    projection = make_projection(16, 8, 16, CameraConfig())
    calibration = projection.device.frames_displayed
    assert calibration == 2  # the exposure frame and the anchor
    projection.project(binary(5, 16))
    projection.project(binary(3, 16))
    assert projection.device.frames_displayed == calibration + 2 * 8


def test_wrong_anchor_size_and_non_binary_input_raise():
    opu = SimulatedOPU(20, 8, seed=0, camera=CameraConfig.ideal())
    with pytest.raises(ValueError, match="20"):
        OpticalLinearProjection(opu, 10, 5)
    projection = OpticalLinearProjection(opu, 10, 10)
    with pytest.raises(ValueError, match=r"0\.3"):
        projection.project(torch.full((1, 10), 0.3))


def test_ternary_projector_tracks_the_float_error_projection():
    projection = make_projection(256, 256, 256, CameraConfig())
    projector = TernaryOpticalProjector(projection, threshold=0.1)
    error = torch.randn(8, 256, generator=torch.Generator().manual_seed(3))
    error[2] = 0
    result = projector(error)
    expected = error @ projection.effective_matrix()
    assert torch.equal(result[2], torch.zeros(256))
    rows = [row for row in range(8) if row != 2]
    cosine = cosine_similarity(result[rows], expected[rows], dim=1)
    assert cosine.min() > 0.7
    norm_ratio = result[rows].norm(dim=1) / expected[rows].norm(dim=1)
    assert norm_ratio.min() > 0.7 and norm_ratio.max() < 1.3
    # calibration: the anchor's 2 frames and the all-ones projection's; then 2 x 2 per error
    assert projector.frames_displayed == 2 + 2 * ONES_FRAMES + 2 * 2 * 8


@pytest.mark.parametrize("density", [0.5, 0.01])  # T x by a product, or summed from lit rows
def test_a_projection_is_not_changed_by_the_next(density):
    projection = make_projection(256, 64, 64, CameraConfig())
    projector = TernaryOpticalProjector(projection, threshold=0.1)
    frames = binary(8, 256, density)
    first, signal = projection.project(frames), projector(torch.randn(8, 256))
    kept, kept_signal = first.clone(), signal.clone()
    projection.project(binary(8, 256, density, seed=1))
    projector(torch.randn(8, 256))
    assert torch.equal(first, kept) and torch.equal(signal, kept_signal)


def test_modelled_seconds_uses_frames_so_far():
    projector = TernaryOpticalProjector(make_projection(8, 4, 8, CameraConfig.ideal()), 0.1)
    projector(torch.randn(3, 8, generator=torch.Generator().manual_seed(0)))
    timing = FrameRateModel()
    assert projector.modelled_seconds(timing) == pytest.approx(
        timing.modelled_seconds(2 + 2 * ONES_FRAMES + 12, 4)
    )


def _errors() -> torch.Tensor:
    """Softmax cross-entropy errors (each sums to zero; mostly only the true class passes the
    threshold) and errors with a mean of their own."""
    generator = torch.Generator().manual_seed(5)
    logits = torch.randn(16, 10, generator=generator)
    labels = torch.randint(0, 10, (16,), generator=generator)
    softmax = logits.softmax(dim=1) - torch.nn.functional.one_hot(labels, 10)
    return torch.cat([softmax, torch.randn(16, 10, generator=generator) + 0.5])


def test_ternary_projector_keeps_the_error_mean_that_ternarisation_loses():
    projection = make_projection(10, 256, 10, CameraConfig.ideal())
    error = _errors()
    signal = TernaryOpticalProjector(projection, threshold=0.3)(error)
    matrix = projection.effective_matrix()  # signal = projected_vector @ matrix
    projected_vector = torch.linalg.lstsq(matrix.T, signal.T).solution.T
    torch.testing.assert_close(projected_vector.mean(dim=1), error.mean(dim=1), atol=1e-4, rtol=0)
    # an error whose sub-threshold entries are equal is projected exactly
    exact = torch.full((1, 10), 0.1)
    exact[0, 3] = -0.9
    shape = TernaryOpticalProjector(projection, threshold=0.3)(exact) / (exact @ matrix)
    expected = torch.full_like(shape, float(exact.norm()))
    torch.testing.assert_close(shape, expected, rtol=1e-4, atol=0)


def test_the_camera_normalisation_differs_from_the_error_norm_by_the_rescale_alone():
    error = _errors()
    error[3] = 0
    signals = {
        normalisation: TernaryOpticalProjector(
            make_projection(10, 64, 10, CameraConfig(), seed=2), 0.3, normalisation=normalisation
        )(error)
        for normalisation in SIGNAL_NORMALISATIONS
    }
    ternary = ternarize(error, 0.3)
    rescale = error.norm(dim=1, keepdim=True) / ternary.norm(dim=1, keepdim=True)
    rescale[3] = 0
    torch.testing.assert_close(signals["camera"] * rescale, signals["error_norm"])
    assert not signals["camera"][3].any()  # a zero error gives no signal, not camera noise
    # the camera's units: the effective matrix's unit-variance entries times the ternary error
    per_entry = signals["camera"][rescale[:, 0] > 0].square().mean(dim=1)
    assert per_entry.median() == pytest.approx(float(ternary.abs().sum(dim=1).median()), rel=0.5)


def test_an_unknown_signal_normalisation_is_refused():
    with pytest.raises(ValueError, match=r"signal_normalisation.*'camera'.*'exposure'"):
        TernaryOpticalProjector(make_projection(8, 4, 8, CameraConfig.ideal()), 0.1,
                                normalisation="exposure")  # fmt: skip


def test_outputs_the_camera_reads_dark_are_silenced_and_the_others_recovered():
    """Exposed on the all-on frame, an 8-bit camera reads some anchor outputs as 0: with their own
    amplitude as denominator those outputs give 0 (not NaN); with the floor none is dark."""
    camera = CameraConfig(shot_noise=False, read_noise_electrons=0.0)
    dark = make_projection(
        256, 512, 256, camera, exposure_frame="all_on", normalisation="per_output"
    )
    lit = make_projection(256, 512, 256, camera, exposure_frame="all_on", normalisation="floored")
    assert dark.dark_outputs and not lit.dark_outputs
    x = binary(16, 256, density=0.01)
    silenced = dark.amplitude == 0
    projected = dark.project(x)
    assert silenced.any() and torch.isfinite(projected).all()
    assert (projected[:, silenced] == 0).all() and (projected[:, ~silenced] != 0).any()
    assert torch.isfinite(lit.project(x)).all()
