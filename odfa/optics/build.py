"""ODFA's optical projector built from the `optics` settings."""

from __future__ import annotations

from odfa.errors import ConfigError
from odfa.optics.device import OpticalDevice, SimulatedOPU
from odfa.optics.lightonml_backend import LightonmlHardwareOPU, LightonmlOPU
from odfa.optics.linear_recovery import LinearTransformProjection
from odfa.optics.projection import (
    LinearProjection,
    OpticalLinearProjection,
    TernaryOpticalProjector,
)
from odfa.optics.settings import OpticsSettings


def build_optical_projector(
    n_features: int, n_outputs: int, optics: OpticsSettings, device: str = "cpu"
) -> TernaryOpticalProjector:
    """A ternary optical projector of n_features-long errors onto n_outputs camera pixels,
    simulated on the torch `device`."""
    projection: LinearProjection
    if optics.recovery == "anchor":
        n_anchor = optics.anchor_pixels or n_features
        projection = OpticalLinearProjection(
            _device(n_features + n_anchor, n_outputs, optics, device),
            n_features,
            n_anchor,
            optics.exposure_frame,
            optics.anchor_normalisation,
            optics.exposures,
        )
    else:
        if optics.backend != "lightonml":
            raise ConfigError(
                "optics recovery linear_transform is lightonml's own: set optics backend to "
                f"lightonml (got {optics.backend!r})"
            )
        if optics.exposures != 1:
            raise ConfigError("optics exposures apply to the anchor recovery only; set it to 1")
        projection = LinearTransformProjection(_device(n_features, n_outputs, optics, device))
    return TernaryOpticalProjector(
        projection,
        optics.threshold,
        optics.relative_threshold,
        optics.fidelity_every,
        optics.signal_normalisation,
    )


def _device(n_inputs: int, n_outputs: int, optics: OpticsSettings, device: str) -> OpticalDevice:
    """The optical device of the backend the settings name, with n_inputs DMD pixels."""
    if not optics.simulated and optics.backend != "lightonml":
        raise ConfigError(
            "optics simulated: false drives a real OPU through lightonml: set optics backend "
            f"to lightonml (got {optics.backend!r})"
        )
    if optics.backend == "simulated":
        return SimulatedOPU(
            n_inputs,
            n_outputs,
            seed=optics.seed,
            camera=optics.camera,
            noise_seed=optics.noise_seed,
            device=device,
            mode=optics.mode,
            precision=optics.precision,
        )
    if (optics.mode, optics.precision) != ("dense", "float32"):
        raise ConfigError(
            f"optics mode {optics.mode!r} and precision {optics.precision!r} apply to the "
            "simulated backend only; the lightonml backend is dense float32"
        )
    if not optics.simulated:
        return LightonmlHardwareOPU(n_inputs, n_outputs, headroom=optics.camera.headroom)
    return LightonmlOPU(
        n_inputs,
        n_outputs,
        seed=optics.seed,
        camera=optics.camera,
        noise_seed=optics.noise_seed,
    )
