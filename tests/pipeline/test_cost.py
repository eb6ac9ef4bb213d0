"""ESTIMATED GPU-hours of a config: jobs counted from the config, FLOPs from torch's counter."""

from __future__ import annotations

import copy

import pytest

from odfa.config import load_config
from odfa.data.dialogs import window_count
from odfa.pipeline.cost import (
    ASSUMED_TFLOPS,
    ModelFlops,
    estimate_cost,
    forward_flops,
    gpu_hours,
    optics_flops,
    study_totals,
    training_flops,
)
from odfa.pipeline.cost_notice import cost_notice
from odfa.studies.ablation import variant_names
from tests.conftest import DEFAULT_CONFIG, REPO

TOKENS = 20_000


@pytest.fixture(scope="module")
def config():
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["dialogs"]["train_tokens"] = TOKENS
    return config


@pytest.fixture(scope="module")
def cost(config):
    return estimate_cost(config)


def test_every_training_job_of_the_config_is_counted(config, cost):
    dialogs = cost[cost["study"] == "dialogs"]
    assert list(dialogs["job"]) == [f"train {run}" for run in config["dialogs"]["methods"]]
    assert (dialogs["jobs"] == config["dialogs"]["replicates"]).all()
    windows = window_count(TOKENS, 24, None)
    assert (dialogs["samples_per_job"] == 2 * windows).all()  # two epochs
    climate = cost[cost["study"] == "climate"]
    assert len(climate) == 6 and (climate["jobs"] == 3).all()
    [dialogs_ablation] = cost[cost["job"] == "train dialogs odfa"].itertuples()
    assert dialogs_ablation.jobs == len(variant_names(config["ablation"])) * 2
    odfa = dialogs.set_index("job").loc["train odfa"]
    assert dialogs_ablation.flops_per_job == odfa["flops_per_job"]


def test_odfa_costs_dfa_plus_its_simulated_optics(config):
    counts = ModelFlops(config)
    work = counts.workload("gpt")
    # error rows: 24 tokens; DMD: 1016 error + 1016 anchor pixels; camera: 128 outputs
    assert optics_flops(config, work) == 24 * 4 * 2 * (2 * 1016) * 2 * 128
    assert counts.training("gpt", "odfa") == counts.training("gpt", "dfa") + optics_flops(
        config, work
    )
    assert counts.training("gpt", "bp") > counts.training("gpt", "shallow") > 0


@pytest.mark.parametrize("method", ["bp", "dfa", "shallow"])
@pytest.mark.parametrize("model", ["gpt", "vit"])
def test_a_transformers_counts_extended_from_two_blocks_are_those_of_all_its_blocks(
    config, model, method
):
    deeper = copy.deepcopy(config)
    for settings in (deeper["dialogs"]["model"], deeper["climate"]["models"]["vit"]):
        settings["n_layers"] = 5
    counts = ModelFlops(deeper)
    work = counts.workload(model)
    assert work.sizes["depth"] == 5
    assert counts.training(model, method) == training_flops(deeper, method, work)
    assert counts.forward(model) == forward_flops(work)


def test_gpu_hours_follow_the_assumed_throughput(cost):
    assert gpu_hours(ASSUMED_TFLOPS * 1e12 * 3600) == pytest.approx(1.0)
    row = cost[cost["study"] == "climate"].iloc[0]
    assert row["estimated_gpu_hours"] == pytest.approx(
        row["jobs"] * gpu_hours(row["flops_per_job"])
    )
    totals = study_totals(cost)
    assert totals["total"] == pytest.approx(cost["estimated_gpu_hours"].sum())


def test_a_dry_run_notice_needs_the_corpus_size(config):
    assert "dialogs.train_tokens is null" in cost_notice(DEFAULT_CONFIG)
    notice = cost_notice(config)
    assert notice.startswith("odfa: ESTIMATED GPU-hours") and "dialogs" in notice


@pytest.mark.slow
def test_the_paper_ablation_costs_at_most_a_tenth_of_the_studies_it_accompanies():
    paper = load_config(REPO / "config" / "config.yaml", REPO / "config" / "paper.yaml")
    totals = study_totals(estimate_cost(paper))
    accompanied = sum(totals[study] for study in paper["ablation"]["studies"])
    assert totals["ablation"] <= accompanied / 10
    assert totals["dialogs"] > 100  # the 1.05e9-parameter GPT: GPU-days, not minutes
