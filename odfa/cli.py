"""The `odfa` command: every Snakemake rule and DVC stage runs one of its subcommands."""

from __future__ import annotations

import argparse
import errno
import functools
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from odfa.config import load_config
from odfa.errors import UserError
from odfa.pipeline.stages import STAGES, STUDIES, restricted_config
from odfa.registry import BENCH_MODELS
from odfa.stages.declaration import LOCK_FILE, Job, Option, option, required


def run_stage(name: str, args: argparse.Namespace) -> None:
    """Run the command of stage `name`: with the config files' settings the stage reads and no
    others, and the job's provenance where the stage records it."""
    from odfa.pipeline.identity import run_identity

    stage = STAGES[name]
    wildcards = {key: str(getattr(args, key)) for key in stage.wildcards}
    config = load_config(*args.config) if stage.settings else {}
    if stage.configure is not None:
        config = stage.configure(config, args)
    config = restricted_config(config, name, wildcards)
    identity = None
    if stage.inputs is not None:
        identity = run_identity(config, name, wildcards, stage.inputs(args)).as_dict()
    stage.run(Job(args, config, identity))


def run_training_stage(name: str, args: argparse.Namespace) -> None:
    """Run the command of the training stage `name`, under torchrun where it has several GPUs."""
    _under_torchrun_if_several_gpus(args)
    run_stage(name, args)


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


def _data_lock(args: argparse.Namespace) -> None:
    from odfa.studies.climate_data import record_archives

    print(json.dumps(record_archives(args.out, args.lock_file), indent=1))
    print(f"recorded: check these digests, then commit {args.lock_file}")


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


def _pipeline_summarise(args: argparse.Namespace) -> None:
    from odfa.pipeline.summary import run_summary

    print(run_summary(args.results, args.report))


def _pipeline_cost(args: argparse.Namespace) -> None:
    import pandas as pd

    from odfa.pipeline.cost import ASSUMED_GPU, ASSUMED_TFLOPS, estimate_cost, study_totals

    cost = estimate_cost(load_config(*args.config))
    print(f"ESTIMATED GPU-hours at {ASSUMED_TFLOPS:.3g} TFLOP/s sustained ({ASSUMED_GPU}, FP32);")
    print("FLOPs counted by torch's FlopCounterMode, not measured time:\n")
    with pd.option_context("display.float_format", "{:.3g}".format):
        print(cost.to_string(index=False))
        print("\n" + study_totals(cost).rename("estimated GPU-hours").to_string())


def _bench_step(args: argparse.Namespace) -> None:
    from odfa.timing import fields
    from odfa.timing.bench import benchmark_step
    from odfa.timing.report import print_result, progress
    from odfa.timing.workloads import workload

    config = load_config(*args.config)
    if args.device:
        config["device"] = args.device
    work = workload(config, args.model, args.width, args.depth, args.batch, args.outputs)
    result = benchmark_step(config, args.model, work, args.warmup, args.repeats, progress)
    print_result(result, fields.STEP, args.json)


def _bench_paper(args: argparse.Namespace) -> None:
    from odfa.timing import fields
    from odfa.timing.paper import benchmark_paper
    from odfa.timing.report import print_result, progress

    config = load_config(*args.config)
    if args.device:
        config["device"] = args.device
    for row in benchmark_paper(config, args.steps, progress):
        print_result(row, fields.PAPER, args.json)


def _bench_opu(args: argparse.Namespace) -> None:
    from odfa.timing import fields
    from odfa.timing.opu import benchmark_opu
    from odfa.timing.report import print_result, progress

    result = benchmark_opu(
        args.batch,
        args.inputs,
        args.outputs,
        args.repeats,
        args.precision,
        args.big_outputs,
        args.warmup,
        lit=args.lit,
        progress=progress,
    )
    print_result(result, fields.OPU, args.json)


Handler = Callable[[argparse.Namespace], None]


@dataclass(frozen=True)
class Command:
    """A subcommand: what runs it, what it does, a use of it (its arguments), its options and
    what its help says beyond them."""

    handler: Handler
    help: str
    example: str
    options: tuple[Option, ...] = ()
    details: str = ""


CONFIG = required(
    "--config",
    "config files, each merged over the ones before (e.g. config/config.yaml config/paper.yaml)",
    nargs="+",
)
DEFAULT_CONFIG = option(
    "--config",
    default=["config/config.yaml"],
    nargs="+",
    help="config files, each merged over the ones before",
)
DEVICE = option("--device", default=None, help="override the config's device")
JSON = option("--json", action="store_true", help="print one JSON line instead of the table")


def talks(benchmark: str) -> str:
    """A benchmark's help beyond its options: how it reports, and what its ratios mean."""
    from odfa.timing.fields import ratio_help

    return (
        "Prints a progress line per measurement on stderr, then each value with its meaning\n"
        f"(or one JSON line with --json).\n{ratio_help(benchmark)}"
    )


def bench_config(*files: str) -> Option:
    return option("--config", default=list(files), nargs="+", help="config files, layered")


