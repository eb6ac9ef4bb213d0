"""Fetch remote data files: resumed after cuts, retried across mirrors, verified before use."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from tqdm import tqdm

from odfa.data.sources import RemoteFile
from odfa.errors import ConfigError, DataError, DownloadError
from odfa.io import sha256_of, write_json

logger = logging.getLogger("odfa.download")

CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")


class ChecksumMismatchError(DownloadError):
    """A file's SHA-256 differs from the published or recorded digest."""

    def __init__(self, path: Path, expected: str, actual: str, advice: str) -> None:
        super().__init__(f"{path}: expected SHA-256 {expected}, got {actual}; {advice}")
        self.path = path
        self.expected = expected
        self.actual = actual


class _IncompleteTransferError(DownloadError):
    """The server sent fewer bytes than it announced, or a range we did not ask for."""


RETRYABLE_ERRORS = (requests.RequestException, _IncompleteTransferError)


@dataclass(frozen=True)
class _TransferSettings:
    timeout: float
    retries: int
    chunk_size: int
    progress: bool


def download(
    remote: RemoteFile,
    destination: Path,
    *,
    lock_file: Path | None = None,
    record: bool = False,
    progress: bool = True,
    timeout: float = 60.0,
    retries: int = 3,
    chunk_size: int = 1 << 20,
) -> Path:
    """Fetch `remote` to `destination`, which only ever appears complete and verified.

    The SHA-256 checked is the published one, else the one `lock_file` records; a file with
    neither is refused. Only `record` (the explicit `odfa data lock`) downloads such a file
    afresh and writes its digest into `lock_file`, replacing the recorded one.
    """
    destination = Path(destination)
    settings = _TransferSettings(timeout, retries, chunk_size, progress)
    if record:
        return _download_and_record(remote, destination, lock_file, settings)
    expected_sha256, expected_size = _expected_digest(remote, lock_file)
    if expected_sha256 is None:
        where = f"none is recorded in {lock_file}" if lock_file else "no lock file to check it in"
        raise ConfigError(
            f"{remote.name}: no published SHA-256 and {where}; refusing an unverifiable download "
            "(record its digest once with `odfa data lock`, check it, and commit the lock file)"
        )
    if destination.exists():
        _verify(destination, expected_sha256, expected_size, "delete it to download again")
        logger.info("%s: already present and verified, not downloading again", destination)
    else:
        _fetch_verified(remote, destination, expected_sha256, expected_size, settings)
    return destination


def _download_and_record(
    remote: RemoteFile,
    destination: Path,
    lock_file: Path | None,
    settings: _TransferSettings,
) -> Path:
    """Download `remote` afresh (checking any published size) and record its digest."""
    if lock_file is None:
        raise ConfigError(f"{remote.name}: no lock file to record its digest in")
    digest = _fetch_verified(remote, destination, remote.sha256, remote.size, settings)
    size = destination.stat().st_size
    entries = _read_lock(lock_file)
    previous = entries.get(remote.name)
    write_json(lock_file, {**entries, remote.name: {"sha256": digest, "size": size}})
    logger.warning(
        "%s: recorded SHA-256 %s (%d bytes) in %s%s; commit it",
        remote.name,
        digest,
        size,
        lock_file,
        "" if previous is None else f" (it held {previous.get('sha256')})",
    )
    return destination


def _expected_digest(remote: RemoteFile, lock_file: Path | None) -> tuple[str | None, int | None]:
    """The published SHA-256 and size, else those recorded in the lock file (None if neither)."""
    entry = _read_lock(lock_file).get(remote.name, {}) if lock_file is not None else {}
    sha256 = remote.sha256 if remote.sha256 is not None else entry.get("sha256")
    size = remote.size if remote.size is not None else entry.get("size")
    return sha256, size


def _read_lock(lock_file: Path) -> dict[str, dict[str, Any]]:
    """The lock file's entries, name -> {"sha256", "size"}; empty while it does not exist."""
    if not lock_file.exists():
        return {}
    try:
        entries = json.loads(lock_file.read_text())
    except json.JSONDecodeError as error:
        raise DataError(f"{lock_file}: not valid JSON ({error})") from error
    if not isinstance(entries, dict):
        raise DataError(f"{lock_file}: expected an object of file name -> digest")
    return entries


