"""The offline Cornell sample: deterministic bytes, the real layout and encoding, clean to read."""

from __future__ import annotations

import itertools
import re
import zipfile

import pytest

from odfa.data.dialogs import read_corpus, training_text
from odfa.data.synthetic.dialogs import generate_sample_corpus

FOLDER = "cornell movie-dialogs corpus"
LINE_ROW = re.compile(
    r"L(\d+) \+\+\+\$\+\+\+ u\d+ \+\+\+\$\+\+\+ (m\d+) \+\+\+\$\+\+\+ [A-ZÀ-Þ]+ \+\+\+\$\+\+\+ \S.*"
)
CONVERSATION_ROW = re.compile(
    r"u\d+ \+\+\+\$\+\+\+ u\d+ \+\+\+\$\+\+\+ m\d+ \+\+\+\$\+\+\+ \['L\d+'(, 'L\d+')+\]"
)


@pytest.fixture(scope="module")
def sample_zip(tmp_path_factory):
    path = tmp_path_factory.mktemp("cornell") / "cornell_movie_dialogs_corpus.zip"
    generate_sample_corpus(path, seed=0)
    return path


def read_member(path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"{FOLDER}/{name}")


def test_same_seed_gives_the_same_bytes(sample_zip, tmp_path):
    generate_sample_corpus(tmp_path / "again.zip", seed=0)
    generate_sample_corpus(tmp_path / "other.zip", seed=1)
    assert (tmp_path / "again.zip").read_bytes() == sample_zip.read_bytes()
    assert (tmp_path / "other.zip").read_bytes() != sample_zip.read_bytes()


def test_layout_matches_the_real_zip(sample_zip):
    with zipfile.ZipFile(sample_zip) as archive:
        names = set(archive.namelist())
    assert {f"{FOLDER}/movie_lines.txt", f"{FOLDER}/movie_conversations.txt"} <= names
    assert f"{FOLDER}/README.txt" in names
    assert any(name.startswith("__MACOSX/") for name in names)


def test_rows_have_the_real_fields_and_order(sample_zip):
    line_rows = read_member(sample_zip, "movie_lines.txt").decode("iso-8859-1").splitlines()
    conversation_rows = read_member(sample_zip, "movie_conversations.txt").decode("iso-8859-1")
    last_id: dict[str, int] = {}
    for row in line_rows:
        match = LINE_ROW.fullmatch(row)
        assert match, row
        line_id, movie = int(match.group(1)), match.group(2)
        assert line_id < last_id.get(movie, line_id + 1), "lines descend within a movie"
        last_id[movie] = line_id
    assert len(last_id) == 30
    for row in conversation_rows.splitlines():
        assert CONVERSATION_ROW.fullmatch(row), row


def test_text_is_iso_8859_1_with_one_byte_accents(sample_zip):
    data = read_member(sample_zip, "movie_lines.txt")
    assert b"se\xf1or" in data  # "señor": ñ is the single byte 0xF1
    assert b"\xc3\xb1" not in data  # not UTF-8
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_size_and_cast(sample_zip):
    text = read_member(sample_zip, "movie_lines.txt").decode("iso-8859-1")
    assert len(text) > 100_000
    assert " +++$+++ JACK +++$+++ " in text


def test_reads_back_with_a_clean_report(sample_zip):
    conversations, report = read_corpus(sample_zip)
    assert report.problems == 0
    assert report.conversations == len(conversations) == 1500
    assert report.lines == sum(len(c) for c in conversations)
    assert all(2 <= len(c) <= 6 for c in conversations)
    assert len(training_text(conversations)) > 100_000


def test_questions_are_answered(sample_zip):
    conversations, _ = read_corpus(sample_zip)
    pairs = [(a.text, b.text) for c in conversations for a, b in itertools.pairwise(c)]
    answers = [b for a, b in pairs if a.endswith("Where are you from?")]
    assert answers
    assert all("from" in b or "Born and raised" in b for b in answers)
