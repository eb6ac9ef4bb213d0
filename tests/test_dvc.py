"""dvc.yaml and the Snakefile describe the same steps, running the same commands, making the
same files."""

from __future__ import annotations

import collections
from pathlib import PurePosixPath

from dvc.repo import Repo

from tests.conftest import REPO, snakemake


def snakemake_outputs() -> dict[str, set[str]]:
    """Rule name -> the output files of its jobs, from `snakemake --summary`."""
    default = str(REPO / "config" / "config.yaml")
    result = snakemake("all", "--dry-run", "--summary", "--configfile", default)
    assert result.returncode == 0, result.stderr
    outputs = collections.defaultdict(set)
    for line in result.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) > 2 and fields[0] != "output_file" and fields[2] != "all":
            outputs[fields[2]].add(fields[0])
    return outputs


def dvc_stages() -> dict[str, tuple[set[str], set[str]]]:
    """Stage name (without @item) -> (its outputs, the `odfa` subcommands it runs)."""
    stages = collections.defaultdict(lambda: (set(), set()))
    for stage in Repo(str(REPO)).index.stages:
        outputs, commands = stages[stage.addressing.split("@")[0]]
        outputs.update(str(output) for output in stage.outs)
        commands.add(" ".join(stage.cmd.split()[:3]))
    return stages


def test_the_same_steps_exist_in_both():
    assert set(snakemake_outputs()) == set(dvc_stages())


def test_every_snakemake_output_is_a_dvc_output():
    stages = dvc_stages()
    for rule, files in snakemake_outputs().items():
        dvc_outputs = [PurePosixPath(path) for path in stages[rule][0]]
        for path in map(PurePosixPath, files):
            covered = any(path == out or out in path.parents for out in dvc_outputs)
            assert covered, f"{rule}: {path} is not among the DVC outputs {sorted(stages[rule][0])}"


def test_each_step_runs_one_odfa_command_in_both():
    for stage, (_, commands) in dvc_stages().items():
        assert len(commands) == 1, (stage, commands)
        program, study, action = next(iter(commands)).split()
        assert program == "odfa"
        rule_files = "".join(
            path.read_text() for path in (REPO / "workflow" / "rules").glob("*.smk")
        )
        assert f'"odfa {study} {action} ' in rule_files, stage


def test_scheduler_resources_are_no_dvc_params():
    """Memory and wall time change no result, so changing them must not rerun a stage."""
    names = {
        name
        for stage in Repo(str(REPO)).index.stages
        for dependency in stage.deps
        for name in getattr(dependency, "params", None) or []
    }
    assert {"device", "dialogs.generation"} <= names
    assert not [name for name in names if name.split(".")[0] == "resources"]
