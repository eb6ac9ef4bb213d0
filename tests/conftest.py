"""Shared fixtures: the validated default config and small networks."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import torch
import yaml
from filelock import FileLock

from odfa.config import load_config
from odfa.data.digits import load_digits_split, save_digits_split
from odfa.models import FCNN, FCNNConfig
from odfa.pipeline.digest_cache import CACHE_FOLDER_VARIABLE
from odfa.replicates import SummaryTables
from odfa.stages.scaling import SUMMARY_TABLES as SCALING_TABLES

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_CONFIG = load_config(REPO / "config" / "config.yaml")
WALL_CLOCK = ("measured_seconds", "tokens_per_second", "simulated_optics_seconds", "opu_seconds")
MEASURED = (*WALL_CLOCK, *(f"{field}_std" for field in WALL_CLOCK))  # and their spread


def tiny_config() -> dict[str, Any]:
    """The default config shrunk so that every study runs end to end in seconds."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    # Replicates of digits run end to end; every other study runs once (each summary's spread
    # over replicates is unit-tested, and adding a replicate is tests/reruns/'s).
    config["digits"]["replicates"] = 2
    config["dialogs"]["replicates"] = config["climate"]["replicates"] = 1
    config["digits"]["training"]["epochs"] = 2
    dialogs = config["dialogs"]
    dialogs["sample"]["n_conversations"] = 300
    dialogs["tokenizer"]["vocab_size"] = 256
    dialogs["model"].update(n_layers=3, n_heads=2, embedding_dim=32)
    for key in ("training", "bp_star_training"):
        dialogs[key].update(epochs=1, eval_every=10, checkpoint_every=10)
    dialogs["validation_sequences"] = 64
    dialogs["generation"]["new_tokens"] = 8
    climate = config["climate"]
    climate["sample"].update(n_lat=8, n_lon=12, members=2)
    climate["models"]["vit"].update(patch_size=4, embedding_dim=16, n_heads=2)
    climate["models"]["fcnn"]["hidden_dims"] = [32, 16]
    for training in climate["training"].values():
        training.update(epochs=2, batch_size=64)
    config["scaling"].update(
        widths=[16, 32], depths=[1, 2], warmup=1, repeats=2, batch=8, projection_sizes=[16, 32]
    )
    config["resources"]["scaling_sweep"]["cpus_per_task"] = 2  # the test cluster's node
    config["ablation"] |= {
        "replicates": 1,
        "camera_bits": [6],
        "full_well": [],
        "threshold": [],
        "anchor_pixels": [],
        "signal_normalisation": [],
    }
    return config


