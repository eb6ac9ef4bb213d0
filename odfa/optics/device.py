"""The optical device interface (binary DMD frames in, intensities out) and its simulation."""

from __future__ import annotations

import math
from typing import Protocol

import torch
from torch import Tensor

from odfa.optics.camera import Camera, CameraConfig


def check_binary_frames(frames: Tensor) -> None:
    """Raise ValueError naming up to 5 offending values unless every entry is exactly 0 or 1."""
    offending = (frames != 0) & (frames != 1)
    if offending.any():
        values = torch.unique(frames[offending])[:5].tolist()
        raise ValueError(f"DMD frames must be binary {{0, 1}}; got values {values}")


def check_frame_shape(frames: Tensor, n_inputs: int) -> None:
    """Raise ValueError unless `frames` is a batch of shape (N, n_inputs)."""
    if frames.ndim != 2 or frames.shape[1] != n_inputs:
        raise ValueError(f"DMD frames must have shape (N, {n_inputs}); got {tuple(frames.shape)}")


class OpticalDevice(Protocol):
    """A DMD + scattering medium + camera: binary frames in, speckle intensities |T x|^2 out."""

    n_inputs: int
    n_outputs: int
    frames_displayed: int
    camera: Camera
    tensor_device: torch.device

    def raw_intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 |T x|^2 before the camera."""
        ...

    def intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 camera-measured |T x|^2."""
        ...

    def transmission_matrix(self) -> Tensor:
        """The complex64 (n_inputs, n_outputs) matrix T; for simulation checks only."""
        ...


class SimulatedOPU:
    """An OPU simulated by one real matmul with T's real and imaginary parts side by side."""

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        seed: int,
        camera: CameraConfig,
        noise_seed: int = 0,
        device: str | torch.device = "cpu",
    ) -> None:
        generator = torch.Generator().manual_seed(seed)
        # Drawn on the CPU so one seed gives one T on every device.
        stacked = torch.randn(n_inputs, 2 * n_outputs, generator=generator)
        stacked /= math.sqrt(n_inputs)
        self._attach(stacked.to(device), camera, noise_seed)

    @classmethod
    def from_matrix(cls, matrix: Tensor, camera: CameraConfig, noise_seed: int = 0) -> SimulatedOPU:
        """An OPU whose transmission matrix is the given complex (n_inputs, n_outputs) tensor."""
        if matrix.ndim != 2 or not matrix.is_complex():
            raise ValueError(
                f"transmission matrix must be a complex 2-D tensor; got {matrix.dtype} "
                f"of shape {tuple(matrix.shape)}"
            )
        opu = cls.__new__(cls)
        stacked = torch.cat([matrix.real, matrix.imag], dim=1).to(torch.float32)
        opu._attach(stacked, camera, noise_seed)
        return opu

    def _attach(self, stacked: Tensor, camera: CameraConfig, noise_seed: int) -> None:
        """Keep the (n_inputs, 2 * n_outputs) real/imaginary matrix and build the camera."""
        self._stacked = stacked
        self.n_inputs = stacked.shape[0]
        self.n_outputs = stacked.shape[1] // 2
        self.tensor_device = stacked.device
        self.camera = Camera(camera, seed=noise_seed)
        self.frames_displayed = 0

    def raw_intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 |T x|^2 before the camera."""
        check_frame_shape(frames, self.n_inputs)
        check_binary_frames(frames)
        field = frames.to(self._stacked) @ self._stacked  # (N, 2 * n_outputs): [Re | Im]
        real, imaginary = field.split(self.n_outputs, dim=1)
        self.frames_displayed += frames.shape[0]
        return (real.square() + imaginary.square()).to(frames.device)

    def intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 camera-measured |T x|^2."""
        return self.camera.measure(self.raw_intensity(frames))

    def transmission_matrix(self) -> Tensor:
        """The complex64 (n_inputs, n_outputs) matrix T; for simulation checks only."""
        real, imaginary = self._stacked.split(self.n_outputs, dim=1)
        return torch.complex(real, imaginary)