# The subcommands that run no pipeline stage: group -> (what the group is, {action: command}).
TOOLS: dict[str, tuple[str, dict[str, Command]]] = {
    "config": (
        "configuration",
        {
            "check": Command(
                _config_check,
                "validate config files",
                "--config config/config.yaml config/paper.yaml",
                (DEFAULT_CONFIG,),
            ),
            "show": Command(
                _config_show,
                "print the effective config",
                "--config config/config.yaml config/paper.yaml",
                (DEFAULT_CONFIG,),
            ),
        },
    ),
    "data": (
        "the data sets",
        {
            "lock": Command(
                _data_lock,
                "download ClimateBench's archives afresh and record their SHA-256 in the lock file",
                "--out data/raw/climatebench",
                (option("--out", default="data/raw/climatebench", help="folder for the archives"),
                 LOCK_FILE),
            ),
        },
    ),
    "pipeline": (
        "the workflow",
        {
            "dvc": Command(
                _pipeline_dvc,
                "write dvc.yaml from the Snakemake workflow",
                "--check",
                (option("--out", default="dvc.yaml", help="the file to write (or check)"),
                 option("--check", action="store_true", help="only check that --out is current")),
            ),
            "code": Command(
                _pipeline_code,
                "write the digest of each kind of job's code (DVC's `code` stage)",
                "--out .odfa/code",
                (required("--out", "folder for <stage>[-<method>].sha256"),),
            ),
            "record": Command(
                _pipeline_record,
                "after a Snakemake run: record its results in DVC (dvc.lock and the cache)",
                "",
            ),
            "cost": Command(
                _pipeline_cost,
                "ESTIMATED GPU-hours of the config's jobs, study by study (FLOPs counted)",
                "--config config/config.yaml config/paper.yaml",
                (CONFIG,),
            ),
            "summarise": Command(
                _pipeline_summarise,
                "where the report and figures are, and each study's headline table",
                "--results results --report results/report.html",
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
                "--model fcnn --width 2048 --depth 8 --batch 64",
                (option("--model", default="fcnn", choices=BENCH_MODELS, help="the network timed"),
                 option("--width", type=int,
                        help="FCNN: hidden width (1024); GPT/ViT: embedding (the config's)"),
                 option("--depth", type=int,
                        help="FCNN: hidden layers (8); GPT/ViT: blocks (the config's)"),
                 option("--batch", type=int, help="FCNN: 64; GPT/ViT: the study's batch size"),
                 option("--outputs", type=int, default=10, help="FCNN output width (error width)"),
                 option("--warmup", type=int, default=10, help="untimed rounds first"),
                 option("--repeats", type=int, default=100, help="timed rounds"),
                 DEVICE, JSON, bench_config("config/config.yaml")),
                talks("step"),
            ),
            "paper": Command(
                _bench_paper,
                "GPU: memory, step time, projected time at the paper's sizes",
                "--steps 3 --device cuda",
                (option("--steps", type=int, default=3, help="timed steps per (model, method)"),
                 DEVICE, JSON, bench_config("config/config.yaml", "config/paper.yaml")),
                talks("paper"),
            ),
            "opu": Command(
                _bench_opu,
                "time the simulated OPU vs lightonml and a matmul",
                "--batch 64 --inputs 4096 --outputs 4096",
                (option("--batch", type=int, default=64, help="error vectors per projection"),
                 option("--inputs", type=int, default=4096, help="DMD pixels"),
                 option("--outputs", type=int, default=4096, help="camera pixels"),
                 option("--repeats", type=int, default=10, help="timed rounds"),
                 option("--warmup", type=int, default=2, help="untimed rounds first"),
                 option("--precision", default="float32", choices=["float32", "bfloat16"],
                        help="the simulated transmission matrix's number format (bfloat16 halves "
                        "its memory; fast only where the processor has bfloat16 units)"),
                 option("--big-outputs", type=int, default=200_000,
                        help="camera pixels of the streamed case (a real OPU's camera has "
                        "about 10^6: --big-outputs 1000000 took 76 s on 2 cores)"),
                 option("--lit", type=int, default=3, help="lit pixels per anchored error frame"),
                 JSON),
                talks("opu"),
            ),
        },
    ),
}  # fmt: skip


def _stage_commands() -> dict[str, tuple[str, dict[str, Command]]]:
    """The subcommands of the studies' stages (`odfa.stages`), by group."""
    groups: dict[str, tuple[str, dict[str, Command]]] = {}
    for study in STUDIES.values():
        for stage in study.stages:
            group, action = stage.command.split()
            options = (CONFIG, *stage.options) if stage.settings else stage.options
            runner = run_stage if stage.method is None else run_training_stage
            run = functools.partial(runner, stage.name)
            groups.setdefault(group, (study.help or "", {}))[1][action] = Command(
                run, stage.help, stage.example, options
            )
    return groups


def _all_commands() -> dict[str, tuple[str, dict[str, Command]]]:
    """Every subcommand: the stages' and the tools', by group."""
    commands = {group: (help, dict(actions)) for group, (help, actions) in TOOLS.items()}
    for group, (help, actions) in _stage_commands().items():
        commands.setdefault(group, (help, {}))[1].update(actions)
    return commands


# Every subcommand, declared once (the stages' in `odfa.stages`, the tools' above).
COMMANDS = _all_commands()


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows each option's default (where it has one) and keeps the example's layout."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help = action.help or ""
        no_default = action.default is None or action.default is False  # (0 is a default)
        if action.required or no_default or action.default == argparse.SUPPRESS:
            return help
        return f"{help} (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    """The `odfa` parser: one subparser per group of COMMANDS, one per command in it."""
    parser = argparse.ArgumentParser(prog="odfa", description=__doc__)
    parser.add_argument("--version", action="version", version=f"odfa {version('odfa')}")
    groups = parser.add_subparsers(dest="command", required=True)
    for group, (group_help, commands) in COMMANDS.items():
        actions = groups.add_parser(group, help=group_help).add_subparsers(
            dest="action", required=True
        )
        for name, command in commands.items():
            sub = actions.add_parser(
                name,
                help=command.help,
                description=f"{command.help}\n\n{command.details}".strip(),
                epilog=f"example:\n  odfa {group} {name} {command.example}".rstrip(),
                formatter_class=_HelpFormatter,
            )
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
