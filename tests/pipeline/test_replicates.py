"""A replicate's seeds derive from the config's; its settings never hold the replicate count."""

from __future__ import annotations

import pytest

from odfa.pipeline.replicates import SEED_STRIDE, replicate_config
from odfa.pipeline.stages import restricted_config, stage_settings
from tests.conftest import DEFAULT_CONFIG


def test_replicate_zero_is_the_configs_own_seeds():
    assert replicate_config(DEFAULT_CONFIG, "dialogs", 0) == DEFAULT_CONFIG


def test_each_seed_of_training_feedback_and_optics_is_shifted():
    shifted = replicate_config(DEFAULT_CONFIG, "climate", 2)
    for section, key in (("feedback", "seed"), ("optics", "seed"), ("optics", "noise_seed")):
        assert shifted[section][key] == DEFAULT_CONFIG[section][key] + 2 * SEED_STRIDE
    for model in ("vit", "fcnn"):
        assert shifted["climate"]["training"][model]["seed"] == 2 * SEED_STRIDE
    assert shifted["climate"]["sample"] == DEFAULT_CONFIG["climate"]["sample"]  # same data
    assert shifted["dialogs"] == DEFAULT_CONFIG["dialogs"]  # another study's seeds stay


def test_a_replicate_job_reads_its_seeds_and_not_the_count():
    wildcards = {"run": "odfa", "replicate": "1"}
    settings = stage_settings(DEFAULT_CONFIG, "dialogs_train", wildcards)
    assert settings["dialogs.training"]["seed"] == SEED_STRIDE
    assert settings["optics"]["seed"] == DEFAULT_CONFIG["optics"]["seed"] + SEED_STRIDE
    assert not any("replicates" in key for key in settings)
    more = {**DEFAULT_CONFIG, "dialogs": {**DEFAULT_CONFIG["dialogs"], "replicates": 7}}
    assert stage_settings(more, "dialogs_train", wildcards) == settings
    job = restricted_config(DEFAULT_CONFIG, "dialogs_train", wildcards)
    assert job["dialogs"]["training"]["seed"] == SEED_STRIDE  # derived once


def test_bad_replicates_are_refused():
    with pytest.raises(ValueError, match="unknown replicated study"):
        replicate_config(DEFAULT_CONFIG, "scaling", 1)
    with pytest.raises(ValueError, match=">= 0"):
        replicate_config(DEFAULT_CONFIG, "digits", -1)
