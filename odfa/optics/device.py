"""The optical device interface (binary DMD frames in, intensities out) and its simulation."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Protocol

import torch
from torch import Tensor

from odfa.optics.camera import Camera, CameraConfig, HardwareCamera
from odfa.optics.lit_pixels import lit_pixels
from odfa.optics.scratch import Scratch

BLOCK_COLUMNS = 4096  # output columns per block of T; part of T's definition, not a tuning knob
BLOCKS_PER_SEED = 2**20  # blocks per seed: counter seeds of two seeds never collide below this
MAX_SEED = 2**43 - 1  # keeps every counter seed below 2**63
MODES = ("dense", "streamed")
PRECISIONS = {"float32": torch.float32, "bfloat16": torch.bfloat16}
MAX_MATERIALISED_BYTES = 2**30  # a streamed OPU builds T on demand only up to this (complex64)
SPARSE_DENSITY = 0.05  # at most this fraction of lit pixels: T x is summed from the lit rows


def check_binary_frames(frames: Tensor) -> None:
    """Raise ValueError naming up to 5 offending values unless every entry is exactly 0 or 1
    (boolean frames are, by their type)."""
    if frames.dtype == torch.bool:
        return
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
    camera: Camera | HardwareCamera
    tensor_device: torch.device
    physical: bool  # a real OPU: its readings are camera counts and its T is unknown

    def calibrate_exposure(self, frame: Tensor) -> None:
        """Set the camera's exposure on this (1, n_inputs) frame, the brightest to be shown."""
        ...

    def raw_intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 |T x|^2 before the camera."""
        ...

    def intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 camera-measured |T x|^2."""
        ...

    def anchored_raw_intensity(self, x: Tensor, out: Tensor | None = None) -> Tensor:
        """(N, n_features) binary -> (2N, n_outputs) |T x|^2 of the frames [x, 0] then [x, a]
        (a: every pixel after the first n_features lit), before the camera; 2N frames shown.
        Written into `out` when given (float32, on the device's tensor_device)."""
        ...

    def anchored_field_product(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(N, n_features) real -> (Re(conj(T a) T x), |T a|): the noiseless (N, n_outputs)
        cross term and (n_outputs,) anchor amplitude; no frame shown, for simulation checks
        (a physical device cannot: its T is unknown)."""
        ...

    def transmission_matrix(self) -> Tensor:
        """The complex64 (n_inputs, n_outputs) matrix T; for simulation checks only."""
        ...


def _output(out: Tensor | None, shape: tuple[int, int], device: torch.device) -> Tensor:
    """`out`, checked to hold float32 intensities of `shape` on `device`; a new tensor if None."""
    if out is None:
        return torch.empty(shape, device=device)
    if out.shape != shape or out.dtype != torch.float32 or out.device != device:
        raise ValueError(
            f"out must be float32 of shape {shape} on {device}; got {out.dtype} of shape "
            f"{tuple(out.shape)} on {out.device}"
        )
    return out


def check_anchored_shape(x: Tensor, n_inputs: int) -> None:
    """Raise ValueError unless `x` is (N, n_features) with room for an anchor after it."""
    if x.ndim != 2 or not 0 < x.shape[1] < n_inputs:
        raise ValueError(
            f"x must have shape (N, n_features) with 0 < n_features < {n_inputs} (the other "
            f"pixels are the anchor); got {tuple(x.shape)}"
        )


def anchored_frames(x: Tensor, n_inputs: int) -> Tensor:
    """The (2N, n_inputs) frames [x, 0] then [x, a] of (N, n_features) binary `x`."""
    check_anchored_shape(x, n_inputs)
    n, n_features = x.shape
    frames = torch.zeros(2 * n, n_inputs, device=x.device)
    frames[:n, :n_features] = x  # first half: [x, 0]
    frames[n:, :n_features] = x  # second half: [x, a]
    frames[n:, n_features:] = 1
    return frames


def counter_seed(seed: int, block: int) -> int:
    """The generator seed of block `block` of the T drawn with `seed`: seed * 2**20 + block."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"transmission matrix seed must be in [0, {MAX_SEED}]; got {seed}")
    if not 0 <= block < BLOCKS_PER_SEED:
        raise ValueError(f"block index must be in [0, {BLOCKS_PER_SEED}); got {block}")
    return seed * BLOCKS_PER_SEED + block


def transmission_block(
    n_inputs: int, width: int, seed: int, block: int, out: Tensor | None = None
) -> Tensor:
    """Block `block` of the seeded T as a float32 (n_inputs, 2 * width) [Re | Im], on the CPU.

    One draw of torch.randn(n_inputs, 2 * width) from a generator seeded with
    counter_seed(seed, block), scaled by 1/sqrt(n_inputs): the left half is the real part,
    the right half the imaginary part. Drawn on the CPU so one seed gives one T on every device;
    `out`, a float32 CPU tensor of that shape, is drawn into instead of a new tensor.
    """
    generator = torch.Generator().manual_seed(counter_seed(seed, block))
    stacked = torch.randn(n_inputs, 2 * width, generator=generator, out=out)
    return stacked.div_(math.sqrt(n_inputs))


class SimulatedOPU:
    """An OPU simulated block by block: one real matmul per block of T's [Re | Im] columns.

    T (n_inputs, n_outputs) is defined block by block over output columns: block j, drawn by
    `transmission_block`, holds columns j * BLOCK_COLUMNS to (j + 1) * BLOCK_COLUMNS - 1. The
    mode only decides whether the blocks are kept ("dense") or drawn again at every call
    ("streamed": memory bounded by one block plus the output, as the optics keep T in the
    glass); both apply the same blocks with the same operations, so their intensities are bit
    for bit equal. `precision` is the dtype of T and of the frames in the matmul ("bfloat16"
    rounds T to 8 significant bits, below the 8-bit camera's step); intensities are float32.
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        seed: int,
        camera: CameraConfig,
        noise_seed: int = 0,
        device: str | torch.device = "cpu",
        mode: str = "dense",
        precision: str = "float32",
    ) -> None:
        if n_inputs < 1 or n_outputs < 1:
            raise ValueError(f"n_inputs and n_outputs must be >= 1; got {n_inputs}, {n_outputs}")
        if mode not in MODES:
            raise ValueError(f"unknown SimulatedOPU mode {mode!r}; choose one of {list(MODES)}")
        self._attach(n_inputs, n_outputs, torch.device(device), precision, camera, noise_seed)
        counter_seed(seed, len(self._block_bounds()) - 1)  # raises unless seeds are in range
        self.seed = seed
        self.mode = mode
        self._blocks: list[Tensor] | None = None  # None: blocks are drawn at every use
        if mode == "dense":
            self._blocks = [stacked.clone() for stacked in self._drawn_blocks()]

    @classmethod
    def from_matrix(
        cls,
        matrix: Tensor,
        camera: CameraConfig,
        noise_seed: int = 0,
        precision: str = "float32",
    ) -> SimulatedOPU:
        """A dense OPU whose transmission matrix is the given complex (n_inputs, n_outputs) T."""
        if matrix.ndim != 2 or not matrix.is_complex():
            raise ValueError(
                f"transmission matrix must be a complex 2-D tensor; got {matrix.dtype} "
                f"of shape {tuple(matrix.shape)}"
            )
        opu = cls.__new__(cls)
        opu.seed = None
        opu.mode = "dense"
        n_inputs, n_outputs = matrix.shape
        opu._attach(n_inputs, n_outputs, matrix.device, precision, camera, noise_seed)
        opu._blocks = [
            torch.cat([matrix.real[:, start:stop], matrix.imag[:, start:stop]], dim=1)
            .to(torch.float32)
            .to(opu.dtype)
            for start, stop in opu._block_bounds()
        ]
        return opu

    def _attach(
        self,
        n_inputs: int,
        n_outputs: int,
        device: torch.device,
        precision: str,
        camera: CameraConfig,
        noise_seed: int,
    ) -> None:
        """Record sizes, device and dtype, and build the camera."""
        if precision not in PRECISIONS:
            raise ValueError(
                f"unknown SimulatedOPU precision {precision!r}; choose one of {list(PRECISIONS)}"
            )
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.block_columns = BLOCK_COLUMNS
        self.tensor_device = device
        self.precision = precision
        self.dtype = PRECISIONS[precision]
        self.camera = Camera(camera, seed=noise_seed)
        self.frames_displayed = 0
        self.physical = False
        self._anchor_fields: dict[tuple[int, int], Tensor] = {}
        self._scratch = Scratch()  # each block's field T x, between projections

    def _block_bounds(self) -> list[tuple[int, int]]:
        """(first, past-last) output column of each block, in order."""
        return [
            (start, min(start + self.block_columns, self.n_outputs))
            for start in range(0, self.n_outputs, self.block_columns)
        ]

    def _drawn_blocks(self) -> Iterator[Tensor]:
        """Each (n_inputs, 2 * width) [Re | Im] block of the seeded T in dtype and device, in order.

        Every block is drawn into the same buffers, so a block is overwritten by the next.
        """
        largest = self.n_inputs * 2 * min(self.block_columns, self.n_outputs)
        drawn = torch.empty(largest)  # float32, on the CPU where the generator draws
        converted = drawn
        if (self.dtype, self.tensor_device) != (torch.float32, torch.device("cpu")):
            converted = torch.empty(largest, dtype=self.dtype, device=self.tensor_device)
        for block, (start, stop) in enumerate(self._block_bounds()):
            shape = (self.n_inputs, 2 * (stop - start))
            size = shape[0] * shape[1]
            stacked = transmission_block(
                self.n_inputs, stop - start, self.seed, block, out=drawn[:size].view(shape)
            )
            if converted is not drawn:
                stacked = converted[:size].view(shape).copy_(stacked)
            yield stacked

    def _blocks_in_order(self) -> Iterator[tuple[int, int, Tensor]]:
        """(first column, past-last column, [Re | Im] block): kept if dense, drawn if streamed."""
        blocks = self._drawn_blocks() if self._blocks is None else iter(self._blocks)
        for (start, stop), stacked in zip(self._block_bounds(), blocks, strict=True):
            yield start, stop, stacked

    def raw_intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 |T x|^2 before the camera."""
        check_frame_shape(frames, self.n_inputs)
        check_binary_frames(frames)
        pixels = frames.to(self.tensor_device, self.dtype)  # exact: frames are binary
        intensity = torch.empty(frames.shape[0], self.n_outputs, device=self.tensor_device)
        for start, stop, stacked in self._blocks_in_order():
            field = (pixels @ stacked).to(torch.float32)  # (N, 2 * width): [Re | Im]
            real, imaginary = field.split(stop - start, dim=1)
            block_intensity = intensity[:, start:stop]
            torch.square(real, out=block_intensity).addcmul_(imaginary, imaginary)
        self.frames_displayed += frames.shape[0]
        return intensity.to(frames.device)

    def intensity(self, frames: Tensor) -> Tensor:
        """(N, n_inputs) binary frames -> (N, n_outputs) float32 camera-measured |T x|^2."""
        return self.camera.measure(self.raw_intensity(frames), overwrite=True)

    def calibrate_exposure(self, frame: Tensor) -> None:
        """Expose the simulated camera so this frame's brightest pixel fills its headroom."""
        self.camera.calibrate(self.raw_intensity(frame))

    def anchored_raw_intensity(self, x: Tensor, out: Tensor | None = None) -> Tensor:
        """(N, n_features) binary -> (2N, n_outputs) |T x|^2 of the frames [x, 0] then [x, a],
        in `out` when given.

        The field is linear in the frame: both frames share the field T x, computed once from
        the feature rows of T (a sum of the few rows a sparse x lights), and the anchor's field
        T a is one vector per block (kept for a dense OPU). Only the intensities, which are not
        linear, are taken per frame. Equal to `raw_intensity` of the frames up to float
        rounding; 2N frames shown.
        """
        check_anchored_shape(x, self.n_inputs)
        check_binary_frames(x)
        n, n_features = x.shape
        pixels = x.to(self.tensor_device)
        lit = lit_pixels(pixels, SPARSE_DENSITY)
        if lit is None:
            pixels = pixels.to(self.dtype)
        intensity = _output(out, (2 * n, self.n_outputs), self.tensor_device)
        for block, (start, stop, stacked) in enumerate(self._blocks_in_order()):
            features = stacked[:n_features]
            field = self._scratch.take(
                "field", (n, stacked.shape[1]), torch.float32, self.tensor_device
            )
            if lit is not None:
                rows, columns = lit
                field.zero_().index_add_(0, rows, features[columns].float())
            elif self.dtype == torch.float32:
                torch.matmul(pixels, features, out=field)  # (N, 2 * width): [Re | Im]
            else:
                field.copy_(pixels @ features)
            anchor = self._anchor_field(block, n_features, stacked)
            width = stop - start
            real, imaginary = field.split(width, dim=1)
            anchor_real, anchor_imaginary = anchor.split(width)
            torch.square(real, out=intensity[:n, start:stop]).addcmul_(imaginary, imaginary)
            real.add_(anchor_real)
            imaginary.add_(anchor_imaginary)
            torch.square(real, out=intensity[n:, start:stop]).addcmul_(imaginary, imaginary)
        self.frames_displayed += 2 * n
        return intensity.to(x.device)

    def anchored_field_product(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(N, n_features) real -> (Re(conj(T a) T x), |T a|), block by block from the fields
        (T is never built): the noiseless cross term of `anchored_raw_intensity`'s two frames
        and the anchor amplitude. No frame is shown; for simulation checks (fidelity) only."""
        check_anchored_shape(x, self.n_inputs)
        n, n_features = x.shape
        pixels = x.to(self.tensor_device, torch.float32)
        cross = torch.empty(n, self.n_outputs, device=self.tensor_device)
        amplitude = torch.empty(self.n_outputs, device=self.tensor_device)
        for block, (start, stop, stacked) in enumerate(self._blocks_in_order()):
            field = pixels @ stacked[:n_features].to(torch.float32)  # (N, 2 * width): [Re | Im]
            real, imaginary = field.split(stop - start, dim=1)
            anchor_real, anchor_imaginary = self._anchor_field(block, n_features, stacked).split(
                stop - start
            )
            torch.mul(real, anchor_real, out=cross[:, start:stop]).addcmul_(
                imaginary, anchor_imaginary
            )
            amplitude[start:stop] = torch.hypot(anchor_real, anchor_imaginary)
        return cross.to(x.device), amplitude.to(x.device)

    def _anchor_field(self, block: int, n_features: int, stacked: Tensor) -> Tensor:
        """T a for one block ([Re | Im], float32): kept for a dense OPU, summed if streamed."""
        key = (block, n_features)
        if key in self._anchor_fields:
            return self._anchor_fields[key]
        field = stacked[n_features:].to(torch.float32).sum(dim=0)
        if self._blocks is not None:
            self._anchor_fields[key] = field
        return field

    def transmission_matrix(self) -> Tensor:
        """The complex64 (n_inputs, n_outputs) matrix T as applied; for simulation checks only.

        A streamed OPU builds it on demand, and refuses above MAX_MATERIALISED_BYTES.
        """
        size = 8 * self.n_inputs * self.n_outputs
        if self._blocks is None and size > MAX_MATERIALISED_BYTES:
            raise ValueError(
                f"a streamed SimulatedOPU of {self.n_inputs} x {self.n_outputs} would need "
                f"{size / 2**30:.1f} GiB to build T; the limit is "
                f"{MAX_MATERIALISED_BYTES / 2**30:.1f} GiB (MAX_MATERIALISED_BYTES)"
            )
        matrix = torch.empty(
            self.n_inputs, self.n_outputs, dtype=torch.complex64, device=self.tensor_device
        )
        for start, stop, stacked in self._blocks_in_order():
            real, imaginary = stacked.to(torch.float32).split(stop - start, dim=1)
            matrix[:, start:stop] = torch.complex(real, imaginary)
        return matrix
