"""lightonml's own linear recovery as ODFA's projection."""

import pytest
import torch

from odfa.optics.build import build_optical_projector
from odfa.optics.frame_rate import FrameRateModel
from tests.optics.opu_stand_in import use_stand_in
from tests.optics.test_build import optics


def test_linear_transform_recovery_is_lightonmls_own(monkeypatch):
    pytest.importorskip("lightonml")
    settings = {"backend": "lightonml", "recovery": "linear_transform"}
    simulated = build_optical_projector(64, 256, optics(**settings, fidelity_every=1))
    projection = simulated.projection
    assert projection.device.n_inputs == 64 and not projection.frames_known  # no anchor pixels
    effective = projection.project(torch.eye(64))
    assert effective.std().item() == pytest.approx(1.0, rel=0.15)  # sigma measured, not assumed
    simulated(torch.randn(8, 64, generator=torch.Generator().manual_seed(0)))
    assert simulated.fidelity["projection_cosine"] == pytest.approx(1.0, abs=1e-5)  # no camera
    with pytest.raises(ValueError, match="not known"):
        simulated.modelled_seconds(FrameRateModel())
    use_stand_in(monkeypatch)
    hardware = build_optical_projector(64, 256, optics(**settings, simulated=False))
    assert hardware(torch.randn(8, 64)).shape == (8, 256)
