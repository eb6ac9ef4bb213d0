"""Study 1 pieces: sequences from a token stream, the BP* settings, the corpus source switch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from odfa.errors import ConfigError
from odfa.studies.dialogs import token_sequences, training_config


def test_token_sequences_pair_each_token_with_the_next():
    inputs, targets = token_sequences(np.arange(11, dtype=np.uint16), context_length=4)
    assert inputs.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert targets.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert inputs.dtype == torch.int64


def test_too_few_tokens_for_one_sequence_is_an_error():
    with pytest.raises(ValueError, match="cannot fill one sequence"):
        token_sequences(np.arange(4, dtype=np.uint16), context_length=4)


def test_bp_star_has_its_own_settings(config):
    shared, tuned = training_config(config, "odfa"), training_config(config, "bp_star")
    assert shared.learning_rate == config["dialogs"]["training"]["learning_rate"]
    assert tuned.learning_rate == config["dialogs"]["bp_star_training"]["learning_rate"]
    assert training_config(config, "bp") == training_config(config, "dfa")
    assert shared.milestones == (0.0, 0.2, 1.0)


def test_milestones_are_set_once_for_the_study(config):
    config["dialogs"]["bp_star_training"]["milestones"] = [0.5]
    with pytest.raises(ConfigError, match=r"dialogs\.bp_star_training\.milestones"):
        training_config(config, "bp_star")
