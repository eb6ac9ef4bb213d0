"""Simulated optical processing unit: DMD frames, speckle, camera, and linear projections."""

from odfa.optics.build import build_optical_projector
from odfa.optics.camera import Camera, CameraConfig
from odfa.optics.device import OpticalDevice, SimulatedOPU, check_binary_frames
from odfa.optics.frame_rate import FrameRateModel
from odfa.optics.lightonml_backend import LightonmlOPU
from odfa.optics.projection import OpticalLinearProjection, TernaryOpticalProjector
from odfa.optics.settings import OpticsSettings
from odfa.optics.ternary import split_signs, ternarize

__all__ = [
    "Camera",
    "CameraConfig",
    "FrameRateModel",
    "LightonmlOPU",
    "OpticalDevice",
    "OpticalLinearProjection",
    "OpticsSettings",
    "SimulatedOPU",
    "TernaryOpticalProjector",
    "build_optical_projector",
    "check_binary_frames",
    "split_signs",
    "ternarize",
]
