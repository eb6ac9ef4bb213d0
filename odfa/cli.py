"""The `odfa` command: every Snakemake rule and DVC stage runs one of its subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from odfa.config import ConfigError, load_config
from odfa.train import CheckpointMismatchError, NonFiniteLossError

USER_ERRORS = (ConfigError, NonFiniteLossError, CheckpointMismatchError, ImportError)


def _config_check(args: argparse.Namespace) -> None:
    load_config(args.config)
    print(f"{args.config}: valid")


def _digits_train(args: argparse.Namespace) -> None:
    from odfa.studies.digits import train_digits

    metrics = train_digits(load_config(args.config), args.method, args.out)
    print(json.dumps({"method": args.method, **metrics}))


def _digits_summarise(args: argparse.Namespace) -> None:
    from odfa.studies.digits import summarise

    summarise(load_config(args.config)["digits"]["methods"], args.runs, args.out)


def _digits_plot(args: argparse.Namespace) -> None:
    from odfa.plots import plot_digits

    plot_digits(args.runs, args.summary, args.out)


def _bench_step(args: argparse.Namespace) -> None:
    from odfa.bench import benchmark_step

    config = load_config(args.config)
    if args.device:
        config["device"] = args.device
    result = benchmark_step(
        config, args.width, args.depth, args.batch, args.outputs, args.warmup, args.repeats
    )
    print(json.dumps(result))


Handler = Callable[[argparse.Namespace], None]


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
    check = command(config_group, "check", _config_check, "validate a config file")
    check.add_argument("config")

    digits = commands.add_parser("digits", help="MLP on scikit-learn digits").add_subparsers(
        dest="action", required=True
    )
    train = command(digits, "train", _digits_train, "train one method; write metrics.json")
    train.add_argument("--config", required=True)
    train.add_argument("--method", required=True, choices=["bp", "dfa", "odfa", "shallow"])
    train.add_argument("--out", required=True, help="run folder")
    summary = command(digits, "summarise", _digits_summarise, "gather per-method metrics")
    summary.add_argument("--config", required=True)
    summary.add_argument("--runs", required=True, help="folder holding <method>/metrics.json")
    summary.add_argument("--out", required=True)
    plot = command(digits, "plot", _digits_plot, "figure of losses, accuracy and alignment")
    plot.add_argument("--runs", required=True, help="folder holding <method>/log.csv")
    plot.add_argument("--summary", required=True)
    plot.add_argument("--out", required=True)

    bench = commands.add_parser("bench", help="benchmarks").add_subparsers(
        dest="action", required=True
    )
    step = command(bench, "step", _bench_step, "time BP, DFA and ODFA training steps (FCNN)")
    step.add_argument("--width", type=int, default=1024)
    step.add_argument("--depth", type=int, default=8)
    step.add_argument("--batch", type=int, default=64)
    step.add_argument("--outputs", type=int, default=10, help="output width (error dimension)")
    step.add_argument("--warmup", type=int, default=5)
    step.add_argument("--repeats", type=int, default=30)
    step.add_argument("--device", default=None, help="override the config's device")
    step.add_argument("--config", default="config/config.yaml")
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
