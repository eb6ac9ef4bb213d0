"""Snakemake and DVC rerun the same jobs after a change of a setting or of a module's behaviour,
and no others: each test changes its own copy of the tiny project, brought up to date by
Snakemake and recorded in DVC by `odfa pipeline record`."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import networkx
import pytest
import yaml
from dvc.repo import Repo

from odfa.pipeline.plan import dry_run_jobs
from tests.conftest import BIN, copy_of, in_project, tiny_config


def _run(workspace: Path, *command: str) -> str:
    result = in_project(workspace, *command)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def snakemake_jobs(workspace: Path) -> set[str]:
    """The jobs a dry run plans, named as their DVC stages (rule-wildcard-values)."""
    return {job.name for job in dry_run_jobs(_run(workspace, str(BIN / "snakemake"), "all", "-n"))}


def dvc_jobs(workspace: Path) -> set[str]:
    """The stages `dvc status` reports changed once the `code` stage has written the digests of
    the code, and every stage downstream of them."""
    _run(workspace, str(BIN / "dvc"), "repro", "--quiet", "code")
    status = json.loads(_run(workspace, str(BIN / "dvc"), "status", "--json"))
    changed = {name.replace("@", "-") for name in status}  # a matrix stage is `<name>@<values>`
    with contextlib.chdir(workspace):  # a stage's address is relative to the working directory
        graph = Repo(".").index.graph  # edges run from a stage to what it depends on
        names = {stage: stage.addressing.replace("@", "-") for stage in graph.nodes}
    downstream = {
        names[ancestor]
        for stage, name in names.items()
        if name in changed
        for ancestor in networkx.ancestors(graph, stage)
    }
    return changed | downstream


def _set(config: dict, key: str, value) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        config = config[part]
    config[leaf] = value


TINY = tiny_config()


def replicated(study: str, *jobs: str) -> set[str]:
    """Each job once per replicate of `study` in the tiny config (stage names end with the
    replicate)."""
    return {f"{job}-{replicate}" for job in jobs for replicate in range(TINY[study]["replicates"])}


# The tiny config's optics ablation: two variants of each study's ODFA run, their table and figure.
ABLATION_RUNS = replicated("ablation", *(f"ablation_{study}-{variant}"
    for study in ("digits", "dialogs")
    for variant in ("camera-ideal", "camera_bits-6")))  # fmt: skip
ABLATION = ABLATION_RUNS | {"ablation_summarise", "ablation_plot"}


CONFIG_CHANGES = {
    "digits.training.learning_rate": (0.02, replicated("digits", "digits_train-bp",
        "digits_train-dfa", "digits_train-odfa", "digits_train-shallow")
        | {"digits_summarise", "digits_plot"}
        | {job for job in ABLATION if not job.startswith("ablation_dialogs")}),
    "dialogs.generation.temperature": (0.5, {f"dialogs_evaluate-{run}" for run in
        ("bp", "bp_star", "dfa", "odfa", "shallow")} | {"dialogs_plot"}),
    "dialogs.bp_star_training.learning_rate": (1e-3, replicated("dialogs", "dialogs_train-bp_star")
        | {"dialogs_evaluate-bp_star", "dialogs_summarise", "dialogs_plot", "ablation_plot",
           "pipeline_scorecard"}),
    "optics.threshold": (0.2, None),
    "climate.models.fcnn.hidden_dims": ([24, 12], replicated("climate", *(f"{stage}-fcnn-{method}"
        for stage in ("climate_train", "climate_score") for method in ("bp", "dfa", "odfa")))
        | {"climate_summarise", "climate_plot", "pipeline_scorecard"}),
    "resources.dialogs_train.mem_mb": (12345, set()),
}  # fmt: skip
ODFA_TRAINING = (
    replicated("digits", "digits_train-odfa")
    | replicated("dialogs", "dialogs_train-odfa")
    | replicated("climate", "climate_train-vit-odfa", "climate_train-fcnn-odfa")
)


@pytest.fixture
def project(tiny_project, tmp_path) -> Path:
    """This test's own copy of the tiny project, both tools up to date."""
    return copy_of(tiny_project, tmp_path / "project")


