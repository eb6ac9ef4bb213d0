"""A stand-in for a real OPU, for tests of the hardware path: lightonml's simulated device read
through an 8-bit camera whose counts grow with the exposure time, uint8 like the hardware's,
and no `random_matrix` to read (a real OPU has none)."""

from __future__ import annotations

from typing import Any

import numpy as np

from odfa.optics.lightonml_backend import import_lightonml

COUNTS_PER_INTENSITY_US = 0.5  # at lightonml's default 400 us the anchor frame saturates


def _simulated_device_class() -> type:
    import_lightonml()
    from lightonml.internal.simulated_device import SimulatedOpuDevice

    return SimulatedOpuDevice


class CountingOpuDevice(_simulated_device_class()):
    """|x R|^2 * exposure_us * COUNTS_PER_INTENSITY_US plus shot-like noise, rounded and clipped
    to uint8 counts; `linear_transform` gets Re(x R) with noise, as floats. R is drawn for the
    width of the first frames shown; `input_shape` is the DMD's (lightonml's 1140 x 912 unless
    given)."""

    def __init__(
        self, n_outputs: int, seed: int = 0, input_shape: tuple[int, int] = (1140, 912)
    ) -> None:
        super().__init__()
        self._n_outputs = n_outputs
        self._shape = input_shape
        self._matrix_seed = seed
        self._noise = np.random.default_rng(seed + 1)

    @property
    def random_matrix(self) -> Any:
        raise AttributeError("a real OPU has no random_matrix")

    @property
    def input_shape(self) -> tuple[int, int]:
        return self._shape

    @property
    def output_dtype(self) -> type:
        return np.float32 if self._linear else np.uint8

    def transform1(self, X: np.ndarray) -> np.ndarray:
        if self._random_matrix is None:
            self.build_random_matrix(X.shape[1], self._n_outputs, self._matrix_seed)
        light = super().transform1(X)
        if self._linear:
            return (light + self._noise.normal(scale=0.05, size=light.shape)).astype(np.float32)
        counts = light * self.exposure_us * COUNTS_PER_INTENSITY_US
        counts = counts + self._noise.normal(size=counts.shape) * np.sqrt(counts + 1)
        return np.clip(np.round(counts), 0, 255).astype(np.uint8)


def stand_in_opu(n_outputs: int, input_shape: tuple[int, int] = (1140, 912)) -> Any:
    """A lightonml `OPU` driving a CountingOpuDevice, as `open_hardware_opu` opens a real one."""
    lightonml = import_lightonml()
    opu = lightonml.OPU(
        n_components=n_outputs,
        max_n_features=1,
        simulated=True,
        disable_pbar=True,
        rescale="none",
        open_at_init=False,
    )
    opu.device = CountingOpuDevice(n_outputs, input_shape=input_shape)
    # a real OPU takes as many features as its DMD has; the setter would redraw R, so set it
    opu._max_n_features = int(np.prod(input_shape))
    opu.open()
    return opu


def use_stand_in(monkeypatch: Any, input_shape: tuple[int, int] = (1140, 912)) -> None:
    """Make `optics.simulated: false` open the stand-in instead of a real OPU."""
    from odfa.optics import lightonml_backend

    monkeypatch.setattr(
        lightonml_backend,
        "open_hardware_opu",
        lambda n_outputs: stand_in_opu(n_outputs, input_shape),
    )
