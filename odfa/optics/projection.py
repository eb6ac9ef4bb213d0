"""Linear random projections recovered from intensity-only measurements with an anchor."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any, Protocol

import torch
from torch import Tensor

from odfa.optics.device import OpticalDevice
from odfa.optics.fidelity import projection_fidelity, repeat_fidelity
from odfa.optics.frame_rate import FrameRateModel
from odfa.optics.scratch import Scratch
from odfa.optics.ternary import TernaryFrames, check_threshold, ternary_frames


class LinearProjection(Protocol):
    """A linear random projection of binary vectors computed by an optical device."""

    device: OpticalDevice
    n_features: int
    optics_seconds: float  # measured seconds of the device's calls (a simulation or a real OPU)
    saturated_fraction: float | None  # of the latest projection's pixel readings; None: unknown
    frames_known: bool  # whether device.frames_displayed counts every frame the projection shows

    @property
    def silent_fraction(self) -> float:
        """Fraction of outputs the projection always silences."""
        ...

    def project(self, x: Tensor) -> Tensor:
        """(N, n_features) binary -> (N, n_outputs) float32, linear in x."""
        ...

    def noiseless_project(self, x: Tensor) -> Tensor:
        """(N, n_features) real -> (N, n_outputs): the same map with a perfect camera (needs T)."""
        ...


def timed(projection: LinearProjection, call: Callable[[], Tensor]) -> Tensor:
    """call()'s result, its measured seconds added to projection.optics_seconds."""
    started = time.perf_counter()
    result = call()
    if result.is_cuda:
        torch.cuda.synchronize(result.device)
    projection.optics_seconds += time.perf_counter() - started
    return result


def _divide_or_zero(numerator: Tensor, denominator: Tensor) -> Tensor:
    """numerator / denominator, with 0 wherever the denominator is 0."""
    nonzero = denominator != 0
    return torch.where(nonzero, numerator / torch.where(nonzero, denominator, 1), 0)


EXPOSURE_FRAMES = ("all_on", "anchor")
NORMALISATIONS = ("per_output", "floored", "rms")
ANCHOR_FLOOR = 0.25  # "floored": no output is divided by less than this fraction of the RMS


def _check_choice(name: str, value: object, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"optics {name} must be one of {list(choices)}; got {value!r}")


def _normaliser(amplitude: Tensor, rms: Tensor, normalisation: str) -> Tensor:
    """What each output's recovered field is divided by (times sigma): its own anchor amplitude,
    that amplitude but at least ANCHOR_FLOOR of the RMS, or the RMS amplitude."""
    if normalisation == "per_output":
        return amplitude
    if normalisation == "floored":
        return amplitude.clamp(min=ANCHOR_FLOOR * float(rms))
    return rms


