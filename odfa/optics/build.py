"""ODFA's optical projector built from the `optics` settings of a config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odfa.errors import ConfigError
from odfa.optics.camera import CameraConfig
from odfa.optics.device import OpticalDevice, SimulatedOPU
from odfa.optics.lightonml_backend import LightonmlHardwareOPU, LightonmlOPU
from odfa.optics.linear_recovery import LinearTransformProjection
from odfa.optics.projection import (
    LinearProjection,
    OpticalLinearProjection,
    TernaryOpticalProjector,
)

BACKENDS = ("simulated", "lightonml")
RECOVERIES = ("anchor", "linear_transform")
SETTINGS_KEYS = (
    "backend",
    "seed",
    "noise_seed",
    "anchor_pixels",
    "threshold",
    "relative_threshold",
    "camera",
    "device",
)  # optional: "simulated" (True), "recovery" ("anchor"), "mode" ("dense"), "precision"
# ("float32"), "fidelity_every" (0), "exposure_frame" ("anchor"), "anchor_normalisation"
# ("floored"), "exposures" (1)


def build_optical_projector(
    n_features: int, n_outputs: int, settings: Mapping[str, Any]
) -> TernaryOpticalProjector:
    """A ternary optical projector of n_features-long errors onto n_outputs camera pixels."""
    missing = [key for key in SETTINGS_KEYS if key not in settings]
    if missing:
        raise ConfigError(
            f"optical settings are missing keys {missing}; expected {list(SETTINGS_KEYS)}"
        )
    recovery = settings.get("recovery", "anchor")
    if recovery not in RECOVERIES:
        raise ConfigError(f"unknown optics recovery {recovery!r}; choose one of {list(RECOVERIES)}")
    projection: LinearProjection
    if recovery == "anchor":
        n_anchor = settings["anchor_pixels"] or n_features
        projection = OpticalLinearProjection(
            _device(n_features + n_anchor, n_outputs, settings),
            n_features,
            n_anchor,
            settings.get("exposure_frame", "anchor"),
            settings.get("anchor_normalisation", "floored"),
            settings.get("exposures", 1),
        )
    else:
        if settings["backend"] != "lightonml":
            raise ConfigError(
                "optics recovery linear_transform is lightonml's own: set optics backend to "
                f"lightonml (got {settings['backend']!r})"
            )
        if settings.get("exposures", 1) != 1:
            raise ConfigError("optics exposures apply to the anchor recovery only; set it to 1")
        projection = LinearTransformProjection(_device(n_features, n_outputs, settings))
    return TernaryOpticalProjector(
        projection,
        settings["threshold"],
        settings["relative_threshold"],
        settings.get("fidelity_every", 0),
    )


def _device(n_inputs: int, n_outputs: int, settings: Mapping[str, Any]) -> OpticalDevice:
    """The optical device of the backend the settings name, with n_inputs DMD pixels."""
    camera = _camera_config(settings["camera"])
    backend = settings["backend"]
    mode = settings.get("mode", "dense")
    precision = settings.get("precision", "float32")
    simulated = settings.get("simulated", True)
    if backend not in BACKENDS:
        raise ConfigError(f"unknown optical backend {backend!r}; choose one of {list(BACKENDS)}")
    if not simulated and backend != "lightonml":
        raise ConfigError(
            "optics simulated: false drives a real OPU through lightonml: set optics backend "
            f"to lightonml (got {backend!r})"
        )
    if backend == "simulated":
        return SimulatedOPU(
            n_inputs,
            n_outputs,
            seed=settings["seed"],
            camera=camera,
            noise_seed=settings["noise_seed"],
            device=settings["device"],
            mode=mode,
            precision=precision,
        )
    if (mode, precision) != ("dense", "float32"):
        raise ConfigError(
            f"optics mode {mode!r} and precision {precision!r} apply to the simulated "
            "backend only; the lightonml backend is dense float32"
        )
    if not simulated:
        return LightonmlHardwareOPU(n_inputs, n_outputs, headroom=camera.headroom)
    return LightonmlOPU(
        n_inputs, n_outputs, seed=settings["seed"], camera=camera, noise_seed=settings["noise_seed"]
    )


def _camera_config(camera: str | Mapping[str, Any]) -> CameraConfig:
    """CameraConfig from the string "ideal" or a mapping of its fields."""
    if camera == "ideal":
        return CameraConfig.ideal()
    if not isinstance(camera, Mapping):
        raise ConfigError(f"camera settings must be 'ideal' or a mapping of fields; got {camera!r}")
    known = set(CameraConfig.__dataclass_fields__)
    unknown = sorted(set(camera) - known)
    if unknown:
        raise ConfigError(f"unknown camera settings {unknown}; expected some of {sorted(known)}")
    return CameraConfig(**camera)
