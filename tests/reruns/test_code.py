"""A changed module reruns the jobs that run it in Snakemake and DVC, and no others; comments,
docstrings, help texts and a moved project rerun nothing."""

from __future__ import annotations

import pytest

from tests.conftest import copy_of
from tests.reruns import ABLATION, ODFA_TRAINING, dvc_jobs, replicated, snakemake_jobs

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
def test_a_changed_module_reruns_the_jobs_that_run_it_in_both_tools(tiny_copy, module):
    path = tiny_copy / module
    path.write_text(path.read_text() + BEHAVIOUR)
    planned = snakemake_jobs(tiny_copy)
    assert planned == dvc_jobs(tiny_copy)
    expected = CODE_CHANGES[module]
    if expected is not None:
        assert planned == expected
    else:
        assert {job for job in planned if "_train-" in job} == ODFA_TRAINING
        assert "scaling_sweep" in planned and "climate_score-vit-bp-0" not in planned
        assert planned >= ABLATION


@pytest.mark.slow
def test_comments_docstrings_and_help_texts_rerun_nothing_in_either_tool(tiny_copy):
    """A comment, a reformatted line and a docstring in every module, a help text of the
    command: the code's behaviour is the same, so neither tool plans a job."""
    for path in sorted((tiny_copy / "odfa").rglob("*.py")):
        text = path.read_text()
        if text.startswith('"""'):
            documented = text.replace('"""', '"""A docstring line.\n\n', 1)
        else:
            documented = f'"""A docstring."""\n{text}'
        path.write_text(f"# A comment.\n{documented}\n\n")
    cli = tiny_copy / "odfa" / "cli.py"
    cli.write_text(cli.read_text().replace('"train one method; write metrics.json"', '"train"'))
    assert snakemake_jobs(tiny_copy) == set()
    assert dvc_jobs(tiny_copy) == set()


@pytest.mark.slow
def test_a_project_moved_to_another_folder_reruns_nothing_in_either_tool(tiny_project, tmp_path):
    moved = copy_of(tiny_project, tmp_path / "elsewhere" / "project")
    assert snakemake_jobs(moved) == set() and dvc_jobs(moved) == set()