class OpticalLinearProjection:
    """x -> Re(conj(T a) * T x) / (|T a| sigma) from the intensities of frames [x, 0] and [x, a].

    The camera's exposure is set on the all-on frame or on the anchor frame [0, a] (the
    brightest the projection shows, give or take the few lit error pixels); each output is
    normalised by its own anchor amplitude |T a| (`per_output`: the effective matrix is
    Gaussian, but outputs the camera reads as dark are silenced and dim ones amplify their
    noise), by it with a floor of ANCHOR_FLOOR times their root mean square (`floored`: none
    silenced, noise amplified at most 1 / ANCHOR_FLOOR times), or by the RMS (`rms`: each
    column of the effective matrix weighted by its anchor's brightness); each
    frame is read `exposures` times and averaged (each reading a frame shown).
    """

    def __init__(
        self,
        device: OpticalDevice,
        n_features: int,
        n_anchor: int,
        exposure_frame: str = "anchor",
        normalisation: str = "floored",
        exposures: int = 1,
    ) -> None:
        if n_features < 1 or n_anchor < 1:
            raise ValueError(f"n_features and n_anchor must be >= 1; got {n_features}, {n_anchor}")
        if device.n_inputs != n_features + n_anchor:
            raise ValueError(
                f"device has {device.n_inputs} input pixels; expected n_features + n_anchor = "
                f"{n_features} + {n_anchor} = {n_features + n_anchor}"
            )
        _check_choice("exposure_frame", exposure_frame, EXPOSURE_FRAMES)
        _check_choice("anchor_normalisation", normalisation, NORMALISATIONS)
        if isinstance(exposures, bool) or not isinstance(exposures, int) or exposures < 1:
            raise ValueError(f"optics exposures must be an integer >= 1; got {exposures!r}")
        self.device = device
        self.n_features = n_features
        self.n_anchor = n_anchor
        self.normalisation = normalisation
        self.exposures = exposures
        self.optics_seconds = 0.0
        self.saturated_fraction: float | None = 0.0
        self.frames_known = True
        anchor = torch.zeros(1, device.n_inputs, device=device.tensor_device)
        anchor[:, n_features:] = 1
        device.calibrate_exposure(anchor if exposure_frame == "anchor" else torch.ones_like(anchor))
        self.anchor_intensity = self._read(lambda: device.raw_intensity(anchor))[0]  # |T a|^2
        self.amplitude = self.anchor_intensity.clamp(min=0).sqrt()
        mean_intensity = float(self.anchor_intensity.mean())
        if not mean_intensity > 0:
            raise ValueError(
                f"the anchor frame produced no light (mean intensity {mean_intensity})"
            )
        self.sigma = math.sqrt(mean_intensity / (2 * n_anchor))  # std of Re(T), from measurements
        rms = self.anchor_intensity.clamp(min=0).mean().sqrt()
        self.denominator = _normaliser(self.amplitude, rms, normalisation) * self.sigma
        self.dark_outputs = bool((self.denominator == 0).any())  # whether `project` silences any
        self._scratch = Scratch()  # the intensities of each projection's frames

    def _read(self, show: Callable[[], Tensor]) -> Tensor:
        """Camera readings of the frames `show()` shows (returning their raw intensities, which
        are then the readings' to overwrite), averaged over `exposures` readings of each, every
        further reading a frame shown (a physical device shows them again; a simulated one's
        camera reads the same light)."""
        camera, device = self.device.camera, self.device
        saturated, read = camera.saturated_pixels, camera.pixels_read
        raw = show()
        intensity = camera.measure(raw, overwrite=self.exposures == 1)
        for reading in range(1, self.exposures):
            if device.physical:
                raw = show()
            else:
                device.frames_displayed += raw.shape[0]
            intensity = intensity + camera.measure(raw, overwrite=reading == self.exposures - 1)
        if camera.pixels_read > read:
            self.saturated_fraction = (camera.saturated_pixels - saturated) / (
                camera.pixels_read - read
            )
        return intensity / self.exposures if self.exposures > 1 else intensity

    def project(self, x: Tensor) -> Tensor:
        """(N, n_features) binary -> (N, n_outputs) float32, linear in x; two frames per vector."""
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"x must have shape (N, {self.n_features}); got {tuple(x.shape)}")
        n, device = x.shape[0], self.device
        out = None  # frames read once each are read in a kept buffer
        if self.exposures == 1:
            shape = (2 * n, device.n_outputs)
            out = self._scratch.take("intensity", shape, torch.float32, device.tensor_device)
        # frames [x, 0] then [x, a]
        show = functools.partial(device.anchored_raw_intensity, x, out)
        intensity = timed(self, lambda: self._read(show))
        alone, with_anchor = intensity[:n], intensity[n:]
        anchor_intensity = self.anchor_intensity.to(x.device)
        cross = torch.sub(with_anchor, alone).sub_(anchor_intensity).div_(2)  # Re(conj(T a) T x)
        denominator = self.denominator.to(x.device)
        if self.dark_outputs:
            return _divide_or_zero(cross, denominator)
        return cross.div_(denominator)

    def noiseless_project(self, x: Tensor) -> Tensor:
        """(N, n_features) real -> (N, n_outputs): what `project` would give with a perfect
        camera, from the fields themselves (no frame shown): the linear map `project` applies."""
        cross, amplitude = self.device.anchored_field_product(x)
        rms = amplitude.square().mean().sqrt()
        return _divide_or_zero(cross, _normaliser(amplitude, rms, self.normalisation) * self.sigma)

    def effective_matrix(self) -> Tensor:
        """The real (n_features, n_outputs) matrix that `project` applies."""
        return self.noiseless_project(torch.eye(self.n_features, device=self.device.tensor_device))

    @property
    def silent_fraction(self) -> float:
        """Fraction of outputs always silenced: a measured anchor amplitude of zero, when each
        output is normalised by its own."""
        if self.normalisation != "per_output":
            return 0.0
        return float((self.amplitude == 0).float().mean())


