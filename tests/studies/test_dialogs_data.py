"""Study 1's data stages: the source switch between the sample and the real corpus."""

from __future__ import annotations

from odfa.studies import dialogs_data


def test_the_source_switch_downloads_the_real_corpus(config, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(dialogs_data, "download", lambda remote, path: calls.append((remote, path)))
    config["dialogs"]["source"] = "cornell"
    dialogs_data.fetch_corpus(config, tmp_path / "corpus.zip")
    assert calls == [(dialogs_data.CORNELL_ZIP, tmp_path / "corpus.zip")]
    config["dialogs"]["source"] = "sample"
    dialogs_data.fetch_corpus(config, tmp_path / "corpus.zip")
    assert (tmp_path / "corpus.zip").read_bytes()[:2] == b"PK"
