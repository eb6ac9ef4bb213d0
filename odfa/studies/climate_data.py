"""Study 2's data stages: fetch the ClimateBench archives (or their sample) and prepare them."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from odfa.data.climatebench import extract_archives, prepare_climatebench
from odfa.data.download import download
from odfa.data.sources import CLIMATEBENCH_TEST, CLIMATEBENCH_TRAIN_VAL
from odfa.data.synthetic.climatebench import generate_sample_archives

ARCHIVES = (CLIMATEBENCH_TRAIN_VAL, CLIMATEBENCH_TEST)


def fetch_archives(config: dict[str, Any], out_dir: str | Path, lock_file: str | Path) -> None:
    """Generate the sample archives, or download the real ones, each checked against the
    digest `lock_file` records (which a fetch never writes: see `record_archives`)."""
    settings, out_dir = config["climate"], Path(out_dir)
    if settings["source"] == "sample":
        generate_sample_archives(out_dir, **settings["sample"])
        return
    for remote in ARCHIVES:
        download(remote, out_dir / remote.name, lock_file=Path(lock_file))


def record_archives(out_dir: str | Path, lock_file: str | Path) -> dict[str, dict[str, Any]]:
    """Download the real archives afresh into `out_dir` and record their digests in `lock_file`
    (ClimateBench publishes none): the explicit step behind every later verified fetch."""
    for remote in ARCHIVES:
        download(remote, Path(out_dir) / remote.name, lock_file=Path(lock_file), record=True)
    return json.loads(Path(lock_file).read_text())


def prepare(config: dict[str, Any], archives_dir: str | Path, out_dir: str | Path) -> dict:
    """Extract both archives (to a temporary folder) and prepare train.nc / test.nc."""
    settings, out_dir = config["climate"], Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as extracted:
        extract_archives([Path(archives_dir) / remote.name for remote in ARCHIVES], Path(extracted))
        grid = settings["grid"]
        return prepare_climatebench(
            Path(extracted),
            out_dir,
            target_variables=settings["variables"],
            grid=None if grid is None else tuple(grid),
            window=settings["window"],
        )
