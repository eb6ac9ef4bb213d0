"""The `optics` settings as one typed object: the schema's section, validated once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from odfa.config import validate_section
from odfa.optics.camera import CameraConfig
from odfa.optics.frame_rate import FrameRateModel


@dataclass(frozen=True)
class OpticsSettings:
    """The optical processing unit that computes ODFA's projection (see the config schema's
    `optics` section for what each field means; it holds every default and bound)."""

    backend: str
    simulated: bool
    recovery: str
    exposure_frame: str
    anchor_normalisation: str
    exposures: int
    fidelity_every: int
    mode: str
    precision: str
    seed: int
    noise_seed: int
    anchor_pixels: int | None
    threshold: float
    relative_threshold: bool
    signal_normalisation: str
    camera: CameraConfig
    timing: FrameRateModel

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> OpticsSettings:
        """From an `optics` section: validated, with the schema's defaults filled in."""
        checked = validate_section(settings, "optics", source="optics")
        camera = checked["camera"]
        return cls(
            **checked
            | {
                "camera": CameraConfig.ideal() if camera == "ideal" else CameraConfig(**camera),
                "timing": FrameRateModel(**checked["timing"]),
            }
        )
