"""The `odfa` command: every Snakemake rule and DVC stage runs one of its subcommands."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odfa.config import load_config
from odfa.errors import UserError
from odfa.pipeline.stages import Wildcards, restricted_config
from odfa.registry import BENCH_MODELS, CLIMATE_MODELS, DIALOGS_RUNS, METHODS


def _stage_config(args: argparse.Namespace, stage: str, **wildcards: str) -> dict:
    """The config files' settings that the pipeline stage `stage` reads, and no others."""
    return restricted_config(load_config(*args.config), stage, wildcards)


def _identity(
    config: dict, stage: str, wildcards: Wildcards, inputs: Sequence[str | Path]
) -> dict[str, Any]:
    """The provenance of the job of `stage` reading `inputs` (`config`: the job's own)."""
    from odfa.pipeline.identity import run_identity

    return run_identity(config, stage, wildcards, inputs).as_dict()


def _config_check(args: argparse.Namespace) -> None:
    load_config(*args.config)
    print(f"{' + '.join(args.config)}: valid")


def _config_show(args: argparse.Namespace) -> None:
    import yaml

    print(yaml.safe_dump(load_config(*args.config), sort_keys=False), end="")


def _under_torchrun_if_several_gpus(args: argparse.Namespace) -> None:
    """Run this training command again under torchrun, one data-parallel process per GPU, when
    `resources.training_gpus` gives it several on a CUDA device (and torchrun did not start it)."""
    from odfa import distributed
    from odfa.train import resolve_device

    config = load_config(*args.config)
    gpus = config["resources"]["training_gpus"]
    if gpus == 1 or distributed.world_size() > 1 or resolve_device(config["device"]).type != "cuda":
        return
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    launcher += [
        f"--nproc-per-node={gpus}",
        "--no-python",
        shutil.which(sys.argv[0]) or sys.argv[0],
    ]
    os.execv(sys.executable, [*launcher, *sys.argv[1:]])


def _digits_train(args: argparse.Namespace) -> None:
    from odfa.data.digits import DIGITS_FILE
    from odfa.studies.digits import train_digits

    _under_torchrun_if_several_gpus(args)
    wildcards = {"method": args.method, "replicate": str(args.replicate)}
    config = _stage_config(args, "digits_train", **wildcards)
    identity = _identity(config, "digits_train", wildcards, [DIGITS_FILE])
    metrics = train_digits(config, args.method, args.replicate, args.out, identity)
    print(json.dumps({**wildcards, **metrics}))


def _digits_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.digits import summarise

    digits = _stage_config(args, "digits_summary")["digits"]
    summarise(digits["methods"], digits["replicates"], args.runs, args.out, args.replicates_out)


def _digits_plot(args: argparse.Namespace) -> None:
    from odfa.figures.digits import plot_digits

    plot_digits(args.runs, args.summary, args.out)


def _dialogs_fetch(args: argparse.Namespace) -> None:
    from odfa.studies.dialogs_data import fetch_corpus

    fetch_corpus(_stage_config(args, "dialogs_fetch"), args.out)


def _dialogs_prepare(args: argparse.Namespace) -> None:
    from odfa.studies.dialogs_data import prepare_corpus

    config = _stage_config(args, "dialogs_prepare")
    print(json.dumps(prepare_corpus(config, args.corpus, args.out)))


def _dialogs_train(args: argparse.Namespace) -> None:
    from odfa.studies.dialogs import DATA_FILES, train_dialogs

    _under_torchrun_if_several_gpus(args)
    wildcards = {"run": args.run, "replicate": str(args.replicate)}
    config = _stage_config(args, "dialogs_train", **wildcards)
    inputs = [Path(args.data) / name for name in DATA_FILES]
    identity = _identity(config, "dialogs_train", wildcards, inputs)
    metrics = train_dialogs(config, args.run, args.replicate, args.data, args.out, identity)
    print(json.dumps({**wildcards, **metrics}))


def _dialogs_evaluate(args: argparse.Namespace) -> None:
    from odfa.studies.dialogs import evaluate_dialogs

    config = _stage_config(args, "dialogs_evaluate", run=args.run)
    evaluate_dialogs(config, args.run, args.data, args.run_dir)


def _dialogs_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.dialogs import summarise_dialogs

    dialogs = _stage_config(args, "dialogs_summary")["dialogs"]
    summary = summarise_dialogs(dialogs["methods"], dialogs["replicates"], args.runs, args.out_dir)
    print(summary.to_string(index=False))


