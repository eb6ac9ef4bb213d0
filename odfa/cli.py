"""The `odfa` command: every Snakemake rule and DVC stage runs one of its subcommands."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from odfa.config import load_config
from odfa.errors import UserError
from odfa.pipeline.stages import Wildcards, restricted_config
from odfa.registry import BENCH_MODELS, CLIMATE_MODELS, DIALOGS_RUNS, METHODS

# Bad input (config, data files, downloads, a missing optional package) and training stops end
# with one line naming the culprit; anything else is a bug and keeps its traceback.
USER_ERRORS = (UserError, ValueError, FileNotFoundError, ImportError)


def _stage_config(args: argparse.Namespace, stage: str, **wildcards: str) -> dict:
    """The config files' settings that the pipeline stage `stage` reads, and no others."""
    return restricted_config(load_config(*args.config), stage, wildcards)


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
    from odfa.studies.digits import train_digits

    _under_torchrun_if_several_gpus(args)
    wildcards = {"method": args.method, "replicate": str(args.replicate)}
    config = _stage_config(args, "digits_train", **wildcards)
    metrics = train_digits(config, args.method, args.replicate, args.out)
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
    from odfa.studies.dialogs import train_dialogs

    _under_torchrun_if_several_gpus(args)
    wildcards = {"run": args.run, "replicate": str(args.replicate)}
    config = _stage_config(args, "dialogs_train", **wildcards)
    metrics = train_dialogs(config, args.run, args.replicate, args.data, args.out)
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
    from odfa.studies.ablation import apply_variant, train_variant

    _under_torchrun_if_several_gpus(args)
    stage = f"ablation_{args.study}"
    wildcards = {"variant": args.variant, "replicate": str(args.replicate)}
    varied = apply_variant(load_config(*args.config), args.variant)
    config = restricted_config(varied, stage, wildcards)
    metrics = train_variant(config, args.study, args.variant, args.replicate, args.out, args.data)
    print(json.dumps({"study": args.study, **wildcards, **metrics}))


def _ablation_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.ablation import summarise_ablation

    ablation = _stage_config(args, "ablation_summary")["ablation"]
    summary = summarise_ablation(ablation, args.runs, args.out, args.replicates_out)
    print(summary.to_string(index=False))


def _ablation_plot(args: argparse.Namespace) -> None:
    import pandas as pd

    from odfa.figures.ablation import plot_ablation
    from odfa.studies.ablation import STUDIES

    summaries, references = {}, {}
    if args.digits:
        summaries["digits"] = pd.DataFrame(json.loads(Path(args.digits).read_text())).T
    if args.dialogs:
        summaries["dialogs"] = pd.read_csv(args.dialogs).set_index("method")
    for study, summary in summaries.items():
        metric = STUDIES[study]
        references[study] = {
            label: (float(summary.at[method, metric]), _number(summary.at[method, metric + "_std"]))
            for method, label in (("dfa", "DFA"), ("odfa", "ODFA, default optics"))
            if method in summary.index
        }
    plot_ablation(args.table, references, args.out)


def _number(value: Any) -> float:
    """A summary's value as a float: NaN where it is missing (a spread of one replicate)."""
    return float("nan") if value is None else float(value)


def _climate_fetch(args: argparse.Namespace) -> None:
    from odfa.studies.climate_data import fetch_archives

    fetch_archives(_stage_config(args, "climate_fetch"), args.out, args.lock_file)


def _climate_prepare(args: argparse.Namespace) -> None:
    from odfa.studies.climate_data import prepare

    config = _stage_config(args, "climate_prepare")
    print(json.dumps(prepare(config, args.archives, args.out)))


def _climate_train(args: argparse.Namespace) -> None:
    from odfa.studies.climate import train_climate

    _under_torchrun_if_several_gpus(args)
    wildcards: Wildcards = {
        "model": args.model,
        "method": args.method,
        "replicate": str(args.replicate),
    }
    config = _stage_config(args, "climate_train", **wildcards)
    summary = train_climate(config, args.model, args.method, args.replicate, args.data, args.out)
    print(json.dumps(summary))


