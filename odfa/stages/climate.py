"""Study 2's stages: a ViT and an FCNN on ClimateBench."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from odfa.registry import CLIMATE_MODELS
from odfa.stages.declaration import (
    COMPUTE,
    DATA,
    FIGURES_DIR,
    LOCK_FILE,
    METHOD,
    REPLICATE,
    REPLICATE_OUT,
    RUN_DIR,
    SUMMARY_DIR,
    Job,
    Stage,
    Study,
    method_wildcard,
    required,
    runs,
)


def _training_inputs(args: argparse.Namespace) -> list[Path]:
    from odfa.studies.climate import DATA_FILES

    return [Path(args.data) / name for name in DATA_FILES]


def _baseline_inputs(args: argparse.Namespace) -> list[Path]:
    from odfa.studies.pattern_scaling import DATA_FILES

    return [Path(args.data) / name for name in DATA_FILES]


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
        climate["methods"], climate["replicates"], args.runs, args.out_dir, args.baseline
    )
    print(summary.to_string(index=False))


def _plot(job: Job) -> None:
    from odfa.figures.climate import plot_maps, plot_scores

    args, figures = job.args, Path(job.args.out_dir)
    plot_scores(args.metrics, figures / "fig3b.png")
    plot_maps(args.metrics, args.runs, args.data, figures / "fig3c.png")


STUDY = Study(
    help="Study 2: ViT and FCNN on ClimateBench",
    stages={
        "climate_fetch": Stage(
            "climate fetch",
            "generate or download archives",
            _fetch,
            options=(required("--out", "folder for the two archives"), LOCK_FILE),
            settings=("climate.source", "climate.sample"),
            modules=("odfa.studies.climate_data",),
        ),
        "climate_prepare": Stage(
            "climate prepare",
            "extract, regrid, normalise",
            _prepare,
            options=(
                required("--archives", "folder of the archives"),
                required("--out", "folder for train.nc and test.nc"),
            ),
            settings=("climate.grid", "climate.window", "climate.variables"),
            modules=("odfa.studies.climate_data",),
        ),
        "climate_train": Stage(
            "climate train",
            "train and predict ssp245",
            _train,
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
        "climate_score": Stage(
            "climate score",
            "ClimateBench scores of a run",
            _score,
            options=(RUN_DIR, required("--data", "prepared data folder (truth)")),
            modules=("odfa.studies.climate_scores",),
        ),
        "climate_baseline": Stage(
            "climate baseline",
            "fit linear pattern scaling, predict ssp245 and score it",
            _baseline,
            options=(DATA, required("--out", "folder for its predictions and scores")),
            modules=("odfa.studies.pattern_scaling",),
            inputs=_baseline_inputs,
        ),
        "climate_summary": Stage(
            "climate summarise",
            "tables of all runs and the pattern-scaling baseline",
            _summarise,
            options=(
                runs("<model>-<method>"),
                required("--baseline", "the pattern-scaling baseline's metrics.json"),
                SUMMARY_DIR,
            ),
            settings=("climate.methods", "climate.replicates"),
            modules=("odfa.studies.climate_scores",),
        ),
        "climate_figures": Stage(
            "climate plot",
            "figures 3b and 3c",
            _plot,
            options=(
                required("--metrics", "metrics.csv"),
                runs("<model>-<method>"),
                required("--data", "prepared data folder (truth)"),
                FIGURES_DIR,
            ),
            modules=("odfa.figures.climate",),
        ),
    },
)
