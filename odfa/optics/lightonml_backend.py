"""Optical devices driven through LightOn's lightonml API: its simulated OPU (numpy, CPU, our
camera model on top) and a real OPU (`OPU(simulated=False)`: camera counts, T unknown)."""

from __future__ import annotations

import math
import warnings
from types import ModuleType
from typing import Any

import numpy as np
import torch
from torch import Tensor

from odfa.errors import ConfigError, HardwareError, MissingPackageError
from odfa.optics.camera import Camera, CameraConfig, HardwareCamera
from odfa.optics.device import (
    anchored_frames,
    check_anchored_shape,
    check_binary_frames,
    check_frame_shape,
)

INSTALL_COMMAND = 'pip install --no-deps lightonml==1.4.3 numexpr requests attrs "setuptools<81"'
MAX_LIGHTONML_SEED = 2**32 - 1  # numpy's RandomState, which draws lightonml's simulated matrix
EXPOSURE_TRIES = 12  # auto-exposure steps on a real OPU before giving up


def import_lightonml() -> ModuleType:
    """Import lightonml quietly, or explain how to install it."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*pkg_resources", category=UserWarning)
            import lightonml
    except ImportError as error:
        raise MissingPackageError(
            f"the lightonml backend needs lightonml; install it with: {INSTALL_COMMAND}"
        ) from error
    return lightonml


def check_opu_limits(
    n_inputs: int, n_outputs: int, input_shape: tuple[int, int], output_shape: tuple[int, int]
) -> None:
    """Raise ValueError, with the sizes, if the frames exceed the DMD or the outputs the camera."""
    max_inputs, max_outputs = math.prod(input_shape), math.prod(output_shape)
    if n_inputs > max_inputs:
        raise ConfigError(
            f"the OPU's DMD shows at most {input_shape[0]} x {input_shape[1]} = {max_inputs} "
            f"features, and this projection's frames have {n_inputs} (the error's entries plus "
            "the anchor's pixels): lower optics.anchor_pixels or the width of the error"
        )
    if n_outputs > max_outputs:
        raise ConfigError(
            f"the OPU's camera reads at most {output_shape[0]} x {output_shape[1]} = "
            f"{max_outputs} pixels, and this projection needs {n_outputs} outputs"
        )


def open_hardware_opu(n_outputs: int) -> Any:
    """lightonml's `OPU(simulated=False)` on the machine's OPU, or a RuntimeError saying why not."""
    lightonml = import_lightonml()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*pkg_resources", category=UserWarning)
            return lightonml.OPU(
                n_components=n_outputs, simulated=False, disable_pbar=True, rescale="none"
            )
    except (ImportError, RuntimeError) as error:
        raise HardwareError(
            "optics.simulated: false drives a real LightOn OPU, and lightonml could not open one "
            f"on this machine ({error}); set optics.simulated: true to simulate it"
        ) from error


class _LightonmlDevice:
    """Binary frames through a lightonml `OPU` object, fitted for n_inputs-long 1-d vectors."""

    def __init__(self, opu: Any, n_inputs: int, n_outputs: int) -> None:
        self._opu = opu
        self._opu.fit1d(n_features=n_inputs)
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.tensor_device = torch.device("cpu")
        self.frames_displayed = 0

    def raw_intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 intensities as the OPU returns
        them (simulated: |T x|^2 before our camera; real: the camera's counts)."""
        check_frame_shape(frames, self.n_inputs)
        check_binary_frames(frames)
        if frames.shape[0] == 0:
            return torch.zeros(0, self.n_outputs, device=frames.device)
        output = self._call(self._opu.transform, frames)
        self.frames_displayed += frames.shape[0]
        return output.to(frames.device)

    def intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 camera-measured |T x|^2."""
        return self.camera.measure(self.raw_intensity(frames), overwrite=True)

    def anchored_raw_intensity(self, x: Tensor, out: Tensor | None = None) -> Tensor:
        """(N, n_features) binary -> (2N, n_outputs) intensities of the frames [x, 0], [x, a],
        copied into `out` when given."""
        intensity = self.raw_intensity(anchored_frames(x, self.n_inputs))
        return intensity if out is None else out.copy_(intensity)

    def linear_transform(self, x: Tensor) -> Tensor:
        """(N, n_inputs) binary -> (N, n_outputs) float32: lightonml's own linear recovery of
        Re(x T), unscaled (frames it shows are its own and not reported)."""
        check_frame_shape(x, self.n_inputs)
        check_binary_frames(x)
        return self._call(self._opu.linear_transform, x).to(x.device)

    @staticmethod
    def _call(transform: Any, frames: Tensor) -> Tensor:
        """float32 output of one lightonml transform of uint8 frames, its warnings silenced."""
        pixels = frames.detach().to("cpu", torch.uint8).numpy()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="lightonml")
            output = transform(pixels)
        return torch.from_numpy(np.asarray(output, dtype=np.float32))


class LightonmlOPU(_LightonmlDevice):
    """lightonml's simulated OPU (numpy, CPU) behind the OpticalDevice interface, our camera
    model on top: for cross-checking SimulatedOPU."""

    def __init__(
        self, n_inputs: int, n_outputs: int, seed: int, camera: CameraConfig, noise_seed: int = 0
    ) -> None:
        if not 0 <= seed <= MAX_LIGHTONML_SEED:
            raise ConfigError(
                f"the lightonml backend draws T with numpy's RandomState: optics seed must be in "
                f"[0, {MAX_LIGHTONML_SEED}]; got {seed}"
            )
        lightonml = import_lightonml()
        from lightonml.internal.simulated_device import SimulatedOpuDevice

        device = SimulatedOpuDevice()
        check_opu_limits(n_inputs, n_outputs, device.input_shape, device.output_shape_max)
        opu = lightonml.OPU(
            n_components=n_outputs,
            opu_device=device,
            max_n_features=n_inputs,
            disable_pbar=True,
            rescale="none",
        )
        opu.device.build_random_matrix(n_inputs, n_outputs, seed)
        super().__init__(opu, n_inputs, n_outputs)
        self.camera = Camera(camera, seed=noise_seed)
        self.physical = False

    def calibrate_exposure(self, frame: Tensor) -> None:
        """Expose the simulated camera so this frame's brightest pixel fills its headroom."""
        self.camera.calibrate(self.raw_intensity(frame))

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


