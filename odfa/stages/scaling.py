"""Study 3's stages: training time against width and depth, and the projection alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from odfa.stages.declaration import FIGURES_DIR, Job, Stage, Study, required

SWEEP_SETTINGS = ("widths", "depths", "methods", "batch", "outputs", "warmup", "repeats")
PROJECTION_SETTINGS = ("projection_sizes", "batch", "warmup", "repeats")
SHARED_SETTINGS = ("memory_limit_bytes",)


def _sweep(job: Job) -> None:
    from odfa.studies.scaling import run_sweep

    print(run_sweep(job.config, job.args.out).to_string(index=False))


def _projections(job: Job) -> None:
    from odfa.studies.projections import run_projections

    print(run_projections(job.config, job.args.out).to_string(index=False))


def _summarise(job: Job) -> None:
    from odfa.studies.scaling_analysis import summarise

    args = job.args
    for name, table in summarise(args.timings, args.projections, args.out_dir).items():
        print(f"{name}:\n{table.to_string(index=False)}")


def _plot(job: Job) -> None:
    from odfa.figures.scaling import ScalingTables, plot_scaling

    tables = ScalingTables(
        *(Path(getattr(job.args, field.name)) for field in dataclasses.fields(ScalingTables))
    )
    plot_scaling(tables, job.args.out_dir)


STUDY = Study(
    help="Study 3: training time vs width and depth",
    stages={
        "scaling_sweep": Stage(
            "scaling run",
            "time BP, DFA and ODFA over the sweep",
            _sweep,
            options=(required("--out", "timings CSV"),),
            settings=(
                "device",
                *(f"scaling.{key}" for key in SWEEP_SETTINGS + SHARED_SETTINGS),
                "feedback",
                "optics",
            ),
            modules=("odfa.studies.scaling", "odfa.feedback.optical"),
        ),
        "scaling_projections": Stage(
            "scaling projections",
            "time the feedback projection alone, DFA against ODFA, for each projection size",
            _projections,
            options=(required("--out", "projections CSV"),),
            settings=(
                "device",
                *(f"scaling.{key}" for key in PROJECTION_SETTINGS + SHARED_SETTINGS),
                "feedback.seed",
                "optics",
            ),
            modules=("odfa.studies.projections",),
        ),
        "scaling_summary": Stage(
            "scaling summarise",
            "times, ratios, crossovers (where ODFA meets BP) and growth (fitted exponents)",
            _summarise,
            options=(
                required("--timings", "timings CSV"),
                required("--projections", "projections CSV"),
                required("--out-dir", "tables folder"),
            ),
            modules=("odfa.studies.scaling_analysis",),
        ),
        "scaling_figures": Stage(
            "scaling plot",
            "figures 4a, 4b, 4c and 4d",
            _plot,
            options=(
                required("--timings", "timings CSV"),
                required("--times", "times.csv of the summary"),
                required("--ratios", "ratios.csv of the summary"),
                required("--crossover", "crossover.csv of the summary (per depth)"),
                required("--crossover-in-depth", "crossover_in_depth.csv (per width)"),
                required("--projections", "projections CSV"),
                required("--projection-ratios", "projection_ratios.csv of the summary"),
                FIGURES_DIR,
            ),
            modules=("odfa.figures.scaling",),
        ),
    },
)
