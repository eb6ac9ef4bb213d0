"""Shared fixtures: the validated default config and small networks."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import torch

from odfa.config import load_config
from odfa.models import FCNN, FCNNConfig

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = load_config(REPO / "config" / "config.yaml")


@pytest.fixture
def config() -> dict[str, Any]:
    """A fresh copy of the validated default config (tests may modify it)."""
    return copy.deepcopy(DEFAULT_CONFIG)


@pytest.fixture
def small_fcnn() -> FCNN:
    torch.manual_seed(0)
    return FCNN(FCNNConfig(input_dim=12, hidden_dims=[16, 8], output_dim=5, activation="tanh"))
