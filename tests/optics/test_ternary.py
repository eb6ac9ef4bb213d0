import pytest
import torch

from odfa.optics.device import check_binary_frames
from odfa.optics.ternary import (
    split_signs,
    ternarize,
    ternary_frames,
)


def test_relative_threshold_is_per_row():
    error = torch.tensor([[0.5, -0.04, -1.0, 0.06], [0.0, 0.2, -0.1, 0.01]])
    expected = torch.tensor([[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, -1.0, 0.0]])
    assert torch.equal(ternarize(error, 0.1), expected)


def test_absolute_threshold():
    error = torch.tensor([[0.5, -0.04, -1.0, 0.06], [0.0, 0.2, -0.1, 0.01]])
    expected = torch.tensor([[1.0, 0.0, -1.0, 1.0], [0.0, 1.0, -1.0, 0.0]])
    assert torch.equal(ternarize(error, 0.05, relative=False), expected)


def test_keeps_dtype_and_shape_and_zero_rows_stay_zero():
    error = torch.zeros(2, 3, 5, dtype=torch.float64)
    error[0, 1, 2] = -3.0
    ternary = ternarize(error, 0.5)
    assert ternary.dtype == torch.float64 and ternary.shape == error.shape
    assert ternary.abs().sum() == 1 and ternary[0, 1, 2] == -1


def test_split_signs_reconstructs():
    ternary = ternarize(torch.randn(8, 32, generator=torch.Generator().manual_seed(0)), 0.2)
    positive, negative = split_signs(ternary)
    assert set(positive.unique().tolist()) <= {0.0, 1.0}
    assert set(negative.unique().tolist()) <= {0.0, 1.0}
    assert positive.dtype == ternary.dtype
    assert torch.equal(positive - negative, ternary)


@pytest.mark.parametrize(("threshold", "relative"), [(1.0, True), (-0.1, True), (-1.0, False)])
def test_bad_threshold_raises(threshold, relative):
    with pytest.raises(ValueError, match=str(threshold)):
        ternarize(torch.ones(2, 3), threshold, relative=relative)


@pytest.mark.parametrize(
    ("threshold", "relative"),
    [(0.0, True), (0.3, True), (0.5, False), (0.9, True), (3.5, False)],  # dense, then sparse
)
def test_the_frames_are_the_ternary_errors_signs_and_carry_its_norm_and_mean(threshold, relative):
    error = torch.randn(200, 1016, generator=torch.Generator().manual_seed(0))
    error[::5] = 0  # rows with nothing lit
    error[1, 3] = float("nan")
    cutoff = threshold * error.abs().amax(dim=1, keepdim=True) if relative else threshold
    ternary = (error > cutoff).float() - (error < -cutoff).float()
    frames = ternary_frames(error, threshold, relative)
    assert frames.frames.dtype == torch.bool
    assert torch.equal(frames.frames.float(), torch.cat(split_signs(ternary)))
    assert torch.equal(frames.ternary, ternary)
    assert torch.equal(frames.norm, ternary.norm(dim=1, keepdim=True))
    assert torch.equal(frames.mean, ternary.mean(dim=1, keepdim=True))


def test_boolean_frames_are_binary_by_their_type():
    check_binary_frames(torch.tensor([[True, False]]))
    with pytest.raises(ValueError, match=r"binary \{0, 1\}; got values \[2.0\]"):
        check_binary_frames(torch.tensor([[1.0, 2.0]]))
