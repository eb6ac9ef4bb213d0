"""How a study declares the stages of its pipeline: once, for the rule file, the `odfa` command
and dvc.yaml's generator alike.

A stage is the `odfa` subcommand its rule runs. Its declaration says what the command does (its
help, options and the function it runs), what it reads (the config keys and the modules of its
code) and how its jobs are named (the options that are the rule's wildcards). The rule file
renders the command from it, Snakemake and DVC take its settings and code as params, and the
command sees only those settings.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odfa.registry import METHODS

if TYPE_CHECKING:
    from odfa.replicates import SummaryTables

Wildcards = Mapping[str, str]
Option = tuple[str, dict[str, Any]]


def option(flag: str, **keywords: Any) -> Option:
    """One argument of a command: its flag (or positional name) and argparse's keywords."""
    return flag, keywords


def required(flag: str, help: str, **keywords: Any) -> Option:
    return option(flag, required=True, help=help, **keywords)


def flag_name(flag: str) -> str:
    """The attribute argparse gives `flag` (`--run-dir` -> `run_dir`)."""
    return flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Job:
    """What a stage's function runs with: the command's arguments, the config holding the
    stage's settings and no others, and the provenance of a stage that records it."""

    args: argparse.Namespace
    config: dict[str, Any]
    identity: dict[str, Any] | None


@dataclass(frozen=True)
class Stage:
    """One stage: the `odfa` subcommand ("group action") and the function that runs it; its
    rule and its DVC stage are named after it ("group_action").

    `example` is a use of the command, its arguments (shown in its help, checked by a test).
    `settings` are the dotted config keys the stage reads (formatted with the job's wildcards;
    a stage that reads any takes `--config`), `modules` the code it runs, `wildcards` the
    options that name a job (the rule's wildcards). `method` names the training method of a job
    from its wildcards: its config sections and its module join the stage's. `inputs` lists the
    files whose content the job's identity records (None: it records no identity); `configure`
    changes the whole config before the stage's settings are taken from it. A `resumable` stage
    keeps `checkpoints/` across reruns; one `replicated` for a study reads the seeds of the job's
    `replicate` wildcard.
    """

    command: str
    help: str
    run: Callable[[Job], None]
    example: str
    options: tuple[Option, ...] = ()
    settings: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    wildcards: tuple[str, ...] = ()
    method: Callable[[Wildcards], str] | None = None
    inputs: Callable[[argparse.Namespace], list[Path]] | None = None
    configure: Callable[[dict[str, Any], argparse.Namespace], dict[str, Any]] | None = None
    resumable: bool = False
    replicated: str | None = None

    @property
    def name(self) -> str:
        """The stage's name, its rule's and its DVC stage's: the command's words joined by `_`."""
        return self.command.replace(" ", "_")

    @property
    def functions(self) -> tuple[Callable[..., Any], ...]:
        """The functions of the declaration the command calls (their code is the stage's)."""
        hooks = (self.run, self.inputs, self.configure)
        return tuple(function for function in hooks if function is not None)


@dataclass(frozen=True)
class Study:
    """The stages of one study, and its group of the `odfa` command (None: a group the command
    has already, such as `pipeline`)."""

    stages: tuple[Stage, ...]
    help: str | None = None


COMPUTE = ("device", "threads")  # what every training run reads
# Options several studies' commands share.
REPLICATE = option(
    "--replicate", type=int, default=0, help="replicate index (seeds derive from it)"
)
METHOD = required("--method", "training method", choices=list(METHODS))
DATA = required("--data", "prepared data folder")
RUN_DIR = required("--run-dir", "trained replicate folder")
REPLICATE_OUT = required("--out", "replicate folder")
# Where a summary of replicates goes (odfa.replicates.SummaryTables).
REPLICATES_TABLE = required("--replicates", "CSV: one row per replicate")
SUMMARY = (
    REPLICATES_TABLE,
    required("--metrics", "CSV: mean, spread (_std) and number of replicates per run"),
    required("--headline", "JSON: the summary's numbers (DVC's metrics)"),
)
COMPARISONS = required("--comparisons", "CSV: whether each pair of runs differs beyond its spread")


def runs(layout: str) -> Option:
    """The folder of a study's runs, laid out as `layout`/replicate-<r>/."""
    return required("--runs", f"folder holding {layout}/replicate-<r>/")


def prepared_inputs(args: argparse.Namespace, names: tuple[str, ...]) -> list[Path]:
    """The prepared files `names` in the job's `--data` folder: what its identity records."""
    return [Path(args.data) / name for name in names]


def summary_tables(args: argparse.Namespace) -> SummaryTables:
    """The summary's tables the command was given (`SUMMARY`, and `COMPARISONS` where taken)."""
    from odfa.replicates import SummaryTables  # pandas: not at the Snakefile's parse

    comparisons = getattr(args, "comparisons", None)
    return SummaryTables(
        Path(args.replicates),
        Path(args.metrics),
        Path(args.headline),
        None if comparisons is None else Path(comparisons),
    )


def method_wildcard(wildcards: Wildcards) -> str:
    """The training method of a job whose `method` wildcard names it."""
    return wildcards["method"]


LOCK_FILE = option(
    "--lock-file", default="data/climatebench.lock.json", help="recorded SHA-256 digests"
)