def _climate_score(args: argparse.Namespace) -> None:
    from odfa.studies.climate_scores import score_run

    print(json.dumps(score_run(args.run_dir, args.data)["scores"]))


def _climate_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.climate_scores import summarise_climate

    climate = _stage_config(args, "climate_summary")["climate"]
    runs = [
        Path(args.runs) / f"{model}-{method}"
        for model in CLIMATE_MODELS
        for method in climate["methods"]
    ]
    print(summarise_climate(runs, climate["replicates"], args.out_dir).to_string(index=False))


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


def _scaling_run(args: argparse.Namespace) -> None:
    from odfa.studies.scaling import run_sweep

    table = run_sweep(_stage_config(args, "scaling_sweep"), args.out)
    print(table.to_string(index=False))


def _scaling_plot(args: argparse.Namespace) -> None:
    from odfa.figures.scaling import plot_scaling

    plot_scaling(args.timings, args.out_dir)


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
CONFIG_FILES = {
    "required": True,
    "nargs": "+",
    "help": "config files, each merged over the ones before (e.g. config/config.yaml "
    "config/paper.yaml)",
}


REPLICATE = {"type": int, "default": 0, "help": "replicate index (its seeds derive from it)"}
RUNS_HELP = "folder holding <{run}>/replicate-<r>/"


