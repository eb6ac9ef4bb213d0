"""A MODELLED cost of optical projections: OPU frame time and energy, from published figures.

Every parameter has a source (see the config schema's `optics.timing`): lightonml's default
frame time for frames the camera reads quickly, the study's 340 Hz at the OPU's full resolution
(1e6 inputs x 2e6 outputs) for large ones, and the power of the study's later version. Between
the two regimes the frame time is taken proportional to the camera pixels read (the full
resolution's pixel rate), an inference: no published figure gives the rates in between.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class FrameRateModel:
    """MODELLED optical time and energy, never measured."""

    frame_time_us: float = 500.0
    full_resolution_rate_hz: float = 340.0
    full_resolution_outputs: float = 2.0e6
    power_w: float = 30.0

    def __post_init__(self) -> None:
        """Reject non-positive settings, naming the field."""
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"optics.timing.{field.name} must be a number > 0; got {value!r}")

    @property
    def readout_pixels_per_s(self) -> float:
        """Camera pixels read per second at full resolution: the study's 340 Hz x 2e6."""
        return self.full_resolution_rate_hz * self.full_resolution_outputs

    def frame_rate_hz(self, n_outputs: int) -> float:
        """Modelled frames per second of a camera reading n_outputs pixels: lightonml's frame
        time, or the full resolution's pixel rate if reading the frame takes longer."""
        if n_outputs < 1:
            raise ValueError(f"n_outputs must be >= 1; got {n_outputs}")
        return min(1e6 / self.frame_time_us, self.readout_pixels_per_s / n_outputs)

    def modelled_seconds(self, frames: int, n_outputs: int) -> float:
        """MODELLED (not measured) seconds to show `frames` binary frames and read them out."""
        if frames < 0:
            raise ValueError(f"frames must be >= 0; got {frames}")
        return frames / self.frame_rate_hz(n_outputs)

    def modelled_joules(self, seconds: float) -> float:
        """MODELLED energy of `seconds` of OPU time at the published power."""
        return self.power_w * seconds
