"""The digits study's stages: an MLP trained on scikit-learn's bundled digits."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from odfa.stages.declaration import (
    COMPUTE,
    METHOD,
    REPLICATE,
    REPLICATE_OUT,
    REPLICATES_TABLE,
    Job,
    Stage,
    Study,
    method_wildcard,
    required,
    runs,
)

# What a training run reads (an ablation run of the study reads the same).
TRAINING = (*COMPUTE, "digits.model", "digits.training")
SPLIT = required("--data", "the prepared split (digits prepare's .npz)")


def training_inputs(args: argparse.Namespace) -> list[Path]:
    """The file a digits run reads: the prepared split."""
    return [Path(args.data)]


def _prepare(job: Job) -> None:
    from odfa.data.digits import load_digits_split, save_digits_split

    digits = job.config["digits"]
    split = load_digits_split(digits["test_fraction"], digits["split_seed"])
    save_digits_split(split, job.args.out)
    sizes = {"train": len(split.train_labels), "test": len(split.test_labels)}
    print(json.dumps(sizes))


def _train(job: Job) -> None:
    from odfa.studies.digits import train_digits

    args = job.args
    metrics = train_digits(
        job.config, args.method, args.replicate, args.data, args.out, job.identity
    )
    print(json.dumps({"method": args.method, "replicate": str(args.replicate), **metrics}))


def _summarise(job: Job) -> None:
    from odfa.studies.digits_summary import summarise_digits

    digits = job.config["digits"]
    summarise_digits(
        digits["methods"],
        digits["replicates"],
        job.args.runs,
        job.args.headline,
        job.args.replicates,
    )


def _plot(job: Job) -> None:
    from odfa.figures.digits import plot_digits

    plot_digits(job.args.runs, job.args.summary, job.args.out)


# Its training stage (the ablation trains the study's ODFA run with the same settings).
TRAIN = Stage(
    "digits train",
    "train one method; write metrics.json",
    _train,
    (
        "--config config/config.yaml --method odfa --replicate 0 --data "
        "data/processed/digits/split.npz --out results/digits/runs/odfa/replicate-0"
    ),
    options=(METHOD, REPLICATE, SPLIT, REPLICATE_OUT),
    settings=TRAINING,
    modules=("odfa.studies.digits",),
    wildcards=("method", "replicate"),
    method=method_wildcard,
    inputs=training_inputs,
    resumable=True,
    replicated="digits",
)

STUDY = Study(
    help="MLP on scikit-learn digits",
    stages=(
        Stage(
            "digits prepare",
            "split the digits into training and test sets (stratified, seeded)",
            _prepare,
            "--config config/config.yaml --out data/processed/digits/split.npz",
            options=(required("--out", "the split (.npz)"),),
            settings=("digits.test_fraction", "digits.split_seed"),
            modules=("odfa.data.digits",),
        ),
        TRAIN,
        Stage(
            "digits summarise",
            "mean and spread per method",
            _summarise,
            (
                "--config config/config.yaml --runs results/digits/runs --headline "
                "results/digits/metrics.json --replicates results/digits/replicates.csv"
            ),
            options=(
                runs("<method>"),
                required("--headline", "JSON: mean, spread and number of replicates per method"),
                REPLICATES_TABLE,
            ),
            settings=("digits.methods", "digits.replicates"),
            modules=("odfa.studies.digits_summary",),
        ),
        Stage(
            "digits plot",
            "figure of losses, accuracy and alignment",
            _plot,
            (
                "--runs results/digits/runs --summary results/digits/metrics.json --out "
                "results/figures/digits.png"
            ),
            options=(
                runs("<method>"),
                required("--summary", "summary metrics.json"),
                required("--out", "figure"),
            ),
            modules=("odfa.figures.digits",),
        ),
    ),
)