def _verify(path: Path, sha256: str | None, size: int | None, advice: str) -> str:
    """Check the size, then the SHA-256, of `path` against those expected; return its digest."""
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        raise DownloadError(f"{path}: expected {size} bytes, got {actual_size}; {advice}")
    digest = sha256_of(path)
    if sha256 is not None and digest != sha256:
        raise ChecksumMismatchError(path, sha256, digest, advice)
    return digest


def _fetch_verified(
    remote: RemoteFile,
    destination: Path,
    sha256: str | None,
    size: int | None,
    settings: _TransferSettings,
) -> str:
    """Download into `<destination>.part`, verify it, rename it onto `destination`; its digest."""
    part = destination.with_name(destination.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    _fetch_from_mirrors(remote, part, settings)
    try:
        digest = _verify(part, sha256, size, "the corrupt download was deleted")
    except DownloadError:
        part.unlink()
        raise
    os.replace(part, destination)
    logger.info("%s: downloaded and verified", destination)
    return digest


def _fetch_from_mirrors(remote: RemoteFile, part: Path, settings: _TransferSettings) -> None:
    """Try each URL in turn until one delivers the whole file into `part`."""
    errors = []
    for url in remote.urls:
        try:
            _fetch_with_retries(url, part, remote.name, settings)
            return
        except RETRYABLE_ERRORS as error:
            errors.append(f"{url}: {error}")
            logger.warning("%s: giving up on %s (%s)", remote.name, url, error)
    raise DownloadError(f"{remote.name}: every URL failed: " + "; ".join(errors))


def _fetch_with_retries(url: str, part: Path, name: str, settings: _TransferSettings) -> None:
    """Fetch from one URL, resuming after cut connections or 5xx answers up to `retries` times."""
    for attempt in range(settings.retries + 1):
        try:
            _fetch(url, part, name, settings)
            return
        except RETRYABLE_ERRORS as error:
            if attempt == settings.retries or not _is_retryable(error):
                raise
            logger.warning(
                "%s: attempt %d of %d from %s failed (%s); resuming",
                name,
                attempt + 1,
                settings.retries + 1,
                url,
                error,
            )


def _is_retryable(error: Exception) -> bool:
    """Cut connections, timeouts and 5xx answers are worth retrying; 4xx answers are not."""
    response = getattr(error, "response", None)
    return response is None or response.status_code >= 500


def _fetch(url: str, part: Path, name: str, settings: _TransferSettings) -> None:
    """One request, continuing `part` from its current length with a Range header."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        logger.info("%s: resuming from byte %d", name, offset)
    with requests.get(url, headers=headers, stream=True, timeout=settings.timeout) as response:
        if response.status_code == 416 and offset:
            logger.info("%s: %s has nothing after byte %d; verifying the part", name, url, offset)
            return
        response.raise_for_status()
        start, total = _body_range(response, offset)
        _write_body(response, part, start, total, name, settings)


def _body_range(response: requests.Response, offset: int) -> tuple[int, int | None]:
    """Where the body starts in the file (0 or `offset`) and the file's size, if announced."""
    if response.status_code != 206:
        if offset:
            logger.info("%s ignored the Range header; restarting from byte 0", response.url)
        length = response.headers.get("Content-Length")
        return 0, int(length) if length is not None else None
    content_range = response.headers.get("Content-Range", "")
    match = CONTENT_RANGE.fullmatch(content_range)
    if match is None or int(match[1]) not in (0, offset):
        raise _IncompleteTransferError(
            f"asked for bytes {offset}- but got Content-Range {content_range!r}"
        )
    return int(match[1]), int(match[2]) if match[2] != "*" else None


def _write_body(
    response: requests.Response,
    part: Path,
    start: int,
    total: int | None,
    name: str,
    settings: _TransferSettings,
) -> None:
    """Stream the body into `part` from byte `start`, then check that the file is whole."""
    bar = tqdm(
        total=total,
        initial=start,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=name,
        disable=not settings.progress,
    )
    with part.open("ab" if start else "wb") as handle, bar:
        for chunk in response.iter_content(chunk_size=settings.chunk_size):
            handle.write(chunk)
            bar.update(len(chunk))
    received = part.stat().st_size
    if total is not None and received != total:
        raise _IncompleteTransferError(f"{part} holds {received} of {total} bytes")