def _dialogs_plot(args: argparse.Namespace) -> None:
    from odfa.figures.dialogs import plot_attention, plot_losses, plot_samples

    dialogs = _stage_config(args, "dialogs_figures")["dialogs"]
    runs, figures = dialogs["methods"], Path(args.out_dir)
    plot_losses(runs, dialogs["replicates"], args.runs, figures / "fig2c.png")
    plot_samples(runs, args.runs, figures / "fig2d.png", figures / "fig2d.txt")
    plot_attention(runs, args.runs, figures / "fig2e.png")


def _ablation_train(args: argparse.Namespace) -> None:
    from odfa.studies.ablation import ablation_sized, apply_variant, train_variant

    _under_torchrun_if_several_gpus(args)
    stage = f"ablation_{args.study}"
    wildcards = {"variant": args.variant, "replicate": str(args.replicate)}
    varied = apply_variant(ablation_sized(load_config(*args.config)), args.variant)
    config = restricted_config(varied, stage, wildcards)
    identity = _identity(config, stage, wildcards, _ablation_inputs(args.study, args.data))
    metrics = train_variant(
        config, args.study, args.variant, args.replicate, args.out, args.data, identity
    )
    print(json.dumps({"study": args.study, **wildcards, **metrics}))


def _ablation_inputs(study: str, data: str | None) -> list[Path]:
    """The files an ablation run of `study` reads (the training stage's of that study)."""
    if study == "digits":
        from odfa.data.digits import DIGITS_FILE

        return [Path(DIGITS_FILE)]
    from odfa.studies.dialogs import DATA_FILES

    return [] if data is None else [Path(data) / name for name in DATA_FILES]


def _ablation_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.ablation import summarise_ablation

    ablation = _stage_config(args, "ablation_summary")["ablation"]
    summary = summarise_ablation(ablation, args.runs, args.out, args.replicates_out)
    print(summary.to_string(index=False))


def _ablation_plot(args: argparse.Namespace) -> None:
    from odfa.figures.ablation import plot_ablation, reference_lines

    summaries = {"digits": args.digits, "dialogs": args.dialogs}
    summaries = {study: path for study, path in summaries.items() if path}
    plot_ablation(args.table, reference_lines(args.table, summaries), args.out)


def _climate_fetch(args: argparse.Namespace) -> None:
    from odfa.studies.climate_data import fetch_archives

    fetch_archives(_stage_config(args, "climate_fetch"), args.out, args.lock_file)


def _data_lock(args: argparse.Namespace) -> None:
    from odfa.studies.climate_data import record_archives

    print(json.dumps(record_archives(args.out, args.lock_file), indent=1))
    print(f"recorded: check these digests, then commit {args.lock_file}")


def _climate_prepare(args: argparse.Namespace) -> None:
    from odfa.studies.climate_data import prepare

    config = _stage_config(args, "climate_prepare")
    print(json.dumps(prepare(config, args.archives, args.out)))


def _climate_train(args: argparse.Namespace) -> None:
    from odfa.studies.climate import DATA_FILES, train_climate

    _under_torchrun_if_several_gpus(args)
    wildcards: Wildcards = {
        "model": args.model,
        "method": args.method,
        "replicate": str(args.replicate),
    }
    config = _stage_config(args, "climate_train", **wildcards)
    identity = _identity(
        config, "climate_train", wildcards, [Path(args.data) / n for n in DATA_FILES]
    )
    summary = train_climate(
        config, args.model, args.method, args.replicate, args.data, args.out, identity
    )
    print(json.dumps(summary))


def _climate_score(args: argparse.Namespace) -> None:
    from odfa.studies.climate_scores import score_run

    print(json.dumps(score_run(args.run_dir, args.data)["scores"]))


def _climate_baseline(args: argparse.Namespace) -> None:
    from odfa.studies.pattern_scaling import DATA_FILES, run_pattern_scaling

    identity = _identity({}, "climate_baseline", {}, [Path(args.data) / n for n in DATA_FILES])
    print(json.dumps(run_pattern_scaling(args.data, args.out, identity)["scores"]))


def _climate_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.climate_scores import summarise_climate

    climate = _stage_config(args, "climate_summary")["climate"]
    summary = summarise_climate(
        climate["methods"], climate["replicates"], args.runs, args.out_dir, args.baseline
    )
    print(summary.to_string(index=False))