@pytest.mark.slow
@pytest.mark.parametrize("key", list(CONFIG_CHANGES))
def test_a_changed_setting_reruns_the_same_jobs_in_both_tools(project, key):
    value, expected = CONFIG_CHANGES[key]
    path = project / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    _set(config, key, value)
    path.write_text(yaml.safe_dump(config))
    planned = snakemake_jobs(project)
    assert planned == dvc_jobs(project)
    if expected is not None:
        assert planned == expected
    else:  # the optics: ODFA runs, the sweep and what follows them, nothing else
        trained = {job for job in planned if "_train-" in job or job == "scaling_sweep"}
        assert trained == ODFA_TRAINING | {"scaling_sweep"}
        assert planned >= ABLATION


CODE_CHANGES = {
    "odfa/metrics.py": replicated("climate", "climate_score-vit-bp", "climate_score-vit-dfa",
        "climate_score-vit-odfa", "climate_score-fcnn-bp", "climate_score-fcnn-dfa",
        "climate_score-fcnn-odfa")
        | {"climate_baseline", "climate_summarise", "climate_plot", "pipeline_scorecard"},
    "odfa/optics/camera.py": None,
    "odfa/figures/dialogs.py": {"dialogs_plot"},
    "odfa/studies/climate.py": replicated("climate", *(f"{stage}-{model}-{method}"
        for stage in ("climate_train", "climate_score") for model in ("vit", "fcnn")
        for method in ("bp", "dfa", "odfa")))
        | {"climate_summarise", "climate_plot", "pipeline_scorecard"},
}  # fmt: skip
BEHAVIOUR = "\nBEHAVIOUR_CHANGED = True\n"  # a module-level name: a change of what the module runs


@pytest.mark.slow
@pytest.mark.parametrize("module", list(CODE_CHANGES))
def test_a_changed_module_reruns_the_jobs_that_run_it_in_both_tools(project, module):
    path = project / module
    path.write_text(path.read_text() + BEHAVIOUR)
    planned = snakemake_jobs(project)
    assert planned == dvc_jobs(project)
    expected = CODE_CHANGES[module]
    if expected is not None:
        assert planned == expected
    else:
        assert {job for job in planned if "_train-" in job} == ODFA_TRAINING
        assert "scaling_sweep" in planned and "climate_score-vit-bp-0" not in planned
        assert planned >= ABLATION


@pytest.mark.slow
def test_comments_docstrings_and_help_texts_rerun_nothing_in_either_tool(project):
    """A comment, a reformatted line and a docstring in every module, a help text of the
    command: the code's behaviour is the same, so neither tool plans a job."""
    for path in sorted((project / "odfa").rglob("*.py")):
        text = path.read_text()
        if text.startswith('"""'):
            documented = text.replace('"""', '"""A docstring line.\n\n', 1)
        else:
            documented = f'"""A docstring."""\n{text}'
        path.write_text(f"# A comment.\n{documented}\n\n")
    cli = project / "odfa" / "cli.py"
    cli.write_text(cli.read_text().replace('"train one method; write metrics.json"', '"train"'))
    assert snakemake_jobs(project) == set()
    assert dvc_jobs(project) == set()


@pytest.mark.slow
def test_a_project_moved_to_another_folder_reruns_nothing_in_either_tool(tiny_project, tmp_path):
    moved = copy_of(tiny_project, tmp_path / "elsewhere" / "project")
    assert snakemake_jobs(moved) == set() and dvc_jobs(moved) == set()


NEW = {study: TINY[study]["replicates"] for study in ("digits", "ablation")}  # one more's index
NEW_REPLICATE = {
    "digits": {f"digits_train-{method}-{NEW['digits']}"
               for method in ("bp", "dfa", "odfa", "shallow")}
    | {"digits_summarise", "digits_plot", "ablation_plot"},
    "ablation": {f"ablation_{study}-{variant}-{NEW['ablation']}" for study in ("digits", "dialogs")
                 for variant in ("camera-ideal", "camera_bits-6")}
    | {"ablation_summarise", "ablation_plot"},
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("section", list(NEW_REPLICATE))
def test_a_new_replicate_runs_alone_in_both_tools(project, section):
    """One more replicate of the digits study (its four runs, the summary and the figure) or of
    the ablation (each variant's run, the summary and the figure); the replicates already run
    keep their results (their settings hold no replicate count)."""
    path = project / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config[section]["replicates"] = NEW[section] + 1
    path.write_text(yaml.safe_dump(config))
    _run(project, str(BIN / "odfa"), "pipeline", "dvc", "--out", "dvc.yaml")
    planned = snakemake_jobs(project)
    assert planned == dvc_jobs(project)
    assert planned == NEW_REPLICATE[section]


def test_neither_tool_has_anything_to_do_after_the_run(project):
    assert snakemake_jobs(project) == set() and dvc_jobs(project) == set()
