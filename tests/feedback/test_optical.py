"""ODFA: DFA through the optical projection, its frames, modelled time and fidelity counted."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from odfa.feedback import build_method
from odfa.models import FCNN


def _batch(model: FCNN, size: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    inputs = torch.randn(size, model.config.input_dim, generator=generator)
    targets = torch.randint(model.config.output_dim, (size,), generator=generator)
    return inputs, targets


def test_odfa_trains_every_layer_and_counts_frames(small_fcnn, config):
    inputs, targets = _batch(small_fcnn, size=4)
    method = build_method("odfa", small_fcnn, config, torch.device("cpu"), inputs)
    before = method.log_fields()
    method.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)
    after = method.log_fields()
    assert all(torch.isfinite(p.grad).all() for p in small_fcnn.parameters())
    assert after["optical_frames"] - before["optical_frames"] == 4 * 4  # +/- parts, 2 frames each
    assert after["modelled_optical_seconds"] > before["modelled_optical_seconds"]


def test_odfa_with_an_ideal_camera_projects_a_ternary_error_through_the_effective_matrix(
    small_fcnn, config
):
    config["optics"]["camera"] = "ideal"
    config["optics"]["threshold"] = 0.0
    method = build_method("odfa", small_fcnn, config, torch.device("cpu"), _batch(small_fcnn)[0])
    error = torch.tensor([[1.0, 0.0, -1.0, 1.0, 0.0], [0.0, -1.0, 0.0, 0.0, 1.0]])
    expected = error @ method.projector.projection.effective_matrix()
    torch.testing.assert_close(method.projector(error), expected, atol=1e-4, rtol=1e-4)


def test_the_totals_move_to_another_method_and_measured_optics_time_is_its_own_field(
    small_fcnn, config
):
    inputs, targets = _batch(small_fcnn, size=4)
    first = build_method("odfa", small_fcnn, config, torch.device("cpu"), inputs)
    first.compute_gradients(small_fcnn, inputs, targets, F.cross_entropy)
    fields = first.log_fields()
    assert fields["simulated_optics_seconds"] > 0 and "opu_seconds" not in fields
    second = build_method("odfa", small_fcnn, config, torch.device("cpu"), inputs)
    second.set_totals(first.totals())
    assert second.totals() == first.totals()
    assert second.log_fields()["optical_frames"] == fields["optical_frames"]


def test_each_rank_draws_its_own_camera_noise_from_the_same_matrix(small_fcnn, config, monkeypatch):
    inputs = _batch(small_fcnn)[0]
    error = torch.tensor([[1.0, 0.0, -1.0, 1.0, 0.0]])
    methods = []
    for rank in (0, 1):
        monkeypatch.setattr("odfa.feedback.optical.rank", lambda rank=rank: rank)
        methods.append(build_method("odfa", small_fcnn, config, torch.device("cpu"), inputs))
    matrices = [m.projector.projection.device.transmission_matrix() for m in methods]
    torch.testing.assert_close(matrices[0], matrices[1])  # one medium on every rank
    assert not torch.equal(methods[0].projector(error), methods[1].projector(error))