def _climate_plot(args: argparse.Namespace) -> None:
    from odfa.figures.climate import plot_maps, plot_scores

    figures = Path(args.out_dir)
    plot_scores(args.metrics, figures / "fig3b.png")
    plot_maps(args.metrics, args.runs, args.data, figures / "fig3c.png")


def _pipeline_dvc(args: argparse.Namespace) -> None:
    from odfa.io import write_text
    from odfa.pipeline.dvc import generate_dvc_yaml

    text = generate_dvc_yaml()
    if args.check:
        if Path(args.out).read_text() != text:
            raise UserError(f"{args.out} differs from the workflow: run `make dvc.yaml`")
        print(f"{args.out}: agrees with the workflow")
    else:
        write_text(args.out, text)


def _pipeline_code(args: argparse.Namespace) -> None:
    from odfa.pipeline.dvc import write_code_digests

    write_code_digests(args.out)


def _pipeline_record(args: argparse.Namespace) -> None:
    from odfa.pipeline.dvc import record_snakemake_run

    record_snakemake_run()
    print("dvc.lock records the Snakemake run: `dvc repro` has nothing to do")


def _pipeline_summary(args: argparse.Namespace) -> None:
    from odfa.pipeline.summary import run_summary

    print(run_summary(args.results, args.report))


def _pipeline_scorecard(args: argparse.Namespace) -> None:
    from odfa.studies.scorecard import Evidence, verdicts, write_scorecard

    evidence = Evidence(
        _stage_config(args, "reproduction"),
        load_config(*args.config, args.paper),
        Path(args.results),
    )
    table = write_scorecard(evidence, args.out)
    print(verdicts(table).to_string(index=False))
    print(f"published and reproduced values, spread and criteria: {args.out}")


def _pipeline_cost(args: argparse.Namespace) -> None:
    import pandas as pd

    from odfa.pipeline.cost import ASSUMED_GPU, ASSUMED_TFLOPS, estimate_cost, study_totals

    cost = estimate_cost(load_config(*args.config))
    print(f"ESTIMATED GPU-hours at {ASSUMED_TFLOPS:.3g} TFLOP/s sustained ({ASSUMED_GPU}, FP32);")
    print("FLOPs counted by torch's FlopCounterMode, not measured time:\n")
    with pd.option_context("display.float_format", "{:.3g}".format):
        print(cost.to_string(index=False))
        print("\n" + study_totals(cost).rename("estimated GPU-hours").to_string())


def _scaling_run(args: argparse.Namespace) -> None:
    from odfa.studies.scaling import run_sweep

    table = run_sweep(_stage_config(args, "scaling_sweep"), args.out)
    print(table.to_string(index=False))


def _scaling_projections(args: argparse.Namespace) -> None:
    from odfa.studies.projections import run_projections

    table = run_projections(_stage_config(args, "scaling_projections"), args.out)
    print(table.to_string(index=False))


def _scaling_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.scaling_analysis import summarise

    for name, table in summarise(args.timings, args.projections, args.out_dir).items():
        print(f"{name}:\n{table.to_string(index=False)}")


def _scaling_plot(args: argparse.Namespace) -> None:
    from odfa.figures.scaling import ScalingTables, plot_scaling

    tables = ScalingTables(
        *(Path(getattr(args, field.name)) for field in dataclasses.fields(ScalingTables))
    )
    plot_scaling(tables, args.out_dir)


def _bench_step(args: argparse.Namespace) -> None:
    from odfa.timing.bench import benchmark_step
    from odfa.timing.workloads import workload

    config = load_config(*args.config)
    if args.device:
        config["device"] = args.device
    work = workload(config, args.model, args.width, args.depth, args.batch, args.outputs)
    print(json.dumps(benchmark_step(config, args.model, work, args.warmup, args.repeats)))


def _bench_paper(args: argparse.Namespace) -> None:
    from odfa.timing.paper import benchmark_paper

    config = load_config(*args.config)
    if args.device:
        config["device"] = args.device
    for row in benchmark_paper(config, args.steps):
        print(json.dumps(row), flush=True)


