"""Study 3's stages: training time against width and depth, and the projection alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from odfa.stages.declaration import Job, Stage, Study, required

SWEEP_SETTINGS = ("widths", "depths", "methods", "batch", "outputs", "warmup", "repeats")
PROJECTION_SETTINGS = ("projection_sizes", "batch", "warmup", "repeats")
SHARED_SETTINGS = ("memory_limit_bytes",)


def _sweep(job: Job) -> None:
    from odfa.studies.scaling import run_sweep

    print(run_sweep(job.config, job.args.out).to_string(index=False))


def _projections(job: Job) -> None:
    from odfa.studies.projections import run_projections

    print(run_projections(job.config, job.args.out).to_string(index=False))


# The tables the summary derives, each an option of its command.
SUMMARY_TABLES = {
    "times": "CSV: each point that ran, with ODFA's hardware time",
    "ratios": "CSV: ODFA / BP per width and depth",
    "crossover": "CSV: per depth, the width where ODFA meets BP",
    "crossover_in_depth": "CSV: per width, the depth where ODFA meets BP",
    "growth": "CSV: exponents of time vs width and depth",
    "projection_ratios": "CSV: ODFA / DFA, the projection alone, per size",
}


def _summarise(job: Job) -> None:
    from odfa.studies.scaling_analysis import summarise

    args = job.args
    out = {name: getattr(args, name) for name in SUMMARY_TABLES}
    for name, table in summarise(args.timings, args.projections, out).items():
        print(f"{name}:\n{table.to_string(index=False)}")


def _plot(job: Job) -> None:
    from odfa.figures.scaling import ScalingFigures, ScalingTables, plot_scaling

    def paths(of: type) -> list[Path]:
        return [Path(getattr(job.args, field.name)) for field in dataclasses.fields(of)]

    plot_scaling(ScalingTables(*paths(ScalingTables)), ScalingFigures(*paths(ScalingFigures)))


STUDY = Study(
    help="Study 3: training time vs width and depth",
    stages=(
        Stage(
            "scaling sweep",
            "time BP, DFA and ODFA over the sweep",
            _sweep,
            "--config config/config.yaml --out results/scaling/timings.csv",
            options=(required("--out", "timings CSV"),),
            settings=(
                "device",
                *(f"scaling.{key}" for key in SWEEP_SETTINGS + SHARED_SETTINGS),
                "feedback",
                "optics",
            ),
            modules=("odfa.studies.scaling", "odfa.feedback.optical"),
        ),
        Stage(
            "scaling projections",
            "time the feedback projection alone, DFA against ODFA, for each projection size",
            _projections,
            "--config config/config.yaml --out results/scaling/projections.csv",
            options=(required("--out", "projections CSV"),),
            settings=(
                "device",
                *(f"scaling.{key}" for key in PROJECTION_SETTINGS + SHARED_SETTINGS),
                "feedback.seed",
                "optics",
            ),
            modules=("odfa.studies.projections",),
        ),
        Stage(
            "scaling summarise",
            "times, ratios, crossovers (where ODFA meets BP) and growth (fitted exponents)",
            _summarise,
            (
                "--timings results/scaling/timings.csv --projections "
                "results/scaling/projections.csv --times results/scaling/times.csv --ratios "
                "results/scaling/ratios.csv --crossover results/scaling/crossover.csv "
                "--crossover-in-depth results/scaling/crossover_in_depth.csv --growth "
                "results/scaling/growth.csv --projection-ratios "
                "results/scaling/projection_ratios.csv"
            ),
            options=(
                required("--timings", "timings CSV"),
                required("--projections", "projections CSV"),
                *(
                    required(f"--{name.replace('_', '-')}", meaning)
                    for name, meaning in SUMMARY_TABLES.items()
                ),
            ),
            modules=("odfa.studies.scaling_analysis",),
        ),
        Stage(
            "scaling plot",
            "figures 4a, 4b, 4c and 4d",
            _plot,
            (
                "--timings results/scaling/timings.csv --times results/scaling/times.csv --ratios "
                "results/scaling/ratios.csv --crossover results/scaling/crossover.csv "
                "--crossover-in-depth results/scaling/crossover_in_depth.csv --projections "
                "results/scaling/projections.csv --projection-ratios "
                "results/scaling/projection_ratios.csv --fig4a results/figures/fig4a.png "
                "--fig4b results/figures/fig4b.png --fig4c results/figures/fig4c.png "
                "--fig4d results/figures/fig4d.png"
            ),
            options=(
                required("--timings", "timings CSV"),
                required("--times", "times.csv of the summary"),
                required("--ratios", "ratios.csv of the summary"),
                required("--crossover", "crossover.csv of the summary (per depth)"),
                required("--crossover-in-depth", "crossover_in_depth.csv (per width)"),
                required("--projections", "projections CSV"),
                required("--projection-ratios", "projection_ratios.csv of the summary"),
                required("--fig4a", "Fig. 4a: time per sample against width"),
                required("--fig4b", "Fig. 4b: time per sample against depth"),
                required("--fig4c", "Fig. 4c: ODFA / DFA, the projection alone, against its size"),
                required("--fig4d", "Fig. 4d: ODFA / BP over width x depth"),
            ),
            modules=("odfa.figures.scaling",),
        ),
    ),
)
