"""Every command the README and docs/ quote exists: its Make target, its `odfa` subcommand and
options, its Snakemake options and the rules or files it asks for."""

from __future__ import annotations

import argparse
import re
import shlex
from functools import cache

import pytest
import yaml

from odfa.cli import build_parser
from tests.conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
PROGRAMS = ("make", "odfa", "snakemake", "torchrun")
SHELL_OPERATORS = {">", "&&", "||", "|", ";"}  # a command ends there


def quoted_commands(text: str) -> list[str]:
    """The make, odfa, snakemake and torchrun commands of `text`: each line of a ```bash block
    (continuations joined, comments dropped) and each inline code span that starts with one."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.split(" ", 1)[0] in PROGRAMS:
                commands.append(line)
    outside_blocks = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for span in re.findall(r"`([^`]+)`", outside_blocks):
        span = " ".join(span.split())
        if span.split(" ", 1)[0] in PROGRAMS and " " in span:
            commands.append(span)
    return commands


@cache
def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([\w./-]+):(?!=)", makefile, re.MULTILINE)) - {".PHONY"}


@cache
def rules() -> set[str]:
    files = [REPO / "Snakefile", *(REPO / "workflow" / "rules").glob("*.smk")]
    return {name for path in files for name in re.findall(r"^rule (\w+):", path.read_text(), re.M)}


@cache
def workflow_outputs() -> list[re.Pattern]:
    """What the workflow makes on the default config, as dvc.yaml (generated from it) lists it:
    each output a pattern, a matrix stage's `${item.<name>}` any one folder name."""
    outputs = []
    for stage in yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"].values():
        for kind in ("outs", "metrics", "plots"):
            for entry in stage.get(kind, []):
                path = next(iter(entry)) if isinstance(entry, dict) else entry
                parts = re.split(r"\$\{item\.\w+\}", path)
                pattern = "[^/]+".join(map(re.escape, parts))
                outputs.append(re.compile(f"{pattern}(/.+)?"))  # a file in an output folder too
    return outputs


@cache
def odfa_options() -> dict[tuple[str, str], set[str]]:
    """(group, action) of every `odfa` subcommand -> its option strings."""

    def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        return next(
            action.choices
            for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
        )

    return {
        (group, action): set(command._option_string_actions)
        for group, actions in subcommands(build_parser()).items()
        for action, command in subcommands(actions).items()
    }


@cache
def snakemake_parser() -> argparse.ArgumentParser:
    from snakemake.cli import get_argument_parser

    return get_argument_parser()


def _makeable(name: str) -> bool:
    return name in rules() or any(output.fullmatch(name) for output in workflow_outputs())


def problems(command: str) -> list[str]:
    """What does not exist in `command`: an empty list when all of it does."""
    words = shlex.split(command)
    ends = [index for index, word in enumerate(words) if word in SHELL_OPERATORS]
    program, arguments = words[0], words[1 : min(ends, default=len(words))]
    if program == "torchrun":
        return problems(shlex.join(arguments[arguments.index("--no-python") + 1 :]))
    if program == "make":
        targets = [word for word in arguments if not word.startswith("-") and "=" not in word]
        return [f"no Make target {target!r}" for target in targets if target not in make_targets()]
    if program == "odfa":
        subcommand = tuple(arguments[:2])
        if subcommand not in odfa_options():
            return [f"no odfa subcommand {' '.join(subcommand)!r}"]
        flags = {word.split("=", 1)[0] for word in arguments[2:] if word.startswith("-")}
        return [f"odfa {' '.join(subcommand)} has no option {flag}" for flag in
                sorted(flags - odfa_options()[subcommand])]  # fmt: skip
    try:
        parsed = snakemake_parser().parse_args(arguments)
    except SystemExit:
        return ["snakemake refuses its options"]
    asked = [*parsed.targets, *(parsed.forcerun or [])]
    return [f"no rule or workflow output {name!r}" for name in asked if not _makeable(name)]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_quoted_command_exists(page):
    commands = quoted_commands(page.read_text())
    wrong = {command: problems(command) for command in commands}
    assert {command: found for command, found in wrong.items() if found} == {}


def test_the_pages_quote_the_everyday_commands():
    commands = quoted_commands((REPO / "README.md").read_text())
    assert "snakemake --cores 2 results/figures/digits.png" in commands  # the first figure
    assert {"make run", "make test", "odfa pipeline summarise"} <= set(commands)
    all_commands = [command for page in PAGES for command in quoted_commands(page.read_text())]
    assert {command.split()[0] for command in all_commands} == set(PROGRAMS)


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("make docs", "no Make target 'docs'"),
        ("odfa digits fly --config config/config.yaml", "no odfa subcommand 'digits fly'"),
        ("odfa bench step --model gpt --speed 2", "odfa bench step has no option --speed"),
        ("odfa config check config/config.yaml --strict", "odfa config check has no option"),
        ("snakemake --cores 2 digits_fly", "no rule or workflow output 'digits_fly'"),
        ("snakemake --cores 2 results/figures/digit.png", "no rule or workflow output"),
        ("snakemake --cores 2 --forcerun digits_training all", "'digits_training'"),
        ("snakemake --cores 2 --no-such-option all", "snakemake refuses its options"),
        ("torchrun --nproc-per-node 2 --no-python odfa digits tune", "no odfa subcommand"),
        ("odfa config show a.yaml --merge > b.yaml", "odfa config show has no option --merge"),
    ],
)
def test_a_made_up_command_is_caught(command, problem):
    assert any(problem in found for found in problems(command)), problems(command)


def test_real_commands_pass():
    for command in (
        "make dvc.yaml",
        "odfa bench step --model fcnn --width 2048 --depth 8",
        "snakemake --cores 2 results/digits/runs/odfa/replicate-0/metrics.json",
        "snakemake -c2 results/ablation/runs/digits/camera-ideal/replicate-0/checkpoints/last.pt",
        "snakemake all --report results/report.html",
        "odfa config show config/config.yaml config/paper.yaml > new.yaml && mv new.yaml a.yaml",
    ):
        assert problems(command) == [], command


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_between_the_pages_reaches_a_page_and_heading(page):
    wrong = []
    for target in re.findall(r"\]\(([^)]+)\)", page.read_text()):
        if target.startswith("https://"):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.is_file():
            wrong.append(target)
        elif anchor:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(), re.MULTILINE)
            if anchor not in {_anchor(heading) for heading in headings}:
                wrong.append(target)
    assert wrong == []
