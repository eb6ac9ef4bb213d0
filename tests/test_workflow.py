"""The Snakemake workflow: its job graph, a whole run on a tiny config, and refused overrides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import DEFAULT_CONFIG, REPO

BIN = Path(sys.executable).parent


def snakemake(*arguments: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"), *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def tiny_config(tmp_path: Path) -> Path:
    config = json.loads(json.dumps(DEFAULT_CONFIG))
    config["digits"]["training"]["epochs"] = 2
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_the_dry_run_lists_every_digits_step(tmp_path):
    default = str(REPO / "config" / "config.yaml")
    result = snakemake(
        "all", "--dry-run", "--quiet", "rules", "--configfile", default, "-d", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    for rule, count in [("digits_train", 4), ("digits_summary", 1), ("digits_figure", 1)]:
        assert any(line.split() == [rule, str(count)] for line in result.stdout.splitlines()), (
            result.stdout
        )


def test_a_tiny_config_runs_end_to_end(tmp_path):
    config_path = tiny_config(tmp_path)
    result = snakemake(
        "--cores", "2", "--configfile", str(config_path), "--directory", str(tmp_path), "all"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((tmp_path / "results" / "digits" / "metrics.json").read_text())
    assert set(metrics) == {"bp", "dfa", "odfa", "shallow"}
    assert all(0.0 <= run["test_accuracy"] <= 1.0 for run in metrics.values())
    assert (tmp_path / "results" / "figures" / "digits.png").stat().st_size > 10_000


def test_command_line_overrides_are_refused_with_a_reason(tmp_path):
    result = snakemake("all", "--dry-run", "--config", "device=cpu")
    assert result.returncode != 0
    assert "put the change in a config file" in result.stderr + result.stdout


def test_a_bad_config_fails_before_any_job_runs(tmp_path):
    config = json.loads(json.dumps(DEFAULT_CONFIG))
    config["digits"]["training"]["learning_rate"] = "fast"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake("--dry-run", "--configfile", str(path), "--directory", str(tmp_path), "all")
    assert result.returncode != 0
    assert "learning_rate" in result.stderr + result.stdout
    assert not (tmp_path / "results").exists()
