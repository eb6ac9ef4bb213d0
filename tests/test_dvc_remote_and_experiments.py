"""`dvc push` / `dvc pull` restore the tiny project's outputs, and `dvc exp run -S` varies a
setting: on a copy of the tiny project (run by Snakemake, recorded in DVC by `odfa pipeline
record`)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import BIN, in_project_ok


def digests(root: Path, folders: list[str]) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted((root / folder).rglob("*"))
        if path.is_file() and ".gitignore" not in path.name
    }


@pytest.mark.slow
def test_push_wipe_and_pull_restore_every_cached_output(tiny_copy, tmp_path):
    cached = ["data/processed", "results/dialogs/runs", "results/climate/runs"]
    before = digests(tiny_copy, cached)
    in_project_ok(tiny_copy, str(BIN / "dvc"), "remote", "add", "--default", "local",
                  str(tmp_path / "remote"))  # fmt: skip
    in_project_ok(tiny_copy, str(BIN / "dvc"), "push", "--quiet")
    for folder in ("data/raw", "data/processed", "results", ".dvc/cache"):
        shutil.rmtree(tiny_copy / folder, ignore_errors=True)
    in_project_ok(tiny_copy, str(BIN / "dvc"), "pull", "--quiet")
    after = digests(tiny_copy, cached)
    assert after == {name: digest for name, digest in before.items() if name in after}
    models = [name for name in before if name.endswith("model.pt")]
    assert models and all(name in after for name in models)
    assert all(name in after for name in before if "/checkpoints/" in name or "processed" in name)


def _exp_runs(node: object) -> list[dict]:
    """Every experiment record (with params and metrics) in `dvc exp show --json` output."""
    if isinstance(node, dict):
        found = [node] if {"params", "metrics"} <= node.keys() else []
        return found + [run for value in node.values() for run in _exp_runs(value)]
    if isinstance(node, list):
        return [run for value in node for run in _exp_runs(value)]
    return []


@pytest.mark.slow
def test_dvc_exp_run_varies_a_setting_and_exp_show_lists_its_headline_metrics(tiny_copy):
    git = ["git", "-c", "user.name=odfa", "-c", "user.email=odfa@example.org"]
    in_project_ok(tiny_copy, *git, "add", "-A")
    in_project_ok(tiny_copy, *git, "commit", "-q", "-m", "tiny run")
    # BP*'s learning rate: its one run trains again, then the summary; no other run reads it
    setting = "config/config.yaml:dialogs.bp_star_training.learning_rate=0.001"
    ran = in_project_ok(
        tiny_copy, str(BIN / "dvc"), "exp", "run", "-S", setting, "dialogs_summarise"
    )
    output = ran.stdout + ran.stderr
    assert "Running stage 'dialogs_train-bp_star@0'" in output
    assert "Running stage 'dialogs_summarise'" in output
    assert "Running stage 'dialogs_train-odfa" not in output
    assert "Running stage 'digits_train" not in output
    committed = yaml.safe_load(
        in_project_ok(tiny_copy, "git", "show", "HEAD:config/config.yaml").stdout
    )
    committed["dialogs"]["bp_star_training"]["learning_rate"] = 0.001  # that one, nothing else
    assert yaml.safe_load((tiny_copy / "config" / "config.yaml").read_text()) == committed
    shown = json.loads(in_project_ok(tiny_copy, str(BIN / "dvc"), "exp", "show", "--json").stdout)
    losses = {}
    for record in _exp_runs(shown):
        assert all("/runs/" not in name for name in record["metrics"])  # summaries only
        rate = record["params"]["config/config.yaml"]["data"]["dialogs"]["bp_star_training"]
        summary = record["metrics"]["results/dialogs/metrics.json"]["data"]
        losses[rate["learning_rate"]] = summary["bp_star"]["final_validation_loss"]
    assert set(losses) == {3.0e-3, 0.001} and losses[0.003] != losses[0.001]
