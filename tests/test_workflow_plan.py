"""The Snakemake workflow's plan, on any folder: its job graph, scheduler resources and config
layering from the config, one job run with command-line overrides, and Snakemake's lint."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from odfa.config import load_config
from odfa.data.digits import load_digits_split
from odfa.errors import ConfigError
from tests.conftest import DEFAULT_CONFIG, REPO, snakemake, tiny_config

pytestmark = pytest.mark.slow  # Snakemake runs and dry runs

STUDIES = ("digits", "dialogs", "climate")  # the replicated ones


def test_the_dry_run_lists_every_step(tmp_path):
    default = str(REPO / "config" / "config.yaml")
    result = snakemake(
        "all", "--dry-run", "--quiet", "rules", "--configfile", default, "-d", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    counts = {row[0]: row[1] for row in rows if len(row) == 2 and row[1].isdigit()}
    replicates = {study: DEFAULT_CONFIG[study]["replicates"] for study in STUDIES}
    expected = {
        "digits_prepare": "1",
        "digits_train": str(4 * replicates["digits"]),
        "digits_summarise": "1",
        "digits_plot": "1",
        "dialogs_fetch": "1",
        "dialogs_prepare": "1",
        "dialogs_train": str(5 * replicates["dialogs"]),
        "dialogs_evaluate": "5",  # replicate 0's samples and attention
        "dialogs_summarise": "1",
        "dialogs_plot": "1",
        "climate_fetch": "1",
        "climate_prepare": "1",
        "climate_train": str(6 * replicates["climate"]),
        "climate_score": str(6 * replicates["climate"]),
        "climate_baseline": "1",  # one deterministic pattern-scaling fit
        "climate_summarise": "1",
        "climate_plot": "1",
        "scaling_sweep": "1",
        "scaling_projections": "1",
        "scaling_summarise": "1",
        "scaling_plot": "1",
    }
    assert expected.items() <= counts.items(), result.stdout


def test_scheduler_resources_come_from_the_config(tmp_path):
    """(A changed resource reruns nothing: tests/reruns/test_settings.py.)"""
    config = tiny_config()
    config["resources"]["dialogs_train"] = {"mem_mb": 12345, "runtime": 678}
    path = tmp_path / "resources.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake("all", "-n", "--configfile", str(path), "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    jobs = result.stdout.split("\nrule ")
    train = [job for job in jobs if job.startswith("dialogs_train:")]
    assert len(train) == 5 * config["dialogs"]["replicates"]
    assert all("mem_mb=12345" in job and "runtime=678" in job for job in train)


def test_every_job_reads_the_effective_config(tmp_path):
    config = tiny_config()
    config["digits"]["training"]["epochs"] = 3
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    target = "results/digits/runs/bp/replicate-0/metrics.json"
    override = ("--config", "digits={training: {epochs: 1}}")
    result = snakemake(
        "--cores", "1", "--configfile", str(path), *override, "-d", str(tmp_path), target
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((tmp_path / target).read_text())
    assert metrics["provenance"]["settings"]["digits.training"]["epochs"] == 1
    assert metrics["provenance"]["settings"]["digits.training"]["batch_size"] == 32
    training_samples = len(load_digits_split(0.2, 0).train_labels)
    assert metrics["steps"] == math.ceil(training_samples / 32)  # one epoch, batches of 32


def _leaves(config: dict, prefix: str = "") -> dict:
    """{dotted key: value} of every non-mapping value."""
    leaves = {}
    for key, value in config.items():
        if isinstance(value, dict):
            leaves |= _leaves(value, f"{prefix}{key}.")
        else:
            leaves[f"{prefix}{key}"] = value
    return leaves


def test_the_paper_config_holds_only_what_differs_and_snakemake_layers_it(tmp_path):
    paper = _leaves(yaml.safe_load((REPO / "config" / "paper.yaml").read_text()))
    default = _leaves(DEFAULT_CONFIG)
    assert paper and all(default.get(key, KeyError) != value for key, value in paper.items())
    result = snakemake(
        "all", "-n", "--configfile", str(REPO / "config" / "paper.yaml"), "-d", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "odfa: ESTIMATED GPU-hours of this config's jobs" in result.stderr  # the dry run's cost
    (effective,) = (tmp_path / ".snakemake" / "odfa").glob("config-*.yaml")
    expected = load_config(REPO / "config" / "config.yaml", REPO / "config" / "paper.yaml")
    assert yaml.safe_load(effective.read_text()) == expected
    assert expected["dialogs"]["model"]["embedding_dim"] == 2040
    assert expected["optics"] == DEFAULT_CONFIG["optics"]


def test_the_workflow_passes_snakemakes_lint(tmp_path):
    result = snakemake("--lint", "-d", str(tmp_path))
    assert result.returncode == 0 and "good condition" in result.stdout + result.stderr, (
        result.stdout[-3000:]
    )


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"digits": {"trainin": {"epochs": 1}}}, "digits: Additional properties are not allowed"),
        (
            {"dialogs": {"training": {"learning_rate": float("nan")}}},
            "learning_rate: nan is not a finite",
        ),
    ],
)
def test_a_bad_config_stops_snakemake_with_the_line_odfa_config_check_gives(
    tmp_path, layer, message
):
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(layer))
    result = snakemake("all", "-n", "--configfile", str(path), "-d", str(tmp_path))
    checked = load_config_error(REPO / "config" / "config.yaml", path)
    assert result.returncode != 0 and message in checked
    assert f"odfa: error: {checked}\n" in result.stderr
    assert len(result.stderr.splitlines()) <= 3  # the profile's and the layering's notes first


def load_config_error(*paths) -> str:
    """The message `odfa config check` gives for `paths`."""
    with pytest.raises(ConfigError) as raised:
        load_config(*paths)
    return str(raised.value)
