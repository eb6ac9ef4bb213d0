"""The Snakemake workflow: its job graph, a whole run on a tiny config, and refused overrides."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import yaml

from odfa.config import load_config
from odfa.data.digits import load_digits_split
from tests.conftest import DEFAULT_CONFIG, REPO, assert_image, planned_jobs, snakemake, tiny_config

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
        "digits_train": str(4 * replicates["digits"]),
        "digits_summary": "1",
        "digits_figure": "1",
        "dialogs_fetch": "1",
        "dialogs_prepare": "1",
        "dialogs_train": str(5 * replicates["dialogs"]),
        "dialogs_evaluate": "5",  # replicate 0's samples and attention
        "dialogs_summary": "1",
        "dialogs_figures": "1",
        "climate_fetch": "1",
        "climate_prepare": "1",
        "climate_train": str(6 * replicates["climate"]),
        "climate_score": str(6 * replicates["climate"]),
        "climate_summary": "1",
        "climate_figures": "1",
        "scaling_sweep": "1",
        "scaling_figures": "1",
    }
    assert expected.items() <= counts.items(), result.stdout


def test_the_tiny_run_produces_the_digits_results(tiny_run):
    metrics = json.loads((tiny_run / "digits" / "metrics.json").read_text())
    assert set(metrics) == {"bp", "dfa", "odfa", "shallow"}
    assert all(0.0 <= run["test_accuracy"] <= 1.0 for run in metrics.values())
    assert all(run["replicates"] == 2 for run in metrics.values())
    assert all(run["final_train_loss_std"] > 0 for run in metrics.values())
    assert "projection_cosine" not in metrics["bp"]  # BP has no optics
    assert 0.0 < metrics["odfa"]["projection_cosine"] <= 1.0  # the optics' fidelity
    replicates = pd.read_csv(tiny_run / "digits" / "replicates.csv")
    assert len(replicates) == 8 and replicates["fingerprint"].nunique() == 8
    assert_image(tiny_run / "figures" / "digits.png")


def test_the_tiny_run_produces_the_dialogs_results(tiny_run):
    table = pd.read_csv(tiny_run / "dialogs" / "metrics.csv")
    assert list(table["method"]) == ["bp", "bp_star", "dfa", "odfa", "shallow"]
    assert (table["replicates"] == 1).all() and table["final_validation_loss_std"].isna().all()
    for run in table["method"]:
        log = pd.read_csv(tiny_run / "dialogs" / "runs" / run / "replicate-0" / "log.csv")
        assert log["loss"].tail(5).mean() < log["loss"].head(5).mean(), run
    comparisons = pd.read_csv(tiny_run / "dialogs" / "comparisons.csv")
    assert len(comparisons) == 10 and comparisons["difference"].notna().all()
    assert comparisons["exceeds_spread"].isna().all()  # one replicate: no spread, no verdict
    odfa = table.set_index("method").loc["odfa"]
    assert odfa["optical_frames"] > 0 and odfa["modelled_optical_seconds"] > 0
    assert 0.0 < odfa["projection_cosine"] <= 1.0 and 0.0 <= odfa["silent_outputs"] < 1.0
    assert table.set_index("method").drop(index="odfa")["projection_cosine"].isna().all()
    samples = (tiny_run / "figures" / "fig2d.txt").read_text()
    assert "JACK: The problem is not the problem." in samples and "100 %" in samples
    for figure in ("fig2c.png", "fig2d.png", "fig2e.png"):
        assert_image(tiny_run / "figures" / figure)


def test_the_tiny_run_produces_the_optics_ablation(tiny_run):
    table = pd.read_csv(tiny_run / "ablation" / "metrics.csv")
    assert sorted(zip(table["study"], table["variant"], strict=True)) == [
        (study, variant)
        for study in ("dialogs", "digits")
        for variant in ("camera-ideal", "camera_bits-6")
    ]
    assert (table["replicates"] == 2).all() and (table["metric_value_std"] > 0).all()
    assert len(pd.read_csv(tiny_run / "ablation" / "replicates.csv")) == 8
    ideal = table[table["variant"] == "camera-ideal"]
    assert (ideal["projection_cosine"] > 0.999).all()  # an ideal camera costs nothing
    six_bits = table[table["variant"] == "camera_bits-6"]
    assert (six_bits["projection_cosine"] < 0.999).all()
    assert_image(tiny_run / "figures" / "ablation.png")


def test_the_tiny_run_produces_the_climate_results(tiny_run):
    table = pd.read_csv(tiny_run / "climate" / "metrics.csv")
    assert set(zip(table["model"], table["method"], strict=True)) == {
        (model, method) for model in ("vit", "fcnn") for method in ("bp", "dfa", "odfa")
    }
    assert (table["replicates"] == 1).all() and table["nrmse_total_std"].isna().all()
    assert len(pd.read_csv(tiny_run / "climate" / "replicates.csv")) == 6
    comparisons = pd.read_csv(tiny_run / "climate" / "comparisons.csv")
    assert comparisons.groupby("model").size().to_dict() == {"fcnn": 3, "vit": 3}
    assert (table[["nrmse_spatial", "nrmse_global", "nrmse_total", "rmse"]] > 0).all().all()
    optical = table[table["method"] == "odfa"]["projection_cosine"]
    assert len(optical) and optical.between(0.0, 1.0).all()
    for figure in ("fig3b.png", "fig3c.png"):
        assert_image(tiny_run / "figures" / figure)


def test_the_tiny_run_produces_the_scaling_results(tiny_run):
    table = pd.read_csv(tiny_run / "scaling" / "timings.csv")
    assert len(table) == 12 and (table["status"] == "ok").all()
    for figure in ("fig4a.png", "fig4b.png", "fig4c.png"):
        assert_image(tiny_run / "figures" / figure)


def test_scheduler_resources_come_from_the_config(tmp_path):
    """(A changed resource reruns nothing: tests/test_reruns.py.)"""
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


def test_forcerun_reruns_one_stage_and_what_depends_on_it(tiny_run):
    jobs = planned_jobs(tiny_run.parent, tiny_config(), "--forcerun", "climate_summary")
    assert jobs == {"climate_summary": 1, "climate_figures": 1, "all": 1, "total": 3}


def test_command_line_overrides_merge_into_the_config_and_rerun_what_they_change(tiny_run):
    override = ("--config", "dialogs={training: {learning_rate: 3.0e-4}}")
    jobs = planned_jobs(tiny_run.parent, tiny_config(), *override)
    assert jobs["dialogs_train"] == 4 * tiny_config()["dialogs"]["replicates"]  # all but BP*
    assert jobs["dialogs_evaluate"] == 4 and "digits_train" not in jobs


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
    assert paper and all(default[key] != value for key, value in paper.items())
    result = snakemake(
        "all", "-n", "--configfile", str(REPO / "config" / "paper.yaml"), "-d", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    (effective,) = (tmp_path / ".snakemake" / "odfa").glob("config-*.yaml")
    expected = load_config(REPO / "config" / "config.yaml", REPO / "config" / "paper.yaml")
    assert yaml.safe_load(effective.read_text()) == expected
    assert expected["dialogs"]["model"]["embedding_dim"] == 2040
    assert expected["optics"] == DEFAULT_CONFIG["optics"]


def test_progress_bars_in_log_files_are_throttled(tiny_run):
    run = tiny_run / "digits" / "runs" / "bp" / "replicate-0"
    steps = json.loads((run / "metrics.json").read_text())["steps"]
    log = (tiny_run / "logs" / "digits" / "train-bp-0.log").read_text()
    assert steps == 90 and log.count("\r") <= 2  # drawn at the start and the end, not per step


def test_a_run_records_its_fingerprint_and_settings(tiny_run):
    run = tiny_run / "digits" / "runs" / "dfa" / "replicate-1"
    metrics = json.loads((run / "metrics.json").read_text())
    provenance = metrics["provenance"]
    assert provenance["wildcards"] == {"method": "dfa", "replicate": "1"}
    assert provenance["settings"]["digits.training"]["seed"] == 1000  # the replicate's own
    assert provenance["settings"]["feedback"] == tiny_config()["feedback"] | {"seed": 1001}
    assert "optics" not in provenance["settings"]  # DFA reads no optics
    assert provenance["inputs"].keys() == {"digits.csv.gz"} and len(metrics["fingerprint"]) == 16
    table = pd.read_csv(tiny_run / "dialogs" / "replicates.csv")
    assert table["fingerprint"].nunique() == len(table) == 5


def test_the_workflow_passes_snakemakes_lint(tmp_path):
    result = snakemake("--lint", "-d", str(tmp_path))
    assert result.returncode == 0 and "good condition" in result.stdout + result.stderr, (
        result.stdout[-3000:]
    )
