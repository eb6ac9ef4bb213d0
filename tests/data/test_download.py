"""The downloader against a local HTTP server that cuts connections, ignores Range or lies."""

from __future__ import annotations

import hashlib
import json
import random
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from odfa.data.download import ChecksumMismatchError, DownloadError, download
from odfa.data.sources import RemoteFile
from odfa.errors import ConfigError
from odfa.io import sha256_of

PAYLOAD = random.Random(0).randbytes(200_000)
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
CHUNK_SIZE = 8_192
CUT_AFTER = 6 * CHUNK_SIZE  # a chunk boundary: urllib3 drops a partial last chunk on a cut
RANGE = re.compile(r"bytes=(\d+)-")


@dataclass
class ServerState:
    """What the server serves, how it misbehaves, and the requests it has seen."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_first_request_after: int | None = None
    ignore_range: bool = False
    missing: set[str] = field(default_factory=set)
    corrupt: bool = False
    range_limit: int | None = None
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class RangeHandler(BaseHTTPRequestHandler):
    """Serves `ServerState.files` with Range support and the misbehaviours the state asks for."""

    server: LocalServer

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append((self.path, dict(self.headers)))
        if self.path in state.missing or self.path not in state.files:
            self.send_error(404)
            return
        body = state.files[self.path]
        if state.corrupt:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        match = RANGE.fullmatch(self.headers.get("Range", ""))
        start = int(match[1]) if match and not state.ignore_range else 0
        if start >= len(body) > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(body)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        end = (
            min(len(body), start + state.range_limit) if start and state.range_limit else len(body)
        )
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(body)}")
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        cut = state.cut_first_request_after if len(state.requests) == 1 else None
        self.wfile.write(body[start:end][:cut])

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class LocalServer(ThreadingHTTPServer):
    """A threaded HTTP server that carries a `ServerState` for its handlers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RangeHandler)
        self.state = ServerState()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A local server holding PAYLOAD at /data.bin, running in a background thread."""
    for variable in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(variable, "127.0.0.1")
    test_server = LocalServer()
    test_server.state.files["/data.bin"] = PAYLOAD
    thread = threading.Thread(target=test_server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield test_server
    test_server.shutdown()
    test_server.server_close()
    thread.join()


def remote_file(
    server: LocalServer, *paths: str, sha256: str | None = PAYLOAD_SHA256
) -> RemoteFile:
    return RemoteFile(
        name="data.bin", urls=tuple(server.url(path) for path in paths), sha256=sha256
    )


def fetch(remote: RemoteFile, destination: Path, **options: object) -> Path:
    """`download` with the progress bar off and small chunks, so cuts land mid-stream."""
    return download(remote, destination, progress=False, chunk_size=CHUNK_SIZE, **options)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_download_verifies_and_leaves_no_part(server: LocalServer, tmp_path: Path) -> None:
    destination = tmp_path / "data" / "data.bin"
    assert fetch(remote_file(server, "/data.bin"), destination) == destination
    assert destination.read_bytes() == PAYLOAD
    assert sha256_of(destination) == PAYLOAD_SHA256
    assert list(destination.parent.iterdir()) == [destination]


def test_cut_connection_is_resumed_with_range(server: LocalServer, tmp_path: Path) -> None:
    server.state.cut_first_request_after = CUT_AFTER
    destination = tmp_path / "data.bin"
    fetch(remote_file(server, "/data.bin"), destination)
    assert destination.read_bytes() == PAYLOAD
    ranges = [headers.get("Range") for _, headers in server.state.requests]
    assert ranges == [None, f"bytes={CUT_AFTER}-"]


def test_partial_download_is_kept_and_resumed_by_a_later_call(
    server: LocalServer, tmp_path: Path
) -> None:
    server.state.cut_first_request_after = CUT_AFTER
    destination = tmp_path / "data.bin"
    with pytest.raises(DownloadError):
        fetch(remote_file(server, "/data.bin"), destination, retries=0)
    assert not destination.exists()
    assert (tmp_path / "data.bin.part").stat().st_size == CUT_AFTER
    fetch(remote_file(server, "/data.bin"), destination)
    assert destination.read_bytes() == PAYLOAD
    assert server.state.requests[-1][1]["Range"] == f"bytes={CUT_AFTER}-"


def test_short_ranges_are_resumed_until_the_file_is_whole(
    server: LocalServer, tmp_path: Path
) -> None:
    server.state.cut_first_request_after = CUT_AFTER
    server.state.range_limit = 60_000
    destination = fetch(remote_file(server, "/data.bin"), tmp_path / "data.bin")
    assert destination.read_bytes() == PAYLOAD
    ranges = [headers.get("Range") for _, headers in server.state.requests]
    assert ranges == [None, *(f"bytes={CUT_AFTER + n * 60_000}-" for n in range(3))]


def test_complete_part_answered_416_is_verified(server: LocalServer, tmp_path: Path) -> None:
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD)
    destination = fetch(remote_file(server, "/data.bin"), tmp_path / "data.bin")
    assert destination.read_bytes() == PAYLOAD
    assert len(server.state.requests) == 1


def test_server_ignoring_range_restarts_from_zero(server: LocalServer, tmp_path: Path) -> None:
    server.state.cut_first_request_after = CUT_AFTER
    server.state.ignore_range = True
    destination = fetch(remote_file(server, "/data.bin"), tmp_path / "data.bin")
    assert destination.read_bytes() == PAYLOAD
    assert server.state.requests[1][1]["Range"] == f"bytes={CUT_AFTER}-"


def test_mirror_is_used_when_the_primary_404s(server: LocalServer, tmp_path: Path) -> None:
    server.state.missing.add("/primary/data.bin")
    remote = remote_file(server, "/primary/data.bin", "/data.bin")
    destination = fetch(remote, tmp_path / "data.bin")
    assert destination.read_bytes() == PAYLOAD
    assert [path for path, _ in server.state.requests] == ["/primary/data.bin", "/data.bin"]


def test_checksum_mismatch_deletes_the_download(server: LocalServer, tmp_path: Path) -> None:
    server.state.corrupt = True
    destination = tmp_path / "data.bin"
    with pytest.raises(ChecksumMismatchError) as raised:
        fetch(remote_file(server, "/data.bin"), destination)
    corrupt_sha256 = hashlib.sha256(bytes([PAYLOAD[0] ^ 0xFF]) + PAYLOAD[1:]).hexdigest()
    message = str(raised.value)
    assert "data.bin" in message and PAYLOAD_SHA256 in message and corrupt_sha256 in message
    assert list(tmp_path.iterdir()) == []


def test_a_fetch_checks_the_recorded_digest_and_never_rewrites_the_lock_file(
    server: LocalServer, tmp_path: Path
) -> None:
    lock_file = tmp_path / "downloads.lock.json"
    recorded = {"data.bin": {"sha256": PAYLOAD_SHA256, "size": len(PAYLOAD)}}
    lock_file.write_text(json.dumps(recorded))
    remote = remote_file(server, "/data.bin", sha256=None)
    destination = tmp_path / "data.bin"
    fetch(remote, destination, lock_file=lock_file)
    assert destination.read_bytes() == PAYLOAD
    destination.unlink()
    server.state.files["/data.bin"] = PAYLOAD[::-1]
    with pytest.raises(ChecksumMismatchError, match=PAYLOAD_SHA256):
        fetch(remote, destination, lock_file=lock_file)
    assert not destination.exists()
    assert json.loads(lock_file.read_text()) == recorded


def test_a_file_with_no_recorded_digest_is_refused_with_the_command_that_records_one(
    server: LocalServer, tmp_path: Path
) -> None:
    lock_file = tmp_path / "downloads.lock.json"
    lock_file.write_text("{}")
    with pytest.raises(ConfigError, match="odfa data lock"):
        fetch(
            remote_file(server, "/data.bin", sha256=None),
            tmp_path / "data.bin",
            lock_file=lock_file,
        )
    assert server.state.requests == [] and lock_file.read_text() == "{}"


def test_recording_downloads_afresh_and_replaces_only_that_digest(
    server: LocalServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lock_file = tmp_path / "downloads.lock.json"
    lock_file.write_text(json.dumps({
        "other.bin": {"sha256": "0" * 64, "size": 1},
        "data.bin": {"sha256": "1" * 64, "size": 2},
    }))  # fmt: skip
    destination = tmp_path / "data.bin"
    destination.write_bytes(b"an older copy")
    fetch(
        remote_file(server, "/data.bin", sha256=None), destination, lock_file=lock_file, record=True
    )
    assert destination.read_bytes() == PAYLOAD
    assert json.loads(lock_file.read_text()) == {
        "data.bin": {"sha256": PAYLOAD_SHA256, "size": len(PAYLOAD)},
        "other.bin": {"sha256": "0" * 64, "size": 1},
    }
    assert "recorded" in caplog.text and "1" * 64 in caplog.text


def test_existing_destination_that_matches_is_not_downloaded(
    server: LocalServer, tmp_path: Path
) -> None:
    destination = tmp_path / "data.bin"
    destination.write_bytes(PAYLOAD)
    fetch(remote_file(server, "/data.bin"), destination)
    assert server.state.requests == []


def test_existing_destination_that_differs_is_kept_and_refused(
    server: LocalServer, tmp_path: Path
) -> None:
    destination = tmp_path / "data.bin"
    destination.write_bytes(b"local edits")
    with pytest.raises(ChecksumMismatchError, match="delete it"):
        fetch(remote_file(server, "/data.bin"), destination)
    assert destination.read_bytes() == b"local edits"
    assert server.state.requests == []


def test_no_digest_and_no_lock_file_is_refused(server: LocalServer, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"data\.bin"):
        fetch(remote_file(server, "/data.bin", sha256=None), tmp_path / "data.bin")
    assert server.state.requests == []


def test_every_url_failing_raises_download_error(server: LocalServer, tmp_path: Path) -> None:
    refused = f"http://127.0.0.1:{closed_port()}/data.bin"
    remote = RemoteFile(name="data.bin", urls=(server.url("/gone"), refused), sha256=None)
    with pytest.raises(DownloadError, match=r"data\.bin") as raised:
        fetch(
            remote, tmp_path / "data.bin", lock_file=tmp_path / "lock.json", record=True, retries=1
        )
    assert server.url("/gone") in str(raised.value) and refused in str(raised.value)
    assert len(server.state.requests) == 1
    assert not (tmp_path / "lock.json").exists()
