"""The Snakemake workflow run once on a tiny config: what each study makes, and what a rerun
plans after a forced stage or a command-line override (its plan on any folder:
test_workflow_plan.py)."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

from odfa.io import sha256_of
from odfa.studies.scorecard import DIFFERS, HOLDS, NOT_MEASURABLE
from odfa.timing.optical_budget import dialogs_optical_budget
from tests.conftest import (
    BIN,
    REPO,
    assert_image,
    copy_of,
    in_project,
    planned_jobs,
    tiny_config,
)

pytestmark = pytest.mark.slow  # Snakemake runs and dry runs


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
    tokens = len(np.load(tiny_run.parent / "data" / "processed" / "dialogs" / "train.npy"))
    budget = dialogs_optical_budget(tiny_config(), tokens)  # counted without training
    assert budget["optical_frames"] == odfa["optical_frames"]
    assert budget["modelled_optical_seconds"] == pytest.approx(odfa["modelled_optical_seconds"])
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
    assert (table["replicates"] == 1).all() and table["metric_value_std"].isna().all()
    assert len(pd.read_csv(tiny_run / "ablation" / "replicates.csv")) == 4
    ideal = table[table["variant"] == "camera-ideal"]
    assert (ideal["projection_cosine"] > 0.999).all()  # an ideal camera costs nothing
    six_bits = table[table["variant"] == "camera_bits-6"]
    assert (six_bits["projection_cosine"] < 0.999).all()
    assert_image(tiny_run / "figures" / "ablation.png")


def test_the_tiny_run_produces_the_climate_results(tiny_run):
    table = pd.read_csv(tiny_run / "climate" / "metrics.csv")
    assert set(zip(table["model"], table["method"], strict=True)) == {
        (model, method) for model in ("vit", "fcnn") for method in ("bp", "dfa", "odfa")
    } | {("pattern_scaling", "least_squares")}
    assert (table["replicates"] == 1).all()
    trained, floor = table.iloc[:-1], table.iloc[-1]
    assert trained["nrmse_total_std"].isna().all()  # one replicate: spread unknown
    assert floor["model"] == "pattern_scaling" and floor["nrmse_total_std"] == 0.0  # one fit
    assert len(pd.read_csv(tiny_run / "climate" / "replicates.csv")) == 7
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
    projections = pd.read_csv(tiny_run / "scaling" / "projections.csv")
    assert len(projections) == 4 and (projections["status"] == "ok").all()
    crossover = pd.read_csv(tiny_run / "scaling" / "crossover.csv")
    assert crossover["depth"].tolist() == [1, 2] and crossover["note"].notna().all()
    assert set(pd.read_csv(tiny_run / "scaling" / "growth.csv")["against"]) == {"width", "depth"}
    for figure in ("fig4a.png", "fig4b.png", "fig4c.png", "fig4d.png"):
        assert_image(tiny_run / "figures" / figure)


def test_forcerun_reruns_one_stage_and_what_depends_on_it(tiny_run):
    jobs = planned_jobs(tiny_run.parent, tiny_config(), "--forcerun", "climate_summarise")
    assert jobs == {
        "climate_summarise": 1, "climate_plot": 1, "pipeline_scorecard": 1, "all": 1, "total": 4
    }  # fmt: skip


def test_command_line_overrides_merge_into_the_config_and_rerun_what_they_change(tiny_run):
    override = ("--config", "dialogs={training: {learning_rate: 3.0e-4}}")
    jobs = planned_jobs(tiny_run.parent, tiny_config(), *override)
    assert jobs["dialogs_train"] == 4 * tiny_config()["dialogs"]["replicates"]  # all but BP*
    assert jobs["dialogs_evaluate"] == 4 and "digits_train" not in jobs


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
    split = tiny_run.parent / "data" / "processed" / "digits" / "split.npz"  # digits_prepare's
    assert provenance["inputs"] == {"split.npz": sha256_of(split)}
    assert len(metrics["fingerprint"]) == 16
    table = pd.read_csv(tiny_run / "dialogs" / "replicates.csv")
    assert table["fingerprint"].nunique() == len(table) == 5


def test_the_run_writes_no_file_git_tracks(tiny_project):
    """No stage rewrites a tracked file (the ClimateBench lock included), so a clone's
    `git status` stays clean after the README's first command."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    rewritten_by_the_copy = {"config/config.yaml", "dvc.yaml"}  # the tiny config's own
    changed = [
        name
        for name in tracked
        if name not in rewritten_by_the_copy
        and (REPO / name).is_file()  # not the `profiles` link
        and not (REPO / name).is_symlink()  # odfa/defaults/config.yaml reads config/config.yaml
        and (tiny_project / name).read_bytes() != (REPO / name).read_bytes()
    ]
    assert changed == []


def test_the_tiny_run_scores_the_papers_claims(tiny_run):
    scorecard = pd.read_csv(tiny_run / "reproduction.csv")
    assert set(scorecard["verdict"]) <= {HOLDS, DIFFERS, NOT_MEASURABLE}
    rows = scorecard.set_index("claim")
    dialogs = rows.loc["DFA < ODFA < SHLW in final validation loss (ODFA learns, more slowly)"]
    assert dialogs["scale"] == "miniature" and "odfa" in dialogs["reproduced"]
    counted = rows.loc["GPT: parameters receiving the optical signal"]
    assert counted["config"].startswith("config/paper.yaml") and "direct" not in counted["verdict"]


def test_the_report_has_the_projects_title_a_category_per_study_its_tables_and_a_sample_banner(
    tiny_project, tmp_path
):
    project = copy_of(tiny_project, tmp_path / "project")
    report = tmp_path / "report.html"
    result = in_project(project, str(BIN / "snakemake"), "all", "--report", str(report))
    assert result.returncode == 0, result.stderr[-2000:]
    html = report.read_text()
    categories = json.loads(re.search(r"var categories = (\{.*?\});", html).group(1))
    sample = " (GENERATED SAMPLE DATA, not the real data set)"
    assert list(categories) == [
        "Digits (scikit-learn's bundled digits)",
        "Study 1: dialogues" + sample,  # the tiny config runs on the generated sample data
        "Study 2: ClimateBench" + sample,
        "Study 3: training time",
        "What the optics cost" + sample,
        "The paper, claim by claim",
    ]
    kinds = {kind for study in categories.values() for kind in study}
    assert kinds == {"figures", "tables", "measured timings"}  # no "Other"
    tables = {path for study in categories.values() for path in study.get("tables", [])}
    tables |= set(categories["Study 3: training time"]["measured timings"])
    results = project / "results"
    written = {
        f"results/{path.relative_to(results)}"
        for path in results.rglob("*.csv")
        if "runs" not in path.relative_to(results).parts  # a run's own log
    }
    assert written - tables == set()  # every table the workflow writes
    assert "odfa: optical training with direct feedback alignment" in html
    assert "Generated sample data" in html
