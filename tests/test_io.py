"""Atomic outputs: a file appears whole or not at all, with a plain file's permissions."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from odfa.errors import OutputError
from odfa.io import (
    atomic_output,
    milestone_file_name,
    sha256_of,
    writable_folder,
    write_json,
    write_text,
)


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out" / "metrics.json"
    write_json(path, {"loss": 1.0})
    with pytest.raises(RuntimeError, match="crash"), atomic_output(path) as handle:
        handle.write("{half")
        raise RuntimeError("crash")
    assert json.loads(path.read_text()) == {"loss": 1.0}
    assert sorted(p.name for p in path.parent.iterdir()) == ["metrics.json"]


def test_outputs_get_the_permissions_of_a_plain_open(tmp_path):
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "text")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "a.txt").read_text() == "text"


def test_json_is_sorted_and_ends_with_a_newline(tmp_path):
    write_json(tmp_path / "m.json", {"b": 1, "a": 2})
    assert (tmp_path / "m.json").read_text() == '{\n  "a": 2,\n  "b": 1\n}\n'


def test_json_holds_null_where_a_value_is_not_finite_and_parses_as_standard_json(tmp_path):
    write_json(tmp_path / "m.json", {"a": float("nan"), "b": [1.0, float("inf")], "c": {"d": 2}})
    text = (tmp_path / "m.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text, parse_constant=pytest.fail) == {
        "a": None,
        "b": [1.0, None],
        "c": {"d": 2},
    }


def test_an_output_folder_that_cannot_be_made_is_one_error_naming_it(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match=r"file/run: cannot make this output folder"):
        writable_folder(tmp_path / "file" / "run")
    assert writable_folder(tmp_path / "a" / "b").is_dir()


def test_the_digest_of_a_file_read_in_chunks_is_its_sha256(tmp_path, monkeypatch):
    monkeypatch.setattr("odfa.io.HASH_CHUNK_SIZE", 7)
    data = bytes(range(256)) * 3
    (tmp_path / "blob").write_bytes(data)
    assert sha256_of(tmp_path / "blob") == hashlib.sha256(data).hexdigest()


def test_milestone_files_are_named_by_percent():
    assert [milestone_file_name(f) for f in (0.0, 0.2, 1.0)] == [
        "milestone-000.pt", "milestone-020.pt", "milestone-100.pt",
    ]  # fmt: skip
