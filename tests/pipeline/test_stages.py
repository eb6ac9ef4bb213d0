"""The settings table: what each stage reads, and a config cut down to exactly that."""

from __future__ import annotations

import pytest

from odfa.pipeline.stages import (
    STAGES,
    command_line,
    restricted_config,
    setting_keys,
    stage_handlers,
    stage_settings,
)
from tests.conftest import DEFAULT_CONFIG


def test_a_training_job_reads_its_methods_sections_and_no_others():
    base = ["device", "threads", "climate.models.vit", "climate.training.vit"]
    assert setting_keys("climate_train", {"model": "vit", "method": "bp"}) == base
    assert setting_keys("climate_train", {"model": "vit", "method": "dfa"}) == [*base, "feedback"]
    assert setting_keys("climate_train", {"model": "vit", "method": "odfa"}) == [
        *base, "feedback", "optics",
    ]  # fmt: skip


def test_bp_star_reads_its_own_training_section():
    assert "dialogs.bp_star_training" in setting_keys("dialogs_train", {"run": "bp_star"})
    assert "dialogs.training" in setting_keys("dialogs_train", {"run": "bp"})
    assert "dialogs.bp_star_training" not in setting_keys("dialogs_evaluate", {"run": "bp_star"})


def test_every_stage_names_settings_that_exist_in_the_default_config():
    for name in STAGES:
        wildcards = {"method": "odfa", "run": "bp_star", "model": "fcnn", "replicate": "1"}
        assert isinstance(stage_settings(DEFAULT_CONFIG, name, wildcards), dict), name


def test_a_restricted_config_holds_only_the_stage_settings():
    config = restricted_config(DEFAULT_CONFIG, "digits_train", {"method": "dfa", "replicate": "0"})
    assert config["digits"]["training"] == DEFAULT_CONFIG["digits"]["training"]
    assert config["feedback"] == DEFAULT_CONFIG["feedback"]
    assert "optics" not in config and "methods" not in config["digits"]
    config["digits"]["training"]["epochs"] = 99  # a copy: the source is untouched
    assert DEFAULT_CONFIG["digits"]["training"]["epochs"] != 99


def test_an_unknown_stage_or_key_is_named():
    with pytest.raises(ValueError, match="unknown pipeline stage 'digits_fly'"):
        setting_keys("digits_fly", {})
    with pytest.raises(KeyError, match=r"no setting 'dialogs\.model'"):
        stage_settings({"threads": 1, "dialogs": {}}, "dialogs_evaluate", {"run": "bp"})


def test_each_stage_is_a_subcommand_whose_digest_follows_the_functions_it_runs():
    from odfa.cli import COMMANDS

    for name, definition in STAGES.items():
        group, action = definition.command.split()
        assert COMMANDS[group][1][action].handler.args == (name,), name
        handlers = stage_handlers(name)
        runner = "run_stage" if definition.method is None else "run_training_stage"
        assert handlers[0] == f"odfa.cli:{runner}"
        assert f"{definition.run.__module__}:{definition.run.__name__}" in handlers


def test_a_rule_command_is_rendered_from_the_stage_and_checked_against_its_options():
    line = command_line("digits_plot", runs="{params.runs}", summary="{input.s}", out="{output}")
    assert line == (
        "odfa digits plot --runs {params.runs} --summary {input.s} --out {output} > {log} 2>&1"
    )
    assert command_line("scaling_sweep", out="{output}").startswith(
        'odfa scaling sweep --config "$ODFA_CONFIG" --out'
    )  # a stage that reads settings reads the effective config
    with pytest.raises(ValueError, match=r"no options \['method'\] and needs \['summary'\]"):
        command_line("digits_plot", runs="r", out="o", method="bp")
