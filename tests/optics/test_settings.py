"""The `optics` section as one typed object: the schema's defaults, a typed camera and timing
model, and the key at fault named."""

from __future__ import annotations

import pytest

from odfa.config import load_config
from odfa.errors import ConfigError
from odfa.optics.settings import OpticsSettings
from tests.conftest import REPO
from tests.optics.test_build import SETTINGS


def test_the_settings_fill_in_the_schemas_defaults_and_type_the_camera_and_timing():
    settings = OpticsSettings.from_settings({**SETTINGS, "timing": {"frame_time_us": 900}})
    assert (settings.recovery, settings.exposures, settings.mode) == ("anchor", 1, "dense")
    assert (settings.exposure_frame, settings.anchor_normalisation) == ("anchor", "floored")
    assert settings.camera.bits == 10 and settings.camera.headroom == 0.9
    assert settings.timing.frame_time_us == 900 and settings.timing.power_w == 30.0
    assert settings.signal_normalisation == "error_norm"
    assert OpticsSettings.from_settings({**SETTINGS, "camera": "ideal"}).camera.is_ideal


def test_the_default_configs_optics_are_its_own_values():
    section = load_config(REPO / "config" / "config.yaml")["optics"]
    settings = OpticsSettings.from_settings(section)
    assert settings.fidelity_every == section["fidelity_every"] == 10  # the schema's default
    assert settings.camera.bits == section["camera"]["bits"]
    assert settings.timing.power_w == section["timing"]["power_w"]


@pytest.mark.parametrize(
    "override, message",
    [
        ({"noise_seed": None}, r"optics: noise_seed: None is not of type 'integer'"),
        ({"exposures": 0}, r"optics: exposures: 0 is less than the minimum of 1"),
        ({"mode": "sparse"}, r"optics: mode: 'sparse' is not one of \['dense', 'streamed'\]"),
        (
            {"signal_normalisation": "exposure"},
            r"optics: signal_normalisation: 'exposure' is not one of \['error_norm', 'camera'\]",
        ),
    ],
)
def test_a_bad_value_names_its_key(override, message):
    with pytest.raises(ConfigError, match=message):
        OpticsSettings.from_settings(SETTINGS | override)


def test_a_missing_key_is_named():
    settings = {key: value for key, value in SETTINGS.items() if key != "noise_seed"}
    with pytest.raises(ConfigError, match=r"optics: .*'noise_seed' is a required property"):
        OpticsSettings.from_settings(settings)
