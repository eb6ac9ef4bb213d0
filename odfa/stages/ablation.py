"""The optics ablation's stages: each study's ODFA run with one optics setting changed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from odfa.stages import dialogs, digits
from odfa.stages.declaration import (
    DATA,
    REPLICATE,
    REPLICATE_OUT,
    SUMMARY,
    Job,
    Stage,
    Study,
    Wildcards,
    option,
    required,
    runs,
    summary_tables,
)

VARIANT_EXAMPLE = "camera_bits-6"
VARIANT = required("--variant", f"<setting>-<value>, e.g. {VARIANT_EXAMPLE} or camera-ideal")


def _odfa(wildcards: Wildcards) -> str:
    del wildcards
    return "odfa"  # an ablation run changes one optics setting of ODFA


def _varied(config: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The config of the variant: the ablation's model sizes, then its one changed setting."""
    from odfa.studies.ablation import ablation_sized, apply_variant

    return apply_variant(ablation_sized(config), args.variant)


def _train(study: str, job: Job) -> None:
    from odfa.studies.ablation import train_variant

    args = job.args
    metrics = train_variant(
        job.config,
        study,
        args.variant,
        args.replicate,
        args.out,
        getattr(args, "data", None),
        job.identity,
    )
    wildcards = {"variant": args.variant, "replicate": str(args.replicate)}
    print(json.dumps({"study": study, **wildcards, **metrics}))


def _train_digits(job: Job) -> None:
    _train("digits", job)


def _train_dialogs(job: Job) -> None:
    _train("dialogs", job)


def _summarise(job: Job) -> None:
    from odfa.studies.ablation import summarise_ablation

    args = job.args
    summary = summarise_ablation(job.config["ablation"], args.runs, summary_tables(args))
    print(summary.to_string(index=False))


def _plot(job: Job) -> None:
    from odfa.figures.ablation import plot_ablation, reference_lines

    args = job.args
    summaries = {Path(path).parent.name: path for path in args.references}
    plot_ablation(args.table, reference_lines(args.table, summaries), args.out)


def _variant_of(study: str, run: Any, example: str, **declared: Any) -> Stage:
    """The stage training ODFA variants of `study`: its training stage's settings and code."""
    training = digits.TRAIN if study == "digits" else dialogs.TRAIN
    return Stage(
        f"ablation {study}",
        f"train one ODFA variant of the {study} study",
        run,
        f"--config config/config.yaml {example}"
        f" --out results/ablation/runs/{study}/{VARIANT_EXAMPLE}/replicate-0",
        settings=training.settings + declared.pop("settings", ()),
        modules=("odfa.studies.ablation", *training.modules),
        wildcards=("variant", "replicate"),
        method=_odfa,
        inputs=training.inputs,
        configure=_varied,
        resumable=True,
        replicated=study,
        **declared,
    )


STUDY = Study(
    help="what the optics cost: ODFA with one optics setting changed",
    stages=(
        _variant_of(
            "digits",
            _train_digits,
            f"--variant {VARIANT_EXAMPLE} --data data/processed/digits/split.npz",
            options=(VARIANT, REPLICATE, digits.SPLIT, REPLICATE_OUT),
        ),
        _variant_of(
            "dialogs",
            _train_dialogs,
            f"--variant {VARIANT_EXAMPLE} --data data/processed/dialogs",
            options=(VARIANT, REPLICATE, DATA, REPLICATE_OUT),
            settings=("ablation.dialogs_model",),
        ),
        Stage(
            "ablation summarise",
            "metrics.csv",
            _summarise,
            (
                "--config config/config.yaml --runs results/ablation/runs --replicates "
                "results/ablation/replicates.csv --metrics results/ablation/metrics.csv "
                "--headline results/ablation/metrics.json"
            ),
            options=(runs("<study>/<variant>"), *SUMMARY),
            settings=("ablation",),
            modules=("odfa.studies.ablation",),
        ),
        Stage(
            "ablation plot",
            "metric against fidelity",
            _plot,
            (
                "--table results/ablation/metrics.csv --references results/digits/metrics.json "
                "results/dialogs/metrics.csv --out results/figures/ablation.png"
            ),
            options=(
                required("--table", "the ablation's metrics.csv"),
                option(
                    "--references",
                    nargs="*",
                    default=[],
                    help="the summaries whose DFA and ODFA lines the figure draws: "
                    "results/digits/metrics.json, results/dialogs/metrics.csv",
                ),
                required("--out", "figure"),
            ),
            modules=("odfa.figures.ablation",),
        ),
    ),
)
