"""A new replicate runs alone in Snakemake and DVC; after the run neither has anything to do."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import BIN, in_project_ok
from tests.reruns import TINY, dvc_jobs, snakemake_jobs

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
def test_a_new_replicate_runs_alone_in_both_tools(tiny_copy, section):
    """One more replicate of the digits study (its four runs, the summary and the figure) or of
    the ablation (each variant's run, the summary and the figure); the replicates already run
    keep their results (their settings hold no replicate count)."""
    path = tiny_copy / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config[section]["replicates"] = NEW[section] + 1
    path.write_text(yaml.safe_dump(config))
    in_project_ok(tiny_copy, str(BIN / "odfa"), "pipeline", "dvc", "--out", "dvc.yaml")
    planned = snakemake_jobs(tiny_copy)
    assert planned == dvc_jobs(tiny_copy)
    assert planned == NEW_REPLICATE[section]


def test_neither_tool_has_anything_to_do_after_the_run(tiny_copy):
    assert snakemake_jobs(tiny_copy) == set() and dvc_jobs(tiny_copy) == set()