def _bench_opu(args: argparse.Namespace) -> None:
    from odfa.timing.opu import benchmark_opu

    result = benchmark_opu(
        args.batch,
        args.inputs,
        args.outputs,
        args.repeats,
        args.precision,
        args.big_outputs,
        args.warmup,
        lit=args.lit,
    )
    print(json.dumps(result))


Handler = Callable[[argparse.Namespace], None]
Option = tuple[str, dict[str, Any]]


def option(flag: str, **keywords: Any) -> Option:
    """One argument of a subcommand: its flag (or positional name) and argparse's keywords."""
    return flag, keywords


def required(flag: str, help: str, **keywords: Any) -> Option:
    return option(flag, required=True, help=help, **keywords)


@dataclass(frozen=True)
class Command:
    """A subcommand: what runs it, what it does, and its arguments."""

    handler: Handler
    help: str
    options: tuple[Option, ...] = ()


CONFIG = required(
    "--config",
    "config files, each merged over the ones before (e.g. config/config.yaml config/paper.yaml)",
    nargs="+",
)
REPLICATE = option(
    "--replicate", type=int, default=0, help="replicate index (seeds derive from it)"
)
FILES = option("config", nargs="+", help="config files, each merged over the ones before")
METHOD = required("--method", "training method", choices=list(METHODS))
RUN = required("--run", "the dialogs study's run", choices=list(DIALOGS_RUNS))
DATA = required("--data", "prepared data folder")
RUN_DIR = required("--run-dir", "trained replicate folder")
REPLICATE_OUT = required("--out", "replicate folder")
SUMMARY_DIR = required("--out-dir", "folder for metrics.csv, replicates.csv, comparisons.csv")
FIGURES_DIR = required("--out-dir", "figures folder")
LOCK_FILE = option(
    "--lock-file", default="data/climatebench.lock.json", help="recorded SHA-256 digests"
)
DEVICE = option("--device", default=None, help="override the config's device")


def runs(layout: str) -> Option:
    return required("--runs", f"folder holding {layout}/replicate-<r>/")


def bench_config(*files: str) -> Option:
    return option("--config", default=list(files), nargs="+", help="config files, layered")


