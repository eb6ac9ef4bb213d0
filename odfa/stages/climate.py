"""Study 2's stages: a ViT and an FCNN on ClimateBench."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from odfa.registry import CLIMATE_MODELS
from odfa.stages.declaration import (
    COMPARISONS,
    COMPUTE,
    DATA,
    LOCK_FILE,
    METHOD,
    REPLICATE,
    REPLICATE_OUT,
    RUN_DIR,
    SUMMARY,
    Job,
    Stage,
    Study,
    method_wildcard,
    prepared_inputs,
    required,
    runs,
    summary_tables,
)


def _training_inputs(args: argparse.Namespace) -> list[Path]:
    from odfa.studies.climate import DATA_FILES

    return prepared_inputs(args, DATA_FILES)


def _baseline_inputs(args: argparse.Namespace) -> list[Path]:
    from odfa.studies.pattern_scaling import DATA_FILES

    return prepared_inputs(args, DATA_FILES)


def _fetch(job: Job) -> None:
    from odfa.studies.climate_data import fetch_archives

    fetch_archives(job.config, job.args.out, job.args.lock_file)


def _prepare(job: Job) -> None:
    from odfa.studies.climate_data import prepare

    print(json.dumps(prepare(job.config, job.args.archives, job.args.out)))


def _train(job: Job) -> None:
    from odfa.studies.climate import train_climate

    args = job.args
    summary = train_climate(
        job.config, args.model, args.method, args.replicate, args.data, args.out, job.identity
    )
    print(json.dumps(summary))


def _score(job: Job) -> None:
    from odfa.studies.climate_scores import score_run

    print(json.dumps(score_run(job.args.run_dir, job.args.data)["scores"]))


def _baseline(job: Job) -> None:
    from odfa.studies.pattern_scaling import run_pattern_scaling

    print(json.dumps(run_pattern_scaling(job.args.data, job.args.out, job.identity)["scores"]))


def _summarise(job: Job) -> None:
    from odfa.studies.climate_scores import summarise_climate

    climate, args = job.config["climate"], job.args
    summary = summarise_climate(
        climate["methods"], climate["replicates"], args.runs, summary_tables(args), args.baseline
    )
    print(summary.to_string(index=False))


def _plot(job: Job) -> None:
    from odfa.figures.climate import plot_maps, plot_scores

    args = job.args
    plot_scores(args.metrics, args.fig3b)
    plot_maps(args.metrics, args.runs, args.data, args.fig3c)


STUDY = Study(
    help="Study 2: ViT and FCNN on ClimateBench",
    stages=(
        Stage(
            "climate fetch",
            "generate or download archives",
            _fetch,
            "--config config/config.yaml --out data/raw/climatebench",
            options=(required("--out", "folder for the two archives"), LOCK_FILE),
            settings=("climate.source", "climate.sample"),
            modules=("odfa.studies.climate_data",),
        ),
        Stage(
            "climate prepare",
            "extract, regrid, normalise",
            _prepare,
            (
                "--config config/config.yaml --archives data/raw/climatebench --out "
                "data/processed/climatebench"
            ),
            options=(
                required("--archives", "folder of the archives"),
                required("--out", "folder for train.nc and test.nc"),
            ),
            settings=("climate.grid", "climate.window", "climate.variables"),
            modules=("odfa.studies.climate_data",),
        ),
        Stage(
            "climate train",
            "train and predict ssp245",
            _train,
            (
                "--config config/config.yaml --model vit --method odfa --data "
                "data/processed/climatebench --out results/climate/runs/vit-odfa/replicate-0"
            ),
            options=(
                required("--model", "model", choices=list(CLIMATE_MODELS)),
                METHOD,
                REPLICATE,
                DATA,
                REPLICATE_OUT,
            ),
            settings=(*COMPUTE, "climate.models.{model}", "climate.training.{model}"),
            modules=("odfa.studies.climate",),
            wildcards=("model", "method", "replicate"),
            method=method_wildcard,
            inputs=_training_inputs,
            resumable=True,
            replicated="climate",
        ),
        Stage(
            "climate score",
            "ClimateBench scores of a run",
            _score,
            (
                "--run-dir results/climate/runs/vit-odfa/replicate-0 --data "
                "data/processed/climatebench"
            ),
            options=(RUN_DIR, required("--data", "prepared data folder (truth)")),
            modules=("odfa.studies.climate_scores",),
        ),
        Stage(
            "climate baseline",
            "fit linear pattern scaling, predict ssp245 and score it",
            _baseline,
            "--data data/processed/climatebench --out results/climate/runs/pattern_scaling",
            options=(DATA, required("--out", "folder for its predictions and scores")),
            modules=("odfa.studies.pattern_scaling",),
            inputs=_baseline_inputs,
        ),
        Stage(
            "climate summarise",
            "tables of all runs and the pattern-scaling baseline",
            _summarise,
            (
                "--config config/config.yaml --runs results/climate/runs --baseline "
                "results/climate/runs/pattern_scaling/metrics.json --replicates "
                "results/climate/replicates.csv --metrics results/climate/metrics.csv "
                "--headline results/climate/metrics.json --comparisons "
                "results/climate/comparisons.csv"
            ),
            options=(
                runs("<model>-<method>"),
                required("--baseline", "the pattern-scaling baseline's metrics.json"),
                *SUMMARY,
                COMPARISONS,
            ),
            settings=("climate.methods", "climate.replicates"),
            modules=("odfa.studies.climate_scores",),
        ),
        Stage(
            "climate plot",
            "figures 3b and 3c",
            _plot,
            (
                "--metrics results/climate/metrics.csv --runs results/climate/runs --data "
                "data/processed/climatebench --fig3b results/figures/fig3b.png --fig3c "
                "results/figures/fig3c.png"
            ),
            options=(
                required("--metrics", "metrics.csv"),
                runs("<model>-<method>"),
                required("--data", "prepared data folder (truth)"),
                required("--fig3b", "Fig. 3b: the scores of each model and method"),
                required("--fig3c", "Fig. 3c: maps of the prediction, its bias and spread"),
            ),
            modules=("odfa.figures.climate",),
        ),
    ),
)
