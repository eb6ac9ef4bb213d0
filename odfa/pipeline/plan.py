"""The jobs a Snakemake dry run plans, read from what its command prints (Snakemake's public
interface): rule, wildcards, inputs, outputs, log and shell command of each."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from odfa.errors import UserError

JOB = re.compile(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)(?:Shell command: (.*)\n)?", re.MULTILINE)


@dataclass(frozen=True)
class PlannedJob:
    """One job of a dry run, as Snakemake prints it."""

    rule: str
    wildcards: dict[str, str]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    log: tuple[str, ...]
    shell: str

    @property
    def name(self) -> str:
        """The rule and the wildcard values (DVC's stage, its "@" read as "-")."""
        return "-".join([self.rule, *self.wildcards.values()])


def _files(fields: dict[str, str], name: str) -> tuple[str, ...]:
    return tuple(fields[name].split(", ")) if name in fields else ()


def dry_run_jobs(output: str) -> list[PlannedJob]:
    """The jobs (but `all`) a dry run printed; their shell commands where it printed them."""
    jobs = []
    for rule, body, shell in JOB.findall(output):
        fields = dict(line.strip().split(": ", 1) for line in body.splitlines() if ": " in line)
        pairs = fields.get("wildcards", "").split(", ")
        wildcards = dict(pair.split("=", 1) for pair in pairs if pair)
        files = (_files(fields, name) for name in ("input", "output", "log"))
        jobs.append(PlannedJob(rule, wildcards, *files, shell))
    return [job for job in jobs if job.rule != "all"]


def planned_jobs(snakefile: Path, workdir: Path, *arguments: str) -> list[PlannedJob]:
    """Every job of `snakemake all` in `workdir`, as if nothing had run yet (`--forceall`),
    from the dry run of the `snakemake` command beside this Python."""
    command = [str(Path(sys.executable).parent / "snakemake"), "--snakefile", str(snakefile)]
    command += ["-d", str(workdir), "all", "-n", "--forceall", "-p", "--quiet", "reason"]
    result = subprocess.run([*command, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"snakemake's dry run failed:\n{result.stderr[-2000:]}")
    return dry_run_jobs(result.stdout)
