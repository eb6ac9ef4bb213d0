import pytest
import torch

from odfa.optics.scratch import Scratch


def test_a_name_is_handed_the_same_memory_grown_only_when_too_small():
    scratch = Scratch()
    first = scratch.take("noise", (4, 8), torch.float32, torch.device("cpu"))
    smaller = scratch.take("noise", (2, 8), torch.float32, torch.device("cpu"))
    assert first.shape == (4, 8) and smaller.shape == (2, 8)
    assert smaller.data_ptr() == first.data_ptr()
    larger = scratch.take("noise", (5, 8), torch.float32, torch.device("cpu"))
    assert larger.shape == (5, 8) and larger.is_contiguous()
    assert scratch.take("noise", (4, 8), torch.float32, torch.device("cpu")).data_ptr() == (
        larger.data_ptr()
    )


def test_names_and_dtypes_have_their_own_buffers():
    scratch = Scratch()
    reference = torch.ones(3, 3)
    noise, variance = scratch.like("noise", reference), scratch.like("variance", reference)
    doubles = scratch.like("noise", reference.double())
    assert len({noise.data_ptr(), variance.data_ptr(), doubles.data_ptr()}) == 3
    assert doubles.dtype == torch.float64


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_on_a_gpu_nothing_is_kept():
    scratch = Scratch()
    first = scratch.take("noise", (4, 8), torch.float32, torch.device("cuda"))
    second = scratch.take("noise", (4, 8), torch.float32, torch.device("cuda"))
    assert first.data_ptr() != second.data_ptr()
