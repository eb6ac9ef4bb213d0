"""Study 1 pieces: sequences from a token stream, the BP* settings, the corpus source switch,
the table over replicates."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from odfa.errors import ConfigError
from odfa.studies.dialogs import token_sequences, training_config
from odfa.studies.dialogs_summary import summarise_dialogs
from tests.conftest import tables_in


def test_token_sequences_pair_each_token_with_the_next():
    inputs, targets = token_sequences(np.arange(11, dtype=np.uint16), context_length=4)
    assert inputs.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert targets.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert inputs.dtype == torch.int64


def test_a_stride_of_one_starts_a_window_at_every_token():
    inputs, targets = token_sequences(np.arange(7, dtype=np.uint16), context_length=4, stride=1)
    assert inputs.tolist() == [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]
    assert targets.tolist() == [[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]]


def test_the_default_stride_is_the_context_length():
    tokens = np.arange(23, dtype=np.uint16)
    side_by_side = token_sequences(tokens, context_length=4)
    assert all(
        torch.equal(default, explicit)
        for default, explicit in zip(side_by_side, token_sequences(tokens, 4, 4), strict=True)
    )
    assert len(token_sequences(tokens, 4, stride=2)[0]) == 10


def test_too_few_tokens_for_one_sequence_is_an_error():
    with pytest.raises(ValueError, match="cannot fill one sequence"):
        token_sequences(np.arange(4, dtype=np.uint16), context_length=4)


def test_bp_star_has_its_own_settings(config):
    dialogs = config["dialogs"]
    shared, tuned = training_config(dialogs, "odfa"), training_config(dialogs, "bp_star")
    assert shared.learning_rate == config["dialogs"]["training"]["learning_rate"]
    assert tuned.learning_rate == config["dialogs"]["bp_star_training"]["learning_rate"]
    assert training_config(dialogs, "bp") == training_config(dialogs, "dfa")
    assert shared.milestones == (0.0, 0.2, 1.0)


def test_milestones_are_set_once_for_the_study(config):
    config["dialogs"]["bp_star_training"]["milestones"] = [0.5]
    with pytest.raises(ConfigError, match=r"dialogs\.bp_star_training\.milestones"):
        training_config(config["dialogs"], "bp_star")


def test_the_summary_has_each_runs_mean_and_spread_and_orders_only_beyond_it(tmp_path):
    losses = {"bp": (2.0, 2.2), "dfa": (3.0, 3.2), "odfa": (3.1, 3.5)}
    for run, values in losses.items():
        for replicate, loss in enumerate(values):
            folder = tmp_path / "runs" / run / f"replicate-{replicate}"
            folder.mkdir(parents=True)
            metrics = {"final_validation_loss": loss, "steps": 10,
                       "fingerprint": f"{run}{replicate}", "provenance": {"code": "x"}}  # fmt: skip
            (folder / "metrics.json").write_text(json.dumps(metrics))
    summary = summarise_dialogs(list(losses), 2, tmp_path / "runs", tables_in(tmp_path)).set_index(
        "method"
    )
    assert summary.loc["dfa", "final_validation_loss"] == 3.1
    assert summary.loc["odfa", "final_validation_loss_std"] == pytest.approx(0.2828, abs=1e-4)
    assert (summary["replicates"] == 2).all()
    replicates = pd.read_csv(tmp_path / "replicates.csv")
    assert len(replicates) == 6 and "provenance" not in replicates
    comparisons = pd.read_csv(tmp_path / "comparisons.csv").set_index(["method", "versus"])
    assert bool(comparisons.loc[("bp", "dfa"), "exceeds_spread"])  # 2.1 vs 3.1, spreads 0.14
    assert not bool(comparisons.loc[("dfa", "odfa"), "exceeds_spread"])  # 3.1 vs 3.3
