"""Code digests kept on disk between processes, under a key that holds every byte of the package.

Taking a stage's code digest parses and walks its modules (a quarter of a second per job, half a
second per Snakemake start). A digest is kept in a folder named after the package's snapshot: a
SHA-256 over the Python version (whose syntax trees the digest is taken over) and the path and
bytes of every file in the package. A digest is reused only while not one byte of the package has
changed, so it never belongs to other code. It is a cache: a folder that cannot be written, or an
entry that cannot be read, costs only the time to compute the digest again.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
from pathlib import Path

from odfa.io import sha256_of, write_text

CACHE_FOLDER_VARIABLE = "ODFA_CACHE_DIR"  # overrides the cache's folder
KEPT_SNAPSHOTS = 32  # the newest snapshots' digests are kept, older ones deleted
DIGEST = re.compile(r"[0-9a-f]{64}")


def cache_folder() -> Path:
    """$ODFA_CACHE_DIR, else the user's cache folder ($XDG_CACHE_HOME or ~/.cache) / odfa."""
    configured = os.environ.get(CACHE_FOLDER_VARIABLE)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "odfa"


def package_snapshot(package_dir: Path) -> str:
    """SHA-256 over the Python version and each file of `package_dir` (its relative path and
    bytes; compiled bytecode left out)."""
    digest = hashlib.sha256(platform.python_version().encode() + b"\0")
    files = sorted(
        path
        for path in package_dir.rglob("*")
        if "__pycache__" not in path.parts and path.is_file()
    )
    for path in files:
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(sha256_of(path).encode())
    return digest.hexdigest()


class DigestCache:
    """The digests computed for one snapshot of the package, a file per key."""

    def __init__(self, package_dir: Path, folder: Path | None = None) -> None:
        self.root = (folder or cache_folder()) / "code-digests"
        self.folder = self.root / package_snapshot(package_dir)

    def _entry(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode()).hexdigest()

    def get(self, key: str) -> str | None:
        """The digest kept for `key`, or None (none kept, or an entry that is not a digest)."""
        try:
            kept = self._entry(key).read_text().strip()
        except (OSError, UnicodeDecodeError):
            return None
        return kept if DIGEST.fullmatch(kept) else None

    def put(self, key: str, digest: str) -> None:
        """Keep `digest` for `key` (written atomically); the oldest snapshots beyond
        KEPT_SNAPSHOTS are deleted. Nothing is kept where the folder cannot be written."""
        try:
            new_snapshot = not self.folder.is_dir()
            write_text(self._entry(key), digest + "\n")
            if new_snapshot:
                self._forget_old_snapshots()
        except OSError:
            return

    def _forget_old_snapshots(self) -> None:
        snapshots = sorted(self.root.iterdir(), key=lambda path: path.stat().st_mtime)
        for old in snapshots[:-KEPT_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