# Every subcommand, declared once: group -> (what the group is, {action: command}).
COMMANDS: dict[str, tuple[str, dict[str, Command]]] = {
    "config": (
        "configuration",
        {
            "check": Command(_config_check, "validate config files", (FILES,)),
            "show": Command(_config_show, "print the effective config", (FILES,)),
        },
    ),
    "digits": (
        "MLP on scikit-learn digits",
        {
            "train": Command(
                _digits_train,
                "train one method; write metrics.json",
                (CONFIG, METHOD,
                 REPLICATE, REPLICATE_OUT),
            ),
            "summarise": Command(
                _digits_summarise,
                "mean and spread per method",
                (CONFIG, runs("<method>"), required("--out", "summary metrics.json"),
                 required("--replicates-out", "per-replicate CSV")),
            ),
            "plot": Command(
                _digits_plot,
                "figure of losses, accuracy and alignment",
                (runs("<method>"), required("--summary", "summary metrics.json"),
                 required("--out", "figure")),
            ),
        },
    ),
    "dialogs": (
        "Study 1: GPT on the Cornell Movie-Dialogs Corpus",
        {
            "fetch": Command(
                _dialogs_fetch,
                "generate the sample corpus or download it",
                (CONFIG, required("--out", "corpus zip to write")),
            ),
            "prepare": Command(
                _dialogs_prepare,
                "read, split and tokenise the corpus",
                (CONFIG, required("--corpus", "corpus zip"),
                 required("--out", "folder for tokenizer and token arrays")),
            ),
            "train": Command(
                _dialogs_train,
                "train one run; write metrics.json",
                (CONFIG, RUN, DATA, REPLICATE,
                 REPLICATE_OUT),
            ),
            "evaluate": Command(
                _dialogs_evaluate,
                "samples and attention of a run",
                (CONFIG, RUN, DATA, RUN_DIR),
            ),
            "summarise": Command(
                _dialogs_summarise, "tables of all runs", (CONFIG, runs("<run>"), SUMMARY_DIR)
            ),
            "plot": Command(
                _dialogs_plot, "figures 2c, 2d and 2e", (CONFIG, runs("<run>"), FIGURES_DIR)
            ),
        },
    ),
    "data": (
        "the data sets",
        {
            "lock": Command(
                _data_lock,
                "download ClimateBench's archives afresh and record their SHA-256 in the lock file",
                (option("--out", default="data/raw/climatebench", help="folder for the archives"),
                 LOCK_FILE),
            ),
        },
    ),
    "climate": (
        "Study 2: ViT and FCNN on ClimateBench",
        {
            "fetch": Command(
                _climate_fetch,
                "generate or download archives",
                (CONFIG, required("--out", "folder for the two archives"), LOCK_FILE),
            ),
            "prepare": Command(
                _climate_prepare,
                "extract, regrid, normalise",
                (CONFIG, required("--archives", "folder of the archives"),
                 required("--out", "folder for train.nc and test.nc")),
            ),
            "train": Command(
                _climate_train,
                "train and predict ssp245",
                (CONFIG, required("--model", "model", choices=list(CLIMATE_MODELS)),
                 METHOD, REPLICATE,
                 DATA, REPLICATE_OUT),
            ),
            "score": Command(
                _climate_score,
                "ClimateBench scores of a run",
                (RUN_DIR, required("--data", "prepared data folder (truth)")),
            ),
            "baseline": Command(
                _climate_baseline,
                "fit linear pattern scaling, predict ssp245 and score it",
                (required("--data", "prepared data folder"),
                 required("--out", "folder for its predictions and scores")),
            ),
            "summarise": Command(
                _climate_summarise,
                "tables of all runs and the pattern-scaling baseline",
                (CONFIG, runs("<model>-<method>"),
                 required("--baseline", "the pattern-scaling baseline's metrics.json"),
                 SUMMARY_DIR),
            ),
            "plot": Command(
                _climate_plot,
                "figures 3b and 3c",
                (required("--metrics", "metrics.csv"), runs("<model>-<method>"),
                 required("--data", "prepared data folder (truth)"), FIGURES_DIR),
            ),
        },
    ),
    "ablation": (
        "what the optics cost: ODFA with one optics setting changed",
        {
            "train": Command(
                _ablation_train,
                "train one ODFA variant",
                (CONFIG, required("--study", "study", choices=["digits", "dialogs"]),
                 required("--variant", "<setting>-<value>, e.g. camera_bits-6 or camera-ideal"),
                 REPLICATE, option("--data", help="prepared data folder (dialogs)"),
                 REPLICATE_OUT),
            ),
            "summarise": Command(
                _ablation_summarise,
                "metrics.csv",
                (CONFIG, runs("<study>/<variant>"),
                 required("--out", "mean and spread per variant"),
                 required("--replicates-out", "per-replicate CSV")),
            ),
            "plot": Command(
                _ablation_plot,
                "metric against fidelity",
                (required("--table", "the ablation's metrics.csv"),
                 option("--digits", help="digits metrics.json (DFA and ODFA lines)"),
                 option("--dialogs", help="dialogs metrics.csv (DFA and ODFA lines)"),
                 required("--out", "figure")),
            ),
        },
    ),
    "scaling": (
        "Study 3: training time vs width and depth",
        {
            "run": Command(
                _scaling_run,
                "time BP, DFA and ODFA over the sweep",
                (CONFIG, required("--out", "timings CSV")),
            ),
            "projections": Command(
                _scaling_projections,
                "time the feedback projection alone, DFA against ODFA, for each projection size",
                (CONFIG, required("--out", "projections CSV")),
            ),
            "summarise": Command(
                _scaling_summarise,
                "times, ratios, crossovers (where ODFA meets BP) and growth (fitted exponents)",
                (required("--timings", "timings CSV"),
                 required("--projections", "projections CSV"),
                 required("--out-dir", "tables folder")),
            ),
            "plot": Command(
                _scaling_plot,
                "figures 4a, 4b, 4c and 4d",
                (required("--timings", "timings CSV"),
                 required("--times", "times.csv of the summary"),
                 required("--ratios", "ratios.csv of the summary"),
                 required("--crossover", "crossover.csv of the summary (per depth)"),
                 required("--crossover-in-depth", "crossover_in_depth.csv (per width)"),
                 required("--projections", "projections CSV"),
                 required("--projection-ratios", "projection_ratios.csv of the summary"),
                 FIGURES_DIR),
            ),
        },
    ),
    "pipeline": (
        "the workflow",
        {
            "dvc": Command(
                _pipeline_dvc,
                "write dvc.yaml from the Snakemake workflow",
                (option("--out", default="dvc.yaml"),
                 option("--check", action="store_true", help="only check that --out is current")),
            ),
            "code": Command(
                _pipeline_code,
                "write the digest of each kind of job's code (DVC's `code` stage)",
                (required("--out", "folder for <stage>[-<method>].sha256"),),
            ),
            "record": Command(
                _pipeline_record,
                "after a Snakemake run: record its results in DVC (dvc.lock and the cache)",
            ),
            "scorecard": Command(
                _pipeline_scorecard,
                "the study's claims, published against reproduced, with verdicts",
                (CONFIG,
                 required("--paper", "config/paper.yaml: layered over --config"),
                 option("--results", default="results", help="the workflow's results folder"),
                 required("--out", "scorecard CSV")),
            ),
            "cost": Command(
                _pipeline_cost,
                "ESTIMATED GPU-hours of the config's jobs, study by study (FLOPs counted)",
                (CONFIG,),
            ),
            "summary": Command(
                _pipeline_summary,
                "where the report and figures are, and each study's headline table",
                (option("--results", default="results", help="the workflow's results folder"),
                 option("--report", default="results/report.html", help="Snakemake's report")),
            ),
        },
    ),
    "bench": (
        "benchmarks",
        {
            "step": Command(
                _bench_step,
                "time BP, DFA and ODFA training steps against their FLOPs",
                (option("--model", default="fcnn", choices=BENCH_MODELS),
                 option("--width", type=int,
                        help="FCNN: hidden width (1024); GPT/ViT: embedding (the config's)"),
                 option("--depth", type=int,
                        help="FCNN: hidden layers (8); GPT/ViT: blocks (the config's)"),
                 option("--batch", type=int, help="FCNN: 64; GPT/ViT: the study's batch size"),
                 option("--outputs", type=int, default=10, help="FCNN output width (error width)"),
                 option("--warmup", type=int, default=10, help="untimed rounds first"),
                 option("--repeats", type=int, default=100, help="timed rounds"),
                 DEVICE, bench_config("config/config.yaml")),
            ),
            "paper": Command(
                _bench_paper,
                "GPU: memory, step time, projected time at the paper's sizes",
                (option("--steps", type=int, default=3, help="timed steps per (model, method)"),
                 DEVICE, bench_config("config/config.yaml", "config/paper.yaml")),
            ),
            "opu": Command(
                _bench_opu,
                "time the simulated OPU vs lightonml and a matmul",
                (option("--batch", type=int, default=64),
                 option("--inputs", type=int, default=4096, help="DMD pixels"),
                 option("--outputs", type=int, default=4096, help="camera pixels"),
                 option("--repeats", type=int, default=10),
                 option("--warmup", type=int, default=2),
                 option("--precision", default="bfloat16", choices=["float32", "bfloat16"]),
                 option("--big-outputs", type=int, default=1_000_000,
                        help="camera pixels of the streamed case"),
                 option("--lit", type=int, default=3, help="lit pixels per anchored error frame")),
            ),
        },
    ),
}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The `odfa` parser: one subparser per group of COMMANDS, one per command in it."""
    parser = argparse.ArgumentParser(prog="odfa", description=__doc__)
    groups = parser.add_subparsers(dest="command", required=True)
    for group, (group_help, commands) in COMMANDS.items():
        actions = groups.add_parser(group, help=group_help).add_subparsers(
            dest="action", required=True
        )
        for name, command in commands.items():
            sub = actions.add_parser(name, help=command.help, description=command.help)
            sub.set_defaults(handler=command.handler)
            for flag, keywords in command.options:
                sub.add_argument(flag, **keywords)
    return parser


def _disk_full(error: BaseException | None) -> bool:
    """Whether `error`, or one it was raised from, says the disk is full (torch's writer
    raises a RuntimeError whose cause does)."""
    while error is not None:
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        if "No space left on device" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except UserError as error:  # bad input: one line; a bug keeps its traceback
        message = str(error)
    except FileNotFoundError as error:  # an input an earlier stage makes, or a wrong path
        message = f"{error.filename}: no such file; run the stage that makes it, or check the path"
    except (OSError, RuntimeError) as error:
        if not _disk_full(error):
            raise
        message = (
            "no space left on device; free some and run the command again (outputs are "
            "written atomically: none was left half-written, a training resumes)"
        )
    else:
        return 0
    print(f"odfa: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