def command(
    group: argparse._SubParsersAction, name: str, handler: Handler, description: str
) -> argparse.ArgumentParser:
    """Add subcommand `name` running `handler`."""
    parser = group.add_parser(name, help=description, description=description)
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="odfa", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    config_group = commands.add_parser("config", help="configuration").add_subparsers(
        dest="action", required=True
    )
    check = command(config_group, "check", _config_check, "validate config files")
    show = command(config_group, "show", _config_show, "print the effective config")
    for sub in (check, show):
        sub.add_argument("config", nargs="+", help=CONFIG_FILES["help"])

    digits = commands.add_parser("digits", help="MLP on scikit-learn digits").add_subparsers(
        dest="action", required=True
    )
    train = command(digits, "train", _digits_train, "train one method; write metrics.json")
    train.add_argument("--config", **CONFIG_FILES)
    train.add_argument("--method", required=True, choices=list(METHODS))
    train.add_argument("--replicate", **REPLICATE)
    train.add_argument("--out", required=True, help="replicate folder")
    summary = command(digits, "summarise", _digits_summarise, "mean and spread per method")
    summary.add_argument("--config", **CONFIG_FILES)
    summary.add_argument("--runs", required=True, help=RUNS_HELP.format(run="method"))
    summary.add_argument("--out", required=True, help="summary metrics.json")
    summary.add_argument("--replicates-out", required=True, help="per-replicate CSV")
    plot = command(digits, "plot", _digits_plot, "figure of losses, accuracy and alignment")
    plot.add_argument("--runs", required=True, help=RUNS_HELP.format(run="method"))
    plot.add_argument("--summary", required=True)
    plot.add_argument("--out", required=True)

    dialogs = commands.add_parser(
        "dialogs", help="Study 1: GPT on the Cornell Movie-Dialogs Corpus"
    ).add_subparsers(dest="action", required=True)
    fetch = command(dialogs, "fetch", _dialogs_fetch, "generate the sample corpus or download it")
    fetch.add_argument("--config", **CONFIG_FILES)
    fetch.add_argument("--out", required=True, help="corpus zip to write")
    prepare = command(dialogs, "prepare", _dialogs_prepare, "read, split and tokenise the corpus")
    prepare.add_argument("--config", **CONFIG_FILES)
    prepare.add_argument("--corpus", required=True, help="corpus zip")
    prepare.add_argument("--out", required=True, help="folder for tokenizer and token arrays")
    runs = list(DIALOGS_RUNS)
    train_run = command(dialogs, "train", _dialogs_train, "train one run; write metrics.json")
    evaluate = command(dialogs, "evaluate", _dialogs_evaluate, "samples and attention of a run")
    for sub in (train_run, evaluate):
        sub.add_argument("--config", **CONFIG_FILES)
        sub.add_argument("--run", required=True, choices=runs)
        sub.add_argument("--data", required=True, help="prepared data folder")
    train_run.add_argument("--replicate", **REPLICATE)
    train_run.add_argument("--out", required=True, help="replicate folder")
    evaluate.add_argument("--run-dir", required=True, help="trained replicate folder")
    dialogs_summary = command(dialogs, "summarise", _dialogs_summarise, "tables of all runs")
    dialogs_plot = command(dialogs, "plot", _dialogs_plot, "figures 2c, 2d and 2e")
    for sub in (dialogs_summary, dialogs_plot):
        sub.add_argument("--config", **CONFIG_FILES)
        sub.add_argument("--runs", required=True, help=RUNS_HELP.format(run="run"))
    dialogs_summary.add_argument(
        "--out-dir", required=True, help="folder for metrics.csv, replicates.csv, comparisons.csv"
    )
    dialogs_plot.add_argument("--out-dir", required=True, help="figures folder")

    climate = commands.add_parser(
        "climate", help="Study 2: ViT and FCNN on ClimateBench"
    ).add_subparsers(dest="action", required=True)
    climate_fetch = command(climate, "fetch", _climate_fetch, "generate or download archives")
    climate_fetch.add_argument("--config", **CONFIG_FILES)
    climate_fetch.add_argument("--out", required=True, help="folder for the two archives")
    climate_fetch.add_argument(
        "--lock-file", default="data/climatebench.lock.json", help="recorded SHA-256 digests"
    )
    climate_prepare = command(climate, "prepare", _climate_prepare, "extract, regrid, normalise")
    climate_prepare.add_argument("--config", **CONFIG_FILES)
    climate_prepare.add_argument("--archives", required=True, help="folder of the archives")
    climate_prepare.add_argument("--out", required=True, help="folder for train.nc and test.nc")
    climate_train = command(climate, "train", _climate_train, "train and predict ssp245")
    climate_train.add_argument("--config", **CONFIG_FILES)
    climate_train.add_argument("--model", required=True, choices=list(CLIMATE_MODELS))
    climate_train.add_argument("--method", required=True, choices=list(METHODS))
    climate_train.add_argument("--replicate", **REPLICATE)
    climate_train.add_argument("--data", required=True, help="prepared data folder")
    climate_train.add_argument("--out", required=True, help="replicate folder")
    climate_score = command(climate, "score", _climate_score, "ClimateBench scores of a run")
    climate_score.add_argument("--run-dir", required=True, help="trained replicate folder")
    climate_score.add_argument("--data", required=True, help="prepared data folder (truth)")
    climate_summary = command(climate, "summarise", _climate_summarise, "tables of all runs")
    climate_summary.add_argument("--config", **CONFIG_FILES)
    climate_summary.add_argument("--runs", required=True, help=RUNS_HELP.format(run="model-method"))
    climate_summary.add_argument(
        "--out-dir", required=True, help="folder for metrics.csv, replicates.csv, comparisons.csv"
    )
    climate_plot = command(climate, "plot", _climate_plot, "figures 3b and 3c")
    climate_plot.add_argument("--metrics", required=True, help="metrics.csv")
    climate_plot.add_argument("--runs", required=True, help=RUNS_HELP.format(run="model-method"))
    climate_plot.add_argument("--data", required=True, help="prepared data folder (truth)")
    climate_plot.add_argument("--out-dir", required=True, help="figures folder")

    ablation = commands.add_parser(
        "ablation", help="what the optics cost: ODFA with one optics setting changed"
    ).add_subparsers(dest="action", required=True)
    ablation_train = command(ablation, "train", _ablation_train, "train one ODFA variant")
    ablation_train.add_argument("--config", **CONFIG_FILES)
    ablation_train.add_argument("--study", required=True, choices=["digits", "dialogs"])
    ablation_train.add_argument(
        "--variant", required=True, help="<setting>-<value>, e.g. camera_bits-6 or camera-ideal"
    )
    ablation_train.add_argument("--replicate", **REPLICATE)
    ablation_train.add_argument("--data", help="prepared data folder (dialogs)")
    ablation_train.add_argument("--out", required=True, help="replicate folder")
    ablation_summary = command(ablation, "summarise", _ablation_summarise, "metrics.csv")
    ablation_summary.add_argument("--config", **CONFIG_FILES)
    ablation_summary.add_argument(
        "--runs", required=True, help="folder holding <study>/<variant>/replicate-<r>/"
    )
    ablation_summary.add_argument("--out", required=True, help="mean and spread per variant")
    ablation_summary.add_argument("--replicates-out", required=True, help="per-replicate CSV")
    ablation_plot = command(ablation, "plot", _ablation_plot, "metric against fidelity")
    ablation_plot.add_argument("--table", required=True, help="the ablation's metrics.csv")
    ablation_plot.add_argument("--digits", help="digits metrics.json (DFA and ODFA lines)")
    ablation_plot.add_argument("--dialogs", help="dialogs metrics.csv (DFA and ODFA lines)")
    ablation_plot.add_argument("--out", required=True)

    scaling = commands.add_parser(
        "scaling", help="Study 3: training time vs width and depth"
    ).add_subparsers(dest="action", required=True)
    sweep = command(scaling, "run", _scaling_run, "time BP, DFA and ODFA over the sweep")
    sweep.add_argument("--config", **CONFIG_FILES)
    sweep.add_argument("--out", required=True, help="timings CSV")
    scaling_plot = command(scaling, "plot", _scaling_plot, "figures 4a, 4b and 4c")
    scaling_plot.add_argument("--timings", required=True)
    scaling_plot.add_argument("--out-dir", required=True, help="figures folder")

    pipeline = commands.add_parser("pipeline", help="the workflow").add_subparsers(
        dest="action", required=True
    )
    dvc = command(pipeline, "dvc", _pipeline_dvc, "write dvc.yaml from the Snakemake workflow")
    dvc.add_argument("--out", default="dvc.yaml")
    dvc.add_argument("--check", action="store_true", help="only check that --out is current")

    bench = commands.add_parser("bench", help="benchmarks").add_subparsers(
        dest="action", required=True
    )
    step = command(
        bench, "step", _bench_step, "time BP, DFA and ODFA training steps against their FLOPs"
    )
    step.add_argument("--model", default="fcnn", choices=BENCH_MODELS)
    step.add_argument(
        "--width", type=int, help="FCNN: hidden width (1024); GPT/ViT: embedding (the config's)"
    )
    step.add_argument(
        "--depth", type=int, help="FCNN: hidden layers (8); GPT/ViT: blocks (the config's)"
    )
    step.add_argument("--batch", type=int, help="FCNN: 64; GPT/ViT: the study's batch size")
    step.add_argument("--outputs", type=int, default=10, help="FCNN output width (error width)")
    step.add_argument("--warmup", type=int, default=5)
    step.add_argument("--repeats", type=int, default=30)
    step.add_argument("--device", default=None, help="override the config's device")
    step.add_argument("--config", default=["config/config.yaml"], nargs="+")
    paper = command(
        bench, "paper", _bench_paper, "GPU: memory, step time, projected time at the paper's sizes"
    )
    paper.add_argument("--steps", type=int, default=3, help="timed steps per (model, method)")
    paper.add_argument("--device", default=None, help="override the config's device")
    paper.add_argument("--config", default=["config/config.yaml", "config/paper.yaml"], nargs="+")
    opu = command(bench, "opu", _bench_opu, "time the simulated OPU vs lightonml and a matmul")
    opu.add_argument("--batch", type=int, default=64)
    opu.add_argument("--inputs", type=int, default=4096, help="DMD pixels")
    opu.add_argument("--outputs", type=int, default=4096, help="camera pixels")
    opu.add_argument("--repeats", type=int, default=10)
    opu.add_argument("--warmup", type=int, default=2)
    opu.add_argument("--precision", default="bfloat16", choices=["float32", "bfloat16"])
    opu.add_argument(
        "--big-outputs", type=int, default=1_000_000, help="camera pixels of the streamed case"
    )
    opu.add_argument("--lit", type=int, default=3, help="lit pixels per anchored error frame")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except USER_ERRORS as error:
        print(f"odfa: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
