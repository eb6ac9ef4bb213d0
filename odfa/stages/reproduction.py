"""The reproduction scorecard's stage: every quantitative claim of the study, published against
reproduced (a command of the `pipeline` group)."""

from __future__ import annotations

from pathlib import Path

from odfa.stages.declaration import Job, Stage, Study, option, required


def _scorecard(job: Job) -> None:
    from odfa.config import load_config
    from odfa.studies.scorecard import Evidence, verdicts, write_scorecard

    args = job.args
    evidence = Evidence(job.config, load_config(*args.config, args.paper), Path(args.results))
    table = write_scorecard(evidence, args.out)
    print(verdicts(table).to_string(index=False))
    print(f"published and reproduced values, spread and criteria: {args.out}")


STUDY = Study(
    stages=(
        Stage(
            "pipeline scorecard",
            "the study's claims, published against reproduced, with verdicts",
            _scorecard,
            (
                "--config config/config.yaml --paper config/paper.yaml --out "
                "results/reproduction.csv"
            ),
            options=(
                required("--paper", "config/paper.yaml: layered over --config"),
                option("--results", default="results", help="the workflow's results folder"),
                required("--out", "scorecard CSV"),
            ),
            settings=(
                *(f"dialogs.{key}" for key in ("source", "train_tokens", "window_stride", "model")),
                "dialogs.training",
                "dialogs.tokenizer",
                *(f"climate.{key}" for key in ("source", "sample", "models", "training", "window")),
                "climate.variables",
                *(f"scaling.{key}" for key in ("widths", "depths", "batch")),
                "feedback",
                "optics",
            ),
            modules=("odfa.studies.scorecard",),
        ),
    ),
)
