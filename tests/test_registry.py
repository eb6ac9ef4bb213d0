"""The registry is the one list of methods, runs and models: the schema, the CLI and the
methods' modules agree with it."""

from __future__ import annotations

import importlib

import pytest

from odfa.cli import build_parser
from odfa.config import load_schema
from odfa.registry import (
    CLIMATE_MODELS,
    DIALOGS_RUNS,
    METHODS,
    RUN_LABELS,
    SCALING_METHODS,
    check_method,
)


def _enum(*path: str) -> list[str]:
    schema = node = load_schema()
    for part in path:
        node = node["properties"][part]
    items = node["items"]
    return (
        schema["$defs"][items["$ref"].rsplit("/", 1)[1]]["enum"]
        if "$ref" in items
        else items["enum"]
    )


def test_the_schema_allows_exactly_the_registered_methods_and_runs():
    assert _enum("digits", "methods") == list(METHODS)
    assert _enum("climate", "methods") == list(METHODS)
    assert _enum("dialogs", "methods") == list(DIALOGS_RUNS)
    assert _enum("scaling", "methods") == list(SCALING_METHODS)
    assert set(load_schema()["properties"]["climate"]["properties"]["models"]["properties"]) == (
        set(CLIMATE_MODELS)
    )


def test_every_method_module_builds_its_method():
    for method in METHODS.values():
        assert callable(importlib.import_module(method.module).build), method.name
    assert set(RUN_LABELS) == set(DIALOGS_RUNS) and RUN_LABELS["bp_star"] == "BP*"


def test_the_cli_offers_the_registered_choices():
    parser = build_parser()
    args = parser.parse_args(["dialogs", "train", "--config", "c.yaml", "--run", "bp_star",
                              "--data", "d", "--out", "o"])  # fmt: skip
    assert args.run == "bp_star"
    with pytest.raises(SystemExit):
        parser.parse_args(["digits", "train", "--config", "c", "--method", "bp_star", "--out", "o"])


def test_an_unknown_method_is_named():
    with pytest.raises(ValueError, match=r"unknown training method 'hebbian'"):
        check_method("hebbian")
