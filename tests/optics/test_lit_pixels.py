import pytest
import torch

from odfa.optics.lit_pixels import lit_pixels


def _frames(rows: int, columns: int, lit: float, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(rows, columns, generator=generator) < lit


@pytest.mark.parametrize(
    ("rows", "columns", "lit"),
    [(1536, 1016, 1e-3), (64, 1016, 0.5), (7, 13, 0.3), (16, 8, 1.0), (5, 1016, 0.0), (0, 8, 0.1)],
)
def test_the_lit_pixels_are_the_nonzero_entries_in_row_major_order(rows, columns, lit):
    frames = _frames(rows, columns, lit)
    expected = frames.nonzero(as_tuple=True)
    found = lit_pixels(frames)
    assert all(torch.equal(a, b) for a, b in zip(found, expected, strict=True))


@pytest.mark.parametrize(
    "frames",
    [
        _frames(40, 1016, 0.01).float(),  # not boolean
        _frames(40, 1016, 0.01).t(),  # not contiguous
        _frames(1, 4065, 0.01)[0, 1:].view(32, 127),  # a view that starts mid-word
    ],
)
def test_frames_that_cannot_be_read_by_the_word_are_read_pixel_by_pixel(frames):
    expected = frames.nonzero(as_tuple=True)
    assert all(torch.equal(a, b) for a, b in zip(lit_pixels(frames), expected, strict=True))


# sparse; dense by the words alone; dense by the count; sparse words holding too many pixels
@pytest.mark.parametrize(
    ("lit", "at_most", "found"),
    [
        (1e-3, 0.01, True),
        (0.3, 0.4, True),
        (0.3, 0.05, False),
        (0.3, 0.2, False),
        (0.012, 0.01, False),
    ],
)
def test_more_lit_pixels_than_asked_for_give_none(lit, at_most, found):
    frames = _frames(256, 1016, lit)
    for view in (frames, frames.t()):  # read by the word, and pixel by pixel
        answer = lit_pixels(view, at_most)
        assert (answer is not None) == found
        if found:
            expected = view.nonzero(as_tuple=True)
            assert all(torch.equal(a, b) for a, b in zip(answer, expected, strict=True))
