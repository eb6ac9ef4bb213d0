"""Config validation: an unknown key or a bad value fails with a message naming the key."""

from __future__ import annotations

import copy
import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from odfa.config import ConfigError, defaults, load_config, validate_config
from odfa.pipeline.code import code_files
from tests.conftest import DEFAULT_CONFIG, REPO


def test_the_default_config_is_valid_and_gets_defaults():
    config = load_config(REPO / "config" / "config.yaml")
    assert config["digits"]["training"]["schedule"] == "constant"  # filled from the schema


def test_the_packaged_defaults_are_the_repositorys_config_from_any_directory(tmp_path):
    code = "import json; from odfa.config import defaults; print(json.dumps(defaults()))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == json.loads(json.dumps(DEFAULT_CONFIG))


def test_the_packaged_defaults_are_settings_not_code():
    """A setting changed in config/config.yaml changes no stage's code digest."""
    assert [path for path in code_files(["odfa.config"]) if path.suffix != ".py"] == []


def test_the_defaults_are_a_fresh_copy_each_time():
    changed = defaults()
    changed["feedback"]["seed"] += 1
    assert defaults() == DEFAULT_CONFIG


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("digits", "training", "learning_rate"), -1, r"digits\.training\.learning_rate: -1"),
        (("digits", "training", "optimizer"), "rmsprop", r"digits\.training\.optimizer: 'rmsprop'"),
        (("digits", "methods"), ["bp", "backprop"], r"digits\.methods\.1: 'backprop'"),
        (("optics", "camera"), {"bits": "8"}, r"optics\.camera\.bits: '8' is not of type"),
        (("optics", "backend"), "hardware", r"optics\.backend: 'hardware'"),
        (("device",), "tpu", r"device: 'tpu'"),
        (
            ("digits", "training", "learning_rate"),
            float("nan"),
            r"learning_rate: nan is not a finite",
        ),
        (
            ("dialogs", "training", "learning_rate"),
            float("inf"),
            r"learning_rate: inf is not a finite",
        ),
        (("optics", "threshold"), float("-inf"), r"optics\.threshold: -inf is not a finite"),
    ],
)
def test_a_bad_value_names_its_key(path, value, message):
    config = copy.deepcopy(DEFAULT_CONFIG)
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError, match=message):
        validate_config(config)


def test_an_unknown_key_is_named():
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["digits"]["training"]["lerning_rate"] = 0.1
    with pytest.raises(ConfigError, match=r"digits\.training: .*'lerning_rate' was unexpected"):
        validate_config(config)


def test_a_missing_section_is_named():
    config = copy.deepcopy(DEFAULT_CONFIG)
    del config["optics"]
    with pytest.raises(ConfigError, match="'optics' is a required property"):
        validate_config(config)


def test_unreadable_files_are_reported(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("device: [auto\n")
    with pytest.raises(
        ConfigError, match=r"broken\.yaml is not valid YAML at line 2, column 1: "
    ) as raised:
        load_config(broken)
    assert "\n" not in str(raised.value)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text(yaml.safe_dump("auto"))
    with pytest.raises(ConfigError, match="mapping"):
        load_config(scalar)


def test_a_layer_checked_alone_says_how_to_layer_it():
    with pytest.raises(ConfigError, match="layered over it"):
        load_config(REPO / "config" / "paper.yaml")


def test_later_files_are_merged_over_earlier_ones(tmp_path):
    layer = tmp_path / "layer.yaml"
    layer.write_text("digits:\n  training: {learning_rate: 0.5}\n")
    config = load_config(REPO / "config" / "config.yaml", layer)
    assert config["digits"]["training"]["learning_rate"] == 0.5
    assert config["digits"]["training"]["epochs"] == DEFAULT_CONFIG["digits"]["training"]["epochs"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("digits.training.learning_rate", 0.02), ("optics.threshold", 0.2), ("threads", 2)],
)
def test_dvc_experiments_change_only_the_line_of_the_setting_they_set(tmp_path, key, value):
    """`dvc exp run -S` rewrites config/config.yaml with DVC's YAML writer: the file is kept in
    that writer's layout, so an experiment's diff is its one setting."""
    from dvc.utils.hydra import apply_overrides

    path = tmp_path / "config.yaml"
    original = (REPO / "config" / "config.yaml").read_text()
    path.write_text(original)
    apply_overrides(str(path), [f"{key}={value}"])
    removed, added = (
        [line[2:] for line in difflib.ndiff(original.splitlines(), path.read_text().splitlines())
         if line.startswith(sign)]
        for sign in ("- ", "+ ")
    )  # fmt: skip
    leaf = key.split(".")[-1]
    assert len(removed) == len(added) == 1 and added[0].lstrip().startswith(f"{leaf}: {value}")
    expected = yaml.safe_load(original)
    *parents, _ = key.split(".")
    section = expected
    for part in parents:
        section = section[part]
    section[leaf] = value
    assert yaml.safe_load(path.read_text()) == expected


def test_every_setting_of_the_schema_has_a_description():
    from odfa.config_reference import every_setting

    settings = every_setting()
    assert len(settings) > 100  # the walk reaches every section, shared definitions included
    assert [setting.key for setting in settings if not setting.description.strip()] == []


def test_the_config_reference_is_what_the_schema_renders():
    """docs/config.md is current: after a schema change, `make docs/config.md`."""
    from odfa.config_reference import render

    assert (REPO / "docs" / "config.md").read_text() == render()


def test_the_config_reference_lists_each_setting_with_its_default_and_bounds():
    from odfa.config_reference import render

    rows = {line.split(" | ")[0]: line for line in render().splitlines() if line.startswith("| `")}
    learning_rate = rows["| `learning_rate`"]  # shared by every study's training section
    assert "> 0" in learning_rate and "*required*" in learning_rate
    bits = rows["| `optics.camera.bits`"]
    assert "≥ 1; ≤ 16" in bits and "| `8` |" in bits  # the default config's value
    assert "`adam`, `sgd`" in rows["| `optimizer`"]