SIGNAL_NORMALISATIONS = ("error_norm", "camera")
ONES_FRAMES = 4  # the all-ones projection is summed from this many frames, each a quarter lit


def ones_projection(projection: LinearProjection) -> Tensor:
    """(n_outputs,) projection of the all-ones error, measured once: the sum of the projections
    of ONES_FRAMES frames that each light an interleaved quarter of the error pixels (about as
    many as a ternarised error lights, so the camera's exposure suits them)."""
    n_features = projection.n_features
    pixels = torch.arange(n_features, device=projection.device.tensor_device)
    frames = torch.stack([pixels % ONES_FRAMES == share for share in range(ONES_FRAMES)])
    frames = frames[frames.any(dim=1)].float()
    return projection.project(frames).sum(dim=0)


class TernaryOpticalProjector:
    """ODFA's projection of an error: ternarise, project the +/- frames optically, subtract,
    then restore the error's mean that ternarisation loses, with the all-ones projection.

    The mean matters: a softmax cross-entropy error sums to zero, so DFA's signal B e never
    points along B 1, but its ternarised error mostly does (typically only the true class
    passes the threshold), which feeds every sample the same direction and makes ReLU
    networks' activations grow without bound. The ternary t stands for `rescale * t` with
    `rescale = ||e|| / ||t||`; the projected vector is `t + (mean(e) / rescale - mean(t)) 1`,
    whose mean in the error's units is mean(e).
    """

    def __init__(
        self,
        projection: LinearProjection,
        threshold: float,
        relative: bool = True,
        fidelity_every: int = 0,
        normalisation: str = "error_norm",
    ) -> None:
        """Every `fidelity_every` projections (0: never), the fidelity of that projection is
        measured (see `odfa.optics.fidelity`): against the noiseless projection, or, on a
        physical device whose T is unknown, from a second projection of the same error (its
        frames shown and counted); `fidelity` holds the latest. `normalisation`: error_norm =
        the projection rescaled by ||e|| / ||t|| (its norm tracks the error's); camera = as the
        calibrated camera delivers it, in units where the effective matrix has unit-variance
        entries, so a row's norm is about sqrt(non-zero entries of t * n_outputs), whatever the
        error's size, the loss's reduction or the batch size."""
        check_threshold(threshold, relative)
        _check_choice("signal_normalisation", normalisation, SIGNAL_NORMALISATIONS)
        if fidelity_every < 0:
            raise ValueError(f"fidelity_every must be >= 0; got {fidelity_every}")
        self.projection = projection
        self.threshold = threshold
        self.relative = relative
        self.fidelity_every = fidelity_every
        self.normalisation = normalisation
        self.ones_projection = ones_projection(projection)
        self._scratch = Scratch()  # the error's magnitude and the mean's shift of each projection
        self.projections = 0
        self.fidelity: dict[str, float] = {}
        self.fidelity_measured_at = 0  # the projection whose fidelity `fidelity` holds

    def __call__(self, error: Tensor) -> Tensor:
        """(N, n_features) error -> (N, n_outputs) projection (see `normalisation`)."""
        n_features = self.projection.n_features
        if error.ndim != 2 or error.shape[1] != n_features:
            raise ValueError(f"error must have shape (N, {n_features}); got {tuple(error.shape)}")
        error = error.detach()
        ternary = ternary_frames(error, self.threshold, self.relative, self._scratch)
        n = error.shape[0]
        projected = self.projection.project(ternary.frames)
        float_error = error.float()
        rescale = _divide_or_zero(float_error.norm(dim=1, keepdim=True), ternary.norm)
        mean_shift = _divide_or_zero(float_error.mean(dim=1, keepdim=True), rescale) - ternary.mean
        optical_ternary = projected[:n] - projected[n:]
        self.projections += 1
        fidelity = bool(self.fidelity_every) and self.projections % self.fidelity_every == 0
        optical = optical_ternary.clone() if fidelity else optical_ternary
        ones = self.ones_projection.to(error.device)
        shift = torch.mul(mean_shift, ones, out=self._scratch.like("shift", optical))
        optical.add_(shift)  # the projection of the ternary, its mean restored
        # a zero error (no lit pixel) gives no signal, not the camera's noise
        optical.mul_(rescale if self.normalisation == "error_norm" else rescale > 0)
        if fidelity:
            self.fidelity = self._fidelity(error, ternary, optical_ternary, optical)
            self.fidelity_measured_at = self.projections
        return optical.to(error.dtype)

    def _fidelity(
        self,
        error: Tensor,
        ternary: TernaryFrames,
        optical_ternary: Tensor,
        optical: Tensor,
    ) -> dict[str, float]:
        """The fidelity fields of the projection just made of `error` from its `ternary`
        (see `__init__`)."""
        projection, n = self.projection, error.shape[0]
        silent, saturated = projection.silent_fraction, projection.saturated_fraction
        if projection.device.physical:
            repeat = projection.project(ternary.frames)
            return repeat_fidelity(optical_ternary, repeat[:n] - repeat[n:], silent, saturated)
        ideal = projection.noiseless_project(torch.cat([ternary.ternary, error.float()]))
        return projection_fidelity(
            optical_ternary, optical, ideal[:n], ideal[n:], silent, saturated
        )

    @property
    def fresh_fidelity(self) -> dict[str, float]:
        """The fidelity of the latest projection if it was measured, else nothing."""
        measured = self.projections and self.fidelity_measured_at == self.projections
        return dict(self.fidelity) if measured else {}

    @property
    def n_outputs(self) -> int:
        return self.projection.device.n_outputs

    @property
    def frames_displayed(self) -> int:
        """Frames shown on the DMD so far, calibration included."""
        return self.projection.device.frames_displayed

    def modelled_seconds(self, timing: FrameRateModel) -> float:
        """MODELLED optical seconds for the frames shown so far."""
        if not self.projection.frames_known:
            raise ValueError("the frames this projection shows are not known: no modelled time")
        return timing.modelled_seconds(self.frames_displayed, self.n_outputs)

    def state_dict(self) -> dict[str, Any]:
        """Frame count, measured optics seconds, camera noise state and fidelity, for exact
        resume."""
        device = self.projection.device
        return {
            "frames_displayed": device.frames_displayed,
            "optics_seconds": self.projection.optics_seconds,
            "camera": device.camera.state_dict(),
            "projections": self.projections,
            "fidelity": dict(self.fidelity),
            "fidelity_measured_at": self.fidelity_measured_at,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        device = self.projection.device
        device.frames_displayed = state["frames_displayed"]
        self.projection.optics_seconds = state["optics_seconds"]
        device.camera.load_state_dict(state["camera"])
        self.projections = state["projections"]
        self.fidelity = dict(state["fidelity"])
        self.fidelity_measured_at = state["fidelity_measured_at"]
