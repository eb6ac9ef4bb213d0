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


def test_the_sample_archives_are_recorded_in_the_lock_file(tmp_path):
    climate_data.fetch_archives(tiny_config(), tmp_path / "raw", tmp_path / "lock.json")
    lock = json.loads((tmp_path / "lock.json").read_text())
    assert sorted(lock) == ["test.tar.gz", "train_val.tar.gz"]
    assert lock["test.tar.gz"]["size"] == (tmp_path / "raw" / "test.tar.gz").stat().st_size
