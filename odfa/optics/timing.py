"""A model of optical projection time from DMD/camera frame rates and the data link."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class FrameRateModel:
    """MODELLED optical time, never measured: frame rate falls with the larger of input/output."""

    reference_rate_hz: float = 340.0
    reference_pixels: float = 1e6
    exponent: float = 1.0
    max_rate_hz: float = 1500.0
    link_bytes_per_s: float = 1e9

    def __post_init__(self) -> None:
        """Reject non-positive settings, naming the field."""
        for field in fields(self):
            value = getattr(self, field.name)
            if not value > 0:
                raise ValueError(f"FrameRateModel.{field.name} must be > 0; got {value!r}")

    def frame_rate_hz(self, n_inputs: int, n_outputs: int) -> float:
        """Modelled frames per second for a DMD of n_inputs pixels and a camera of n_outputs."""
        if n_inputs < 1 or n_outputs < 1:
            raise ValueError(f"n_inputs and n_outputs must be >= 1; got {n_inputs} and {n_outputs}")
        pixels = max(n_inputs, n_outputs)
        rate = self.reference_rate_hz * (self.reference_pixels / pixels) ** self.exponent
        return min(self.max_rate_hz, rate)

    def modelled_seconds(self, frames: int, n_inputs: int, n_outputs: int) -> float:
        """MODELLED (not measured) seconds to display `frames` binary frames and read them out."""
        if frames < 0:
            raise ValueError(f"frames must be >= 0; got {frames}")
        bytes_per_frame = math.ceil(n_inputs / 8) + n_outputs  # 1-bit DMD in, 8-bit camera out
        optical = frames / self.frame_rate_hz(n_inputs, n_outputs)
        return optical + frames * bytes_per_frame / self.link_bytes_per_s
