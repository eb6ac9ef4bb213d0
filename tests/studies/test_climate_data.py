"""Study 2's data stages: the source switch and the lock file of the archives' digests."""

from __future__ import annotations

import json

from odfa.studies import climate_data
from tests.conftest import tiny_config


def test_the_real_source_downloads_both_archives_with_the_lock_file(config, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(
        climate_data,
        "download",
        lambda remote, path, lock_file: calls.append((remote.name, path.name, lock_file.name)),
    )
    config["climate"]["source"] = "climatebench"
    climate_data.fetch_archives(config, tmp_path, tmp_path / "lock.json")
    assert calls == [
        ("train_val.tar.gz", "train_val.tar.gz", "lock.json"),
        ("test.tar.gz", "test.tar.gz", "lock.json"),
    ]


def test_a_sample_fetch_leaves_the_lock_file_alone(tmp_path):
    lock = tmp_path / "lock.json"
    lock.write_text("{}")
    climate_data.fetch_archives(tiny_config(), tmp_path / "raw", lock)
    assert sorted(path.name for path in (tmp_path / "raw").iterdir()) == [
        "test.tar.gz",
        "train_val.tar.gz",
    ]
    assert lock.read_text() == "{}"


def test_recording_downloads_both_archives_afresh_into_the_lock_file(tmp_path, monkeypatch):
    calls = []

    def download(remote, path, lock_file, record):
        calls.append((remote.name, path.name, record))
        lock_file.write_text(json.dumps({remote.name: {"sha256": "0" * 64, "size": 1}}))

    monkeypatch.setattr(climate_data, "download", download)
    recorded = climate_data.record_archives(tmp_path, tmp_path / "lock.json")
    assert calls == [
        ("train_val.tar.gz", "train_val.tar.gz", True),
        ("test.tar.gz", "test.tar.gz", True),
    ]
    assert recorded == {"test.tar.gz": {"sha256": "0" * 64, "size": 1}}
