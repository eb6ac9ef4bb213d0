"""Atomic file output: every result is written to a temporary file and renamed into place."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from odfa.errors import OutputError

HASH_CHUNK_SIZE = 1 << 20


def _default_mode() -> int:
    """The permissions a plain `open` would give a new file (mkstemp's are owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def writable_folder(path: str | Path) -> Path:
    """`path` as a folder this process can write in (made if missing), or a one-line error."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{path}: cannot make this output folder ({error.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: this output folder is not writable")
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto `path` only if the block succeeds.

    For writers that need a file name (NetCDF, tokenizers). A crash, a full disk or an
    exception leaves the previous `path` (or nothing) in place, never a half-written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temporary, _default_mode())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_output(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a file handle that lands on `path` atomically (see `atomic_path`)."""
    with atomic_path(path) as temporary, open(temporary, mode) as handle:
        yield handle


def finite_or_null(data: Any) -> Any:
    """`data` with every NaN or infinite float replaced by None (JSON's null): standard JSON
    has no NaN, so a metrics file never holds one."""
    if isinstance(data, dict):
        return {key: finite_or_null(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite_or_null(value) for value in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def write_json(path: str | Path, data: Any) -> None:
    """Write `data` as indented standard JSON (NaN and infinities as null), atomically."""
    with atomic_output(path) as handle:
        json.dump(finite_or_null(data), handle, indent=2, sort_keys=True, allow_nan=False)
        handle.write("\n")


def write_text(path: str | Path, text: str) -> None:
    """Write `text`, atomically."""
    with atomic_output(path) as handle:
        handle.write(text)


def sha256_of(path: str | Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB chunks so large archives need little memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(HASH_CHUNK_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def milestone_file_name(fraction: float) -> str:
    """The file of the model kept at `fraction` of training: 0.2 -> milestone-020.pt."""
    return f"milestone-{round(100 * fraction):03d}.pt"
