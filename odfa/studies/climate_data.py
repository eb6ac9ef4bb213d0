"""Study 2's data stages: fetch the ClimateBench archives (or their sample) and prepare them."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from odfa.data.climatebench import extract_archives, prepare_climatebench
from odfa.data.download import download
from odfa.data.sources import CLIMATEBENCH_TEST, CLIMATEBENCH_TRAIN_VAL
from odfa.data.synthetic.climatebench import generate_sample_archives
from odfa.io import sha256_of, write_json

ARCHIVES = (CLIMATEBENCH_TRAIN_VAL, CLIMATEBENCH_TEST)


def fetch_archives(config: dict[str, Any], out_dir: str | Path, lock_file: str | Path) -> None:
    """Generate the sample archives, or download the real ones (digests checked in `lock_file`).

    Either way `lock_file` ends up holding the SHA-256 and size of both archives: recorded on
    first use and verified after that for the real ones, written afresh for generated ones.
    """
    settings, out_dir = config["climate"], Path(out_dir)
    if settings["source"] == "sample":
        generate_sample_archives(out_dir, **settings["sample"])
        archives = [out_dir / remote.name for remote in ARCHIVES]
        digests = {path.name: {"sha256": sha256_of(path), "size": path.stat().st_size}
                   for path in archives}  # fmt: skip
        write_json(lock_file, digests)
        return
    for remote in ARCHIVES:
        download(remote, out_dir / remote.name, lock_file=Path(lock_file))


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
