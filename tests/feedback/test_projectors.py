"""The digital feedback matrix of DFA: fixed, seeded, N(0, 1)."""

from __future__ import annotations

import torch

from odfa.feedback.projectors import GaussianProjector


def test_the_projection_is_the_error_times_a_seeded_gaussian_matrix():
    projector = GaussianProjector(3, 4000, seed=5)
    again = GaussianProjector(3, 4000, seed=5)
    torch.testing.assert_close(projector.matrix, again.matrix)
    assert not torch.equal(projector.matrix, GaussianProjector(3, 4000, seed=6).matrix)
    error = torch.tensor([[1.0, -2.0, 0.5]])
    torch.testing.assert_close(projector(error), error @ projector.matrix)
    assert projector.n_outputs == 4000
    assert abs(projector.matrix.mean()) < 0.05 and abs(projector.matrix.std() - 1) < 0.05


def test_the_projection_follows_the_error_dtype():
    projector = GaussianProjector(2, 3, seed=0)
    assert projector(torch.ones(1, 2, dtype=torch.float64)).dtype == torch.float64
