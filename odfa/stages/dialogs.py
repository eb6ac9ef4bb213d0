"""Study 1's stages: a GPT on the Cornell Movie-Dialogs Corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from odfa.registry import DIALOGS_RUNS
from odfa.stages.declaration import (
    COMPARISONS,
    COMPUTE,
    DATA,
    REPLICATE,
    REPLICATE_OUT,
    RUN_DIR,
    SUMMARY,
    Job,
    Stage,
    Study,
    Wildcards,
    prepared_inputs,
    required,
    runs,
    summary_tables,
)

RUN = required("--run", "the dialogs study's run", choices=list(DIALOGS_RUNS))
# What a training run reads (an ablation run of the study reads the same).
TRAINING = (
    *COMPUTE,
    "dialogs.model",
    "dialogs.{training}",
    "dialogs.window_stride",
    "dialogs.milestones",
    "dialogs.validation_sequences",
)


def run_method(wildcards: Wildcards) -> str:
    """The training method of a run (BP* is BP with its own training settings)."""
    return DIALOGS_RUNS[wildcards["run"]]


def training_inputs(args: argparse.Namespace) -> list[Path]:
    """The prepared files a dialogs run reads."""
    from odfa.studies.dialogs import DATA_FILES

    return prepared_inputs(args, DATA_FILES)


def _fetch(job: Job) -> None:
    from odfa.studies.dialogs_data import fetch_corpus

    fetch_corpus(job.config, job.args.out)


def _prepare(job: Job) -> None:
    from odfa.studies.dialogs_data import prepare_corpus

    print(json.dumps(prepare_corpus(job.config, job.args.corpus, job.args.out)))


def _train(job: Job) -> None:
    from odfa.studies.dialogs import train_dialogs

    args = job.args
    metrics = train_dialogs(job.config, args.run, args.replicate, args.data, args.out, job.identity)
    print(json.dumps({"run": args.run, "replicate": str(args.replicate), **metrics}))


def _evaluate(job: Job) -> None:
    from odfa.studies.dialogs import evaluate_dialogs

    evaluate_dialogs(job.config, job.args.run, job.args.data, job.args.run_dir)


def _summarise(job: Job) -> None:
    from odfa.studies.dialogs_summary import summarise_dialogs

    dialogs = job.config["dialogs"]
    summary = summarise_dialogs(
        dialogs["methods"], dialogs["replicates"], job.args.runs, summary_tables(job.args)
    )
    print(summary.to_string(index=False))


def _plot(job: Job) -> None:
    from odfa.figures.dialogs import plot_attention, plot_losses, plot_samples

    dialogs, args = job.config["dialogs"], job.args
    plot_losses(dialogs["methods"], dialogs["replicates"], args.runs, args.fig2c)
    plot_samples(dialogs["methods"], args.runs, args.fig2d, args.fig2d_text)
    plot_attention(dialogs["methods"], args.runs, args.fig2e)


# Its training stage (the ablation trains the study's ODFA run with the same settings).
TRAIN = Stage(
    "dialogs train",
    "train one run; write metrics.json",
    _train,
    (
        "--config config/config.yaml --run odfa --data data/processed/dialogs --out "
        "results/dialogs/runs/odfa/replicate-0"
    ),
    options=(RUN, DATA, REPLICATE, REPLICATE_OUT),
    settings=TRAINING,
    modules=("odfa.studies.dialogs",),
    wildcards=("run", "replicate"),
    method=run_method,
    inputs=training_inputs,
    resumable=True,
    replicated="dialogs",
)

STUDY = Study(
    help="Study 1: GPT on the Cornell Movie-Dialogs Corpus",
    stages=(
        Stage(
            "dialogs fetch",
            "generate the sample corpus or download it",
            _fetch,
            ("--config config/config.yaml --out data/raw/dialogs/cornell_movie_dialogs_corpus.zip"),
            options=(required("--out", "corpus zip to write"),),
            settings=("dialogs.source", "dialogs.sample"),
            modules=("odfa.studies.dialogs_data",),
        ),
        Stage(
            "dialogs prepare",
            "read, split and tokenise the corpus",
            _prepare,
            (
                "--config config/config.yaml --corpus "
                "data/raw/dialogs/cornell_movie_dialogs_corpus.zip --out data/processed/dialogs"
            ),
            options=(
                required("--corpus", "corpus zip"),
                required("--out", "folder for tokenizer and token arrays"),
            ),
            settings=(
                "dialogs.tokenizer",
                "dialogs.validation_fraction",
                "dialogs.split_seed",
                "dialogs.train_tokens",
            ),
            modules=("odfa.studies.dialogs_data",),
        ),
        TRAIN,
        Stage(
            "dialogs evaluate",
            "samples and attention of a run",
            _evaluate,
            (
                "--config config/config.yaml --run odfa --data data/processed/dialogs --run-dir "
                "results/dialogs/runs/odfa/replicate-0"
            ),
            options=(RUN, DATA, RUN_DIR),
            settings=("threads", "dialogs.model", "dialogs.milestones", "dialogs.generation"),
            modules=("odfa.studies.dialogs",),
            wildcards=("run",),
        ),
        Stage(
            "dialogs summarise",
            "tables of all runs",
            _summarise,
            (
                "--config config/config.yaml --runs results/dialogs/runs --replicates "
                "results/dialogs/replicates.csv --metrics results/dialogs/metrics.csv "
                "--headline results/dialogs/metrics.json --comparisons "
                "results/dialogs/comparisons.csv"
            ),
            options=(runs("<run>"), *SUMMARY, COMPARISONS),
            settings=("dialogs.methods", "dialogs.replicates"),
            modules=("odfa.studies.dialogs_summary",),
        ),
        Stage(
            "dialogs plot",
            "figures 2c, 2d and 2e",
            _plot,
            (
                "--config config/config.yaml --runs results/dialogs/runs --fig2c "
                "results/figures/fig2c.png --fig2d results/figures/fig2d.png --fig2d-text "
                "results/figures/fig2d.txt --fig2e results/figures/fig2e.png"
            ),
            options=(
                runs("<run>"),
                required("--fig2c", "Fig. 2c: validation loss of each run"),
                required("--fig2d", "Fig. 2d: samples during training"),
                required("--fig2d-text", "Fig. 2d's samples as text"),
                required("--fig2e", "Fig. 2e: attention of each run"),
            ),
            settings=("dialogs.methods", "dialogs.replicates"),
            modules=("odfa.figures.dialogs",),
        ),
    ),
)
