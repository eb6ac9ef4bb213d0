"""The Snakemake workflow: its job graph, a whole run on a tiny config, and refused overrides."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from tests.conftest import DEFAULT_CONFIG, REPO, planned_jobs, snakemake, tiny_config


def test_the_dry_run_lists_every_step(tmp_path):
    default = str(REPO / "config" / "config.yaml")
    result = snakemake(
        "all", "--dry-run", "--quiet", "rules", "--configfile", default, "-d", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    counts = {row[0]: row[1] for row in rows if len(row) == 2 and row[1].isdigit()}
    expected = {
        "digits_train": "4",
        "digits_summary": "1",
        "digits_figure": "1",
        "dialogs_fetch": "1",
        "dialogs_prepare": "1",
        "dialogs_train": "5",
        "dialogs_evaluate": "5",
        "dialogs_summary": "1",
        "dialogs_figures": "1",
        "climate_fetch": "1",
        "climate_prepare": "1",
        "climate_train": "6",
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
    assert (tiny_run / "figures" / "digits.png").stat().st_size > 10_000


def test_the_tiny_run_produces_the_dialogs_results(tiny_run):
    table = pd.read_csv(tiny_run / "dialogs" / "metrics.csv")
    assert list(table["method"]) == ["bp", "bp_star", "dfa", "odfa", "shallow"]
    for run in table["method"]:
        log = pd.read_csv(tiny_run / "dialogs" / "runs" / run / "log.csv")
        assert log["loss"].tail(5).mean() < log["loss"].head(5).mean(), run
    odfa = table.set_index("method").loc["odfa"]
    assert odfa["optical_frames"] > 0 and odfa["modelled_optical_seconds"] > 0
    samples = (tiny_run / "figures" / "fig2d.txt").read_text()
    assert "JACK: The problem is not the problem." in samples and "100 %" in samples
    for figure in ("fig2c.png", "fig2d.png", "fig2e.png"):
        assert (tiny_run / "figures" / figure).stat().st_size > 10_000


def test_the_tiny_run_produces_the_climate_results(tiny_run):
    table = pd.read_csv(tiny_run / "climate" / "metrics.csv")
    assert set(zip(table["model"], table["method"], strict=True)) == {
        (model, method) for model in ("vit", "fcnn") for method in ("bp", "dfa", "odfa")
    }
    assert (table[["nrmse_spatial", "nrmse_global", "nrmse_total", "rmse"]] > 0).all().all()
    for figure in ("fig3b.png", "fig3c.png"):
        assert (tiny_run / "figures" / figure).stat().st_size > 10_000


def test_the_tiny_run_produces_the_scaling_results(tiny_run):
    table = pd.read_csv(tiny_run / "scaling" / "timings.csv")
    assert len(table) == 12 and (table["status"] == "ok").all()
    for figure in ("fig4a.png", "fig4b.png", "fig4c.png"):
        assert (tiny_run / "figures" / figure).stat().st_size > 10_000


def test_an_up_to_date_workspace_has_nothing_to_do(tiny_run):
    assert planned_jobs(tiny_run.parent, tiny_config()) == {}


def test_a_changed_setting_reruns_only_what_depends_on_it(tiny_run):
    config = tiny_config()
    config["digits"]["training"]["learning_rate"] = 0.02
    assert planned_jobs(tiny_run.parent, config) == {
        "digits_train": 4, "digits_summary": 1, "digits_figure": 1, "all": 1, "total": 7,
    }  # fmt: skip
    config = tiny_config()
    config["dialogs"]["generation"]["temperature"] = 0.5
    assert planned_jobs(tiny_run.parent, config) == {
        "dialogs_evaluate": 5, "dialogs_figures": 1, "all": 1, "total": 7,
    }  # fmt: skip
    config = tiny_config()
    config["optics"]["threshold"] = 0.2  # only the ODFA runs use the optics
    jobs = planned_jobs(tiny_run.parent, config)
    assert jobs["digits_train"] == 1 and jobs["dialogs_train"] == 1 and jobs["climate_train"] == 2


def test_scheduler_resources_come_from_the_config_and_rerun_nothing(tiny_run, tmp_path):
    config = tiny_config()
    config["resources"]["dialogs_train"] = {"mem_mb": 12345, "runtime": 678}
    assert planned_jobs(tiny_run.parent, config) == {}
    path = tmp_path / "resources.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake("all", "-n", "--configfile", str(path), "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    jobs = result.stdout.split("\nrule ")
    train = [job for job in jobs if job.startswith("dialogs_train:")]
    assert len(train) == 5 and all("mem_mb=12345" in job and "runtime=678" in job for job in train)


def test_forcerun_reruns_one_stage_and_what_depends_on_it(tiny_run):
    jobs = planned_jobs(tiny_run.parent, tiny_config(), "--forcerun", "climate_summary")
    assert jobs == {"climate_summary": 1, "climate_figures": 1, "all": 1, "total": 3}


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
