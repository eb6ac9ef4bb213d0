"""Camera model: exposure, shot and read noise, saturation and ADC quantisation of intensities."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from odfa.optics.scratch import Scratch


@dataclass(frozen=True)
class CameraConfig:
    """Sensor settings; `headroom` is the fraction of full scale given to the calibration peak."""

    bits: int = 8
    headroom: float = 0.9
    full_well_electrons: float = 20000.0
    shot_noise: bool = True
    read_noise_electrons: float = 10.0
    quantize: bool = True
    saturate: bool = True

    def __post_init__(self) -> None:
        """Reject settings no sensor could have, naming the field."""
        if (
            isinstance(self.bits, bool)
            or not isinstance(self.bits, int)
            or not 1 <= self.bits <= 16
        ):
            raise ValueError(f"CameraConfig.bits must be an integer in [1, 16]; got {self.bits!r}")
        if not 0 < self.headroom <= 1:
            raise ValueError(f"CameraConfig.headroom must be in (0, 1]; got {self.headroom!r}")
        if not self.full_well_electrons > 0:
            raise ValueError(
                f"CameraConfig.full_well_electrons must be > 0; got {self.full_well_electrons!r}"
            )
        if not self.read_noise_electrons >= 0:
            raise ValueError(
                f"CameraConfig.read_noise_electrons must be >= 0; got {self.read_noise_electrons!r}"
            )
        for name in ("shot_noise", "quantize", "saturate"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"CameraConfig.{name} must be a bool; got {getattr(self, name)!r}")

    @classmethod
    def ideal(cls) -> CameraConfig:
        """A perfect sensor: no noise, no saturation, no quantisation."""
        return cls(shot_noise=False, read_noise_electrons=0.0, quantize=False, saturate=False)

    @property
    def is_ideal(self) -> bool:
        """True when measuring leaves intensities unchanged."""
        return not (
            self.shot_noise or self.read_noise_electrons > 0 or self.quantize or self.saturate
        )


class Camera:
    """Turns speckle intensities into what an exposed, noisy, 8-bit-style sensor reports."""

    def __init__(self, config: CameraConfig, seed: int = 0) -> None:
        self.config = config
        self.seed = seed
        self.exposure: float | None = None  # electrons per unit of intensity
        self.saturated_pixels = 0  # pixel readings above the full well, since construction
        self.pixels_read = 0
        self._generators: dict[torch.device, torch.Generator] = {}
        self._scratch = Scratch()  # the noise and its variance, between readings

    def calibrate(self, intensity: Tensor) -> None:
        """Set the exposure so the brightest calibration pixel fills `headroom` of the full well."""
        peak = float(intensity.max())
        if not (math.isfinite(peak) and peak > 0):
            raise ValueError(f"calibration intensity must have a finite positive peak; got {peak}")
        self.exposure = self.config.headroom * self.config.full_well_electrons / peak

    def measure(self, intensity: Tensor, overwrite: bool = False) -> Tensor:
        """Expose, add noise, saturate and quantise; returned in the input's intensity units.
        `overwrite`: the reading is made in `intensity` itself (its caller is done with it)."""
        config = self.config
        if config.is_ideal:
            return intensity
        if self.exposure is None:
            raise RuntimeError("camera is not calibrated: call calibrate(intensity) before measure")
        # the rest works in place in the electrons
        electrons = intensity.mul_(self.exposure) if overwrite else intensity * self.exposure
        if config.shot_noise or config.read_noise_electrons > 0:
            # Shot (Poisson, variance N) and read noise are independent: one Gaussian draw with
            # their summed variance has the same distribution as two draws, at half the cost.
            variance = config.read_noise_electrons**2
            if config.shot_noise:
                shot = self._scratch.like("variance", electrons)
                variance = torch.clamp(electrons, min=0, out=shot).add_(variance)
            electrons.add_(self._normal_like(electrons).mul_(variance.sqrt_()))
        self.pixels_read += electrons.numel()
        if config.saturate:
            full = config.full_well_electrons
            if electrons.numel() and float(electrons.amax()) > full:  # counted where any are
                self.saturated_pixels += int(torch.count_nonzero(electrons > full))
            electrons.clamp_(0, full)
        if config.quantize:
            step = config.full_well_electrons / (2**config.bits - 1)
            electrons.div_(step).round_().mul_(step)
        return electrons.div_(self.exposure)

    def state_dict(self) -> dict[str, Tensor]:
        """States of the noise generators (one per torch device), for exact resume."""
        return {
            str(device): generator.get_state() for device, generator in self._generators.items()
        }

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        for name, generator_state in state.items():
            generator = torch.Generator(device=torch.device(name))
            generator.set_state(generator_state)
            self._generators[torch.device(name)] = generator

    def _normal_like(self, reference: Tensor) -> Tensor:
        """Standard normal draws from this camera's seeded generator on the reference's device,
        in a buffer the next draw overwrites."""
        device = reference.device
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        generator = self._generators[device]
        noise = self._scratch.like("noise", reference)
        return torch.randn(reference.shape, generator=generator, out=noise)


class HardwareCamera:
    """A real OPU's camera: its readings arrive as counts already exposed, noisy and quantised,
    so `measure` returns them unchanged and only counts those at `max_count` (saturated).
    `headroom` is the fraction of `max_count` the exposure gives the calibration frame's peak."""

    def __init__(self, headroom: float, max_count: int = 255) -> None:
        if not 0 < headroom <= 1:
            raise ValueError(f"headroom must be in (0, 1]; got {headroom!r}")
        self.headroom = headroom
        self.max_count = max_count
        self.saturated_pixels = 0
        self.pixels_read = 0

    def measure(self, counts: Tensor, overwrite: bool = False) -> Tensor:
        """The counts as read (`overwrite` changes nothing: they are not changed); saturated ones
        are counted."""
        del overwrite
        self.pixels_read += counts.numel()
        self.saturated_pixels += int((counts >= self.max_count).sum())
        return counts

    def state_dict(self) -> dict[str, Tensor]:
        """Nothing to restore: a real camera's noise has no state."""
        return {}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        if state:
            raise ValueError(f"a real OPU's camera has no noise state to restore; got {state!r}")
