"""The optical device backed by lightonml's simulated OPU, for cross-checking SimulatedOPU."""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import torch
from torch import Tensor

from odfa.optics.camera import Camera, CameraConfig
from odfa.optics.device import (
    anchored_frames,
    check_anchored_shape,
    check_binary_frames,
    check_frame_shape,
)

INSTALL_COMMAND = 'pip install --no-deps lightonml==1.4.3 numexpr requests attrs "setuptools<81"'


def import_lightonml() -> ModuleType:
    """Import lightonml quietly, or explain how to install it."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*pkg_resources", category=UserWarning)
            import lightonml
    except ImportError as error:
        raise ImportError(
            f"the lightonml backend needs lightonml; install it with: {INSTALL_COMMAND}"
        ) from error
    return lightonml


class LightonmlOPU:
    """lightonml's simulated OPU (numpy, CPU) behind the OpticalDevice interface."""

    def __init__(
        self, n_inputs: int, n_outputs: int, seed: int, camera: CameraConfig, noise_seed: int = 0
    ) -> None:
        lightonml = import_lightonml()
        self._opu = lightonml.OPU(
            n_components=n_outputs, max_n_features=n_inputs, simulated=True, disable_pbar=True
        )
        self._opu.device.build_random_matrix(n_inputs, n_outputs, seed)
        self._opu.fit1d(n_features=n_inputs)
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.tensor_device = torch.device("cpu")
        self.camera = Camera(camera, seed=noise_seed)
        self.frames_displayed = 0

    def raw_intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 |T x|^2 before the camera."""
        check_frame_shape(frames, self.n_inputs)
        check_binary_frames(frames)
        if frames.shape[0] == 0:
            return torch.zeros(0, self.n_outputs, device=frames.device)
        pixels = frames.detach().to("cpu", torch.uint8).numpy()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="lightonml")
            output = self._opu.transform(pixels)
        self.frames_displayed += frames.shape[0]
        return torch.from_numpy(np.asarray(output, dtype=np.float32)).to(frames.device)

    def intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 camera-measured |T x|^2."""
        return self.camera.measure(self.raw_intensity(frames))

    def anchored_raw_intensity(self, x: Tensor) -> Tensor:
        """(N, n_features) binary -> (2N, n_outputs) |T x|^2 of the frames [x, 0] then [x, a]."""
        return self.raw_intensity(anchored_frames(x, self.n_inputs))

    def anchored_field_product(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(N, n_features) real -> (Re(conj(T a) T x), |T a|) from lightonml's matrix."""
        check_anchored_shape(x, self.n_inputs)
        matrix = self.transmission_matrix().to(x.device)
        anchor_field = matrix[x.shape[1] :].sum(dim=0)  # t_a = T a
        field = x.to(matrix.dtype) @ matrix[: x.shape[1]]
        return (anchor_field.conj() * field).real, anchor_field.abs()

    def transmission_matrix(self) -> Tensor:
        """The complex64 (n_inputs, n_outputs) matrix T; for simulation checks only."""
        return torch.from_numpy(np.asarray(self._opu.device.random_matrix, dtype=np.complex64))