class LightonmlHardwareOPU(_LightonmlDevice):
    """A real OPU through lightonml: frames in, the camera's uint8 counts out, no camera model
    on top (`HardwareCamera` only counts saturation). Its exposure is set by measurement; its
    transmission matrix is unknown, so what needs T (the fidelity's noiseless reference) does
    without it."""

    def __init__(self, n_inputs: int, n_outputs: int, headroom: float) -> None:
        opu = open_hardware_opu(n_outputs)
        check_opu_limits(n_inputs, n_outputs, opu.device.input_shape, opu.device.output_shape_max)
        super().__init__(opu, n_inputs, n_outputs)
        self.camera = HardwareCamera(headroom)
        self.physical = True

    def calibrate_exposure(self, frame: Tensor) -> None:
        """Auto-exposure: set the OPU's exposure time so this frame's brightest count reads
        `headroom` of full scale: halved while it saturates, raised while it is dark, scaled
        to the target (counts are linear in the exposure) until the peak is within a factor
        of 2 of it."""
        exposure = float(self._opu.device.exposure_us)
        target = self.camera.headroom * self.camera.max_count
        for _ in range(EXPOSURE_TRIES):
            peak = float(self.raw_intensity(frame).max())
            if peak >= self.camera.max_count:
                exposure /= 2
            elif peak == 0:
                exposure *= 8
            else:
                exposure *= target / peak
                if peak >= target / 2:
                    self._set_exposure(exposure)
                    return
            self._set_exposure(exposure)
        raise HardwareError(
            f"could not expose the OPU's camera in {EXPOSURE_TRIES} tries: the calibration frame "
            f"still reads a peak of {peak:.0f} counts at {self._opu.device.exposure_us} us"
        )

    def _set_exposure(self, exposure_us: float) -> None:
        """Refit the OPU with this exposure time (whole microseconds, at least 1)."""
        self._opu.fit1d(n_features=self.n_inputs, exposure_us=max(1, round(exposure_us)))

    def anchored_field_product(self, x: Tensor) -> tuple[Tensor, Tensor]:
        raise ValueError("a real OPU's transmission matrix is unknown: no noiseless fields")

    def transmission_matrix(self) -> Tensor:
        raise ValueError("a real OPU's transmission matrix is unknown")