# The modules whose tests use the tiny project's run. Under `pytest -n 2` (make test, with
# pyproject.toml's `--dist loadfile`: a module at a time on a worker) the first of them starts the
# run at once, the others come last, when it is ready, in this order: the longest first (seconds
# measured on 2026-12-08: 37-40, 32-36, 25-31, 19-24, 19-23, 1), so that the suite does not end
# on one long module.
TINY_PROJECT_MODULES = (
    "tests/test_workflow.py",
    "tests/reruns/test_settings.py",
    "tests/reruns/test_code.py",
    "tests/test_dvc_repro.py",
    "tests/reruns/test_replicates.py",
    "tests/test_dvc_remote_and_experiments.py",
    "tests/pipeline/test_summary.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """Each pytest-xdist worker's torch, and the Python processes its tests start, on its share
    of the cores: two workers of two threads on two cores spin against each other in OpenMP's
    busy waits (a test ten times as long). The `odfa` commands set their own thread count.
    The code digests the suite's processes keep (of the packages its tests edit too) go to a
    folder of this run's, out of the user's cache; DVC sends no usage reports."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    threads = max(1, (os.cpu_count() or 1) // workers)
    torch.set_num_threads(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["DVC_NO_ANALYTICS"] = "1"  # a DVC command would start a daemon to report usage
    if CACHE_FOLDER_VARIABLE not in os.environ:  # set once, for pytest-xdist's workers too
        os.environ[CACHE_FOLDER_VARIABLE] = tempfile.mkdtemp(prefix="odfa-test-cache-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop(CACHE_FOLDER_VARIABLE), True))


# A module that spends most of its time waiting (on the SLURM executor's status checks): it goes
# to the other worker at once, while the tiny project's run keeps both cores busy.
WAITING_MODULES = ("tests/test_slurm_profile.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test of the tiny project's run is a slow one (`make test-fast` leaves them out) and
    lives in one of TINY_PROJECT_MODULES. The first of those modules comes first (the run
    starts at once), then WAITING_MODULES, the others of TINY_PROJECT_MODULES last, in their
    order (they find the run made)."""
    for item in items:
        if "tiny_project" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
            if _module(item) not in TINY_PROJECT_MODULES:
                raise pytest.UsageError(
                    f"{_module(item)} uses the tiny project: list it in conftest.py"
                )
    first, *later = TINY_PROJECT_MODULES
    order = {first: 0} | dict.fromkeys(WAITING_MODULES, 1)
    order |= {module: 3 + index for index, module in enumerate(later)}
    items.sort(key=lambda item: order.get(_module(item), 2))


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def assert_image(path: Path) -> None:
    """`path` is a PNG that decodes to a figure-sized RGBA image (what is drawn on it is checked
    by the figure function's own tests)."""
    import matplotlib.image

    height, width, channels = matplotlib.image.imread(path).shape
    assert height >= 300 and width >= 300 and channels == 4, (path, height, width)


def tables_in(folder: Path) -> SummaryTables:
    """A summary's tables in `folder`, named as the pipeline names them."""
    return SummaryTables(
        folder / "replicates.csv",
        folder / "metrics.csv",
        folder / "metrics.json",
        folder / "comparisons.csv",
    )


def scaling_tables_in(folder: Path) -> dict[str, Path]:
    """Study 3's summary tables in `folder`, each `<name>.csv` as the pipeline names them."""
    return {name: folder / f"{name}.csv" for name in SCALING_TABLES}


def wait_for(path: Path, process: subprocess.Popen) -> None:
    """Wait (two minutes at most) until `path` exists or `process` has ended."""
    deadline = time.monotonic() + 120
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def config() -> dict[str, Any]:
    """A fresh copy of the validated default config (tests may modify it)."""
    return copy.deepcopy(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def digits_split(tmp_path_factory) -> Path:
    """The digits split the default config's digits_prepare stage writes."""
    digits = DEFAULT_CONFIG["digits"]
    path = tmp_path_factory.mktemp("digits") / "split.npz"
    save_digits_split(load_digits_split(digits["test_fraction"], digits["split_seed"]), path)
    return path


@pytest.fixture
def small_fcnn() -> FCNN:
    torch.manual_seed(0)
    return FCNN(FCNNConfig(input_dim=12, hidden_dims=[16, 8], output_dim=5, activation="tanh"))


@pytest.fixture
def paper_config() -> dict[str, Any]:
    """The validated paper-scale config: config/paper.yaml layered over the default."""
    return load_config(REPO / "config" / "config.yaml", REPO / "config" / "paper.yaml")


def comparable(path: Path) -> object:
    """A metrics file without its measured-time fields (wall clock is not reproducible)."""
    if path.suffix == ".csv":
        table = pd.read_csv(path)
        kept = table.drop(columns=[c for c in table.columns if c in MEASURED])
        return kept.astype(object).where(kept.notna(), None).to_dict("list")
    data = json.loads(path.read_text())
    if isinstance(data, list):
        rows = data
    elif all(isinstance(value, dict) for value in data.values()):
        rows = list(data.values())  # a summary: a row per method
    else:
        rows = [data]  # one run's metrics
    for row in rows:
        for field in MEASURED:
            row.pop(field, None)
    return data


def project_copy(workspace: Path, config: dict[str, Any]) -> Path:
    """A git repository holding this project's tracked files, with `config` as its config and
    the dvc.yaml generated for it."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, workspace / name, follow_symlinks=False)
    (workspace / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(  # the workspace's dvc.yaml: its stages follow its config (ablation variants)
        [str(BIN / "odfa"), "pipeline", "dvc", "--out", "dvc.yaml"],
        cwd=workspace,
        env=tools_environment() | {"PYTHONPATH": str(workspace)},
        check=True,
    )
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    return workspace


SNAKEMAKE = (str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"))


def tools_environment() -> dict[str, str]:
    """This environment with the venv's tools (`odfa`, `snakemake`, `dvc`) first on PATH."""
    return os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def snakemake(*arguments: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run this project's Snakefile with the venv's tools first on PATH."""
    return subprocess.run(
        [*SNAKEMAKE, *arguments],
        cwd=cwd,
        env=tools_environment(),
        capture_output=True,
        text=True,
        timeout=900,
    )


def project_environment(project: Path) -> dict[str, str]:
    """The tools, importing the project copy's own package (its code is what a test changes)."""
    return tools_environment() | {"PYTHONPATH": str(project)}


def in_project(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` in a project copy, with its own package first on the path."""
    return subprocess.run(
        command,
        cwd=project,
        env=project_environment(project),
        capture_output=True,
        text=True,
        timeout=1800,
    )


def in_project_ok(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """`in_project`, failing the test unless the command succeeds."""
    result = in_project(project, *command)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def odfa_here(*arguments: str | Path) -> None:
    """Run an `odfa` command in this process (saving a start of Python and torch), failing the
    test unless it succeeds."""
    from odfa.cli import main

    assert main([str(argument) for argument in arguments]) == 0, arguments


def planned_jobs(root: Path, config: dict[str, Any], *arguments: str) -> dict[str, int]:
    """Rule -> number of jobs a dry run of `all` with `config` plans in `root`: a project copy
    (its own Snakefile and package) or an empty folder (this project's Snakefile)."""
    path = root.parent / f"planned-{root.name}.yaml"
    path.write_text(yaml.safe_dump(config))
    plan = ("all", "-n", "--quiet", "rules", "--configfile", str(path), *arguments)
    if (root / "Snakefile").is_file():
        result = in_project(root, str(BIN / "snakemake"), *plan)
    else:
        result = snakemake(*plan, "-d", str(root))
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


def _run_tiny_project(project: Path) -> None:
    """Copy the project with the tiny config to `project`, run its whole workflow with
    Snakemake and record it in DVC with `odfa pipeline record`."""
    project_copy(project, tiny_config())
    result = in_project(project, str(BIN / "snakemake"), "--cores", "2", "all")
    assert result.returncode == 0, result.stderr[-3000:]
    committed = in_project(project, str(BIN / "odfa"), "pipeline", "record")
    assert committed.returncode == 0, committed.stderr[-3000:]


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory) -> Path:
    """A copy of the project with the tiny config, its whole workflow run once per test run by
    Snakemake and recorded in DVC: both tools are up to date. Under pytest-xdist the first
    worker to ask runs it in the folder the workers share, the others wait on a file lock (the
    recipe of pytest-xdist's documentation). Tests read it; a test that changes anything in
    it (config, code, results, the tools' records) works on its own copy (`copy_of`)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        project = tmp_path_factory.mktemp("tiny") / "project"
        _run_tiny_project(project)
        return project
    shared = tmp_path_factory.getbasetemp().parent  # every worker's base folder is in it
    project, made, failed = (
        shared / "tiny" / "project",
        shared / "tiny" / "made",
        shared / "tiny" / "failed",
    )
    with FileLock(shared / "tiny.lock"):
        if failed.exists():
            pytest.fail(f"the tiny project's run failed on another worker:\n{failed.read_text()}")
        if not made.exists():
            try:
                _run_tiny_project(project)
            except AssertionError as error:
                failed.write_text(str(error))
                raise
            made.touch()
    return project


@pytest.fixture(scope="session")
def tiny_run(tiny_project: Path) -> Path:
    """The results of the tiny project's run."""
    return tiny_project / "results"


@pytest.fixture
def tiny_copy(tiny_project: Path, tmp_path: Path) -> Path:
    """This test's own copy of the tiny project, both tools up to date: a test that changes the
    project changes this."""
    return copy_of(tiny_project, tmp_path / "project")


def copy_of(project: Path, destination: Path) -> Path:
    """A copy of a project with its results, caches and the tools' records, times kept."""
    shutil.copytree(project, destination, symlinks=True)
    return destination
