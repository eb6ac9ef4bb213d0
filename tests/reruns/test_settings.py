"""A changed setting reruns the same jobs in Snakemake and DVC, and no others."""

from __future__ import annotations

import pytest
import yaml

from tests.reruns import (
    ABLATION,
    ODFA_TRAINING,
    dvc_jobs,
    replicated,
    set_value,
    snakemake_jobs,
)

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


@pytest.mark.slow
@pytest.mark.parametrize("key", list(CONFIG_CHANGES))
def test_a_changed_setting_reruns_the_same_jobs_in_both_tools(tiny_copy, key):
    value, expected = CONFIG_CHANGES[key]
    path = tiny_copy / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    set_value(config, key, value)
    path.write_text(yaml.safe_dump(config))
    planned = snakemake_jobs(tiny_copy)
    assert planned == dvc_jobs(tiny_copy)
    if expected is not None:
        assert planned == expected
    else:  # the optics: ODFA runs, the sweep and what follows them, nothing else
        trained = {job for job in planned if "_train-" in job or job == "scaling_sweep"}
        assert trained == ODFA_TRAINING | {"scaling_sweep"}
        assert planned >= ABLATION
