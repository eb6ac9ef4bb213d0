"""Cornell reader, split, tokenizer and prepared streams, on hand-made and generated zips."""

from __future__ import annotations

import json
import logging
import zipfile

import numpy as np
import pytest

from odfa.data.dialogs import (
    NEWLINE_PIECE,
    NEWLINE_SYMBOL,
    Utterance,
    conversation_sentences,
    decode,
    encode_conversations,
    load_tokenizer,
    newline_id,
    prepare_dialogs,
    read_corpus,
    split_conversations,
    token_subset,
    train_tokenizer,
    training_text,
    utterance_text,
)
from odfa.data.synthetic.dialogs import corpus_files

FOLDER = "cornell movie-dialogs corpus"
SEP = b" +++$+++ "
SMALL_VOCAB = 300

CLEAN_LINES = [
    b"L1045 +++$+++ u0 +++$+++ m0 +++$+++ BIANCA +++$+++ They do not!",
    b"L1044 +++$+++ u2 +++$+++ m0 +++$+++ CAMERON +++$+++ They do to!",
    b"L985 +++$+++ u0 +++$+++ m0 +++$+++ BIANCA +++$+++ I hope so.",
    b"L984 +++$+++ u2 +++$+++ m0 +++$+++ CAMERON +++$+++ She okay?",
    b"L925 +++$+++ u0 +++$+++ m0 +++$+++ BIANCA +++$+++ Let's go.",
    b"L924 +++$+++ u2 +++$+++ m0 +++$+++ CAMERON +++$+++ Wow",
]
CLEAN_CONVERSATIONS = [
    b"u0 +++$+++ u2 +++$+++ m0 +++$+++ ['L1044', 'L1045']",
    b"u0 +++$+++ u2 +++$+++ m0 +++$+++ ['L984', 'L985']",
    b"u0 +++$+++ u2 +++$+++ m0 +++$+++ ['L924', 'L925']",
]


def write_zip(path, lines: list[bytes] | None, conversations: list[bytes] | None, folder=FOLDER):
    """A zip like the real one; None leaves that file out."""
    with zipfile.ZipFile(path, "w") as archive:
        if lines is not None:
            archive.writestr(f"{folder}/movie_lines.txt", b"".join(r + b"\n" for r in lines))
        if conversations is not None:
            archive.writestr(
                f"{folder}/movie_conversations.txt", b"".join(r + b"\n" for r in conversations)
            )
        archive.writestr(f"__MACOSX/{folder}/._movie_lines.txt", b"\x00\x05\x16\x07")
    return path


def sample_zip(path, seed: int, n_conversations: int, extra_lines: list[bytes] = ()):
    lines, conversations = corpus_files(seed, n_conversations)
    return write_zip(
        path,
        [*lines.encode("iso-8859-1").splitlines(), *extra_lines],
        conversations.encode("iso-8859-1").splitlines(),
    )


def test_conversations_are_rebuilt_in_order(tmp_path):
    conversations, report = read_corpus(
        write_zip(tmp_path / "c.zip", CLEAN_LINES, CLEAN_CONVERSATIONS)
    )
    assert [[u.line_id for u in c] for c in conversations] == [
        ["L1044", "L1045"],
        ["L984", "L985"],
        ["L924", "L925"],
    ]
    assert conversations[0][0] == Utterance("L1044", "CAMERON", "They do to!")
    assert report.to_dict() == {
        "lines": 6,
        "conversations": 3,
        "malformed_lines": 0,
        "duplicate_line_ids": 0,
        "suspicious_characters": 0,
        "unknown_line_ids": 0,
        "malformed_conversations": 0,
        "empty_utterances": 0,
    }


def test_any_top_folder_and_windows_line_ends(tmp_path):
    lines = [row + b"\r" for row in CLEAN_LINES]
    path = write_zip(tmp_path / "c.zip", lines, CLEAN_CONVERSATIONS, folder="renamed")
    conversations, report = read_corpus(path)
    assert report.problems == 0
    assert conversations[0][1].text == "They do not!"


def test_oddities_are_counted_and_kept(tmp_path):
    lines = [
        *CLEAN_LINES,
        b"L10 +++$+++ u0 +++$+++ m0 +++$+++ BIANCA",  # missing fields
        b"L11 +++$+++ u0 +++$+++ m0 +++$+++ BIANCA +++$+++ A caf\xe9, se\xf1or.",
        b"L12 +++$+++ u2 +++$+++ m0 +++$+++ CAMERON +++$+++ Wait\x85 what?",  # C1 byte
        b"L13 +++$+++ u2 +++$+++ m0 +++$+++ CAMERON +++$+++ ",
        b"L13 +++$+++ u2 +++$+++ m0 +++$+++ CAMERON +++$+++ duplicate",
    ]
    conversations = [
        *CLEAN_CONVERSATIONS,
        b"u0 +++$+++ u2 +++$+++ m0 +++$+++ ['L11', 'L999', 'L12', 'L13']",  # one unknown ID
        b"u0 +++$+++ u2 +++$+++ m0 +++$+++ ['L11', 'L12'",  # unparsable list
        b"u0 +++$+++ u2 +++$+++ ['L11']",  # missing field
    ]
    read, report = read_corpus(write_zip(tmp_path / "c.zip", lines, conversations))
    assert report.malformed_lines == 1
    assert report.duplicate_line_ids == 1
    assert report.suspicious_characters == 1
    assert report.unknown_line_ids == 1
    assert report.malformed_conversations == 2
    assert report.empty_utterances == 1
    assert report.problems == 7
    assert report.lines == 9 and report.conversations == 4
    kept = read[-1]
    assert [u.line_id for u in kept] == ["L11", "L12", "L13"]
    assert kept[0].text == "A café, señor."
    assert kept[1].text == "Wait\x85 what?"  # kept as found
    assert kept[2].text == ""


def test_missing_file_is_named(tmp_path):
    path = write_zip(tmp_path / "broken.zip", CLEAN_LINES, None)
    with pytest.raises(ValueError, match=r"broken\.zip.*movie_conversations\.txt.*missing"):
        read_corpus(path)


def test_utterance_text_normalises_whitespace():
    assert utterance_text(Utterance("L1", "JACK", "  Hi,\tthere.\n ")) == "JACK: Hi, there."
    assert utterance_text(Utterance("L2", "ROSE", "Non\xa0breaking")) == "ROSE: Non\xa0breaking"
    assert utterance_text(Utterance("L3", "ROSE", " ")) == "ROSE:"


def ids(conversations: list[list[Utterance]]) -> set[str]:
    return {u.line_id for c in conversations for u in c}


def test_split_is_seeded_disjoint_and_complete():
    conversations = [[Utterance(f"L{i}", "JACK", str(i))] for i in range(200)]
    train, validation = split_conversations(conversations, 0.1, seed=0)
    assert len(validation) == 20 and len(train) == 180
    assert not ids(train) & ids(validation)
    assert ids(train) | ids(validation) == ids(conversations)
    assert split_conversations(conversations, 0.1, seed=0) == (train, validation)
    assert ids(split_conversations(conversations, 0.1, seed=1)[1]) != ids(validation)
    with pytest.raises(ValueError, match="validation_fraction"):
        split_conversations(conversations, 1.0, seed=0)


@pytest.fixture(scope="module")
def tokenized(tmp_path_factory):
    root = tmp_path_factory.mktemp("tokenizer")
    conversations, _ = read_corpus(sample_zip(root / "c.zip", seed=0, n_conversations=300))
    train, validation = split_conversations(conversations, 0.1, seed=0)
    model_path = root / "tokenizer.model"
    train_tokenizer(conversation_sentences(train), SMALL_VOCAB, model_path, seed=0)
    return train, validation, model_path


def test_tokenizer_round_trip(tokenized):
    train, _, model_path = tokenized
    ids = encode_conversations(train, model_path)
    assert ids.dtype == np.uint16
    text = decode(ids, model_path)
    assert text == training_text(train)
    assert text.startswith(f"{utterance_text(train[0][0])} {NEWLINE_SYMBOL} ")


def test_newline_is_one_token_per_utterance(tokenized):
    train, _, model_path = tokenized
    ids = encode_conversations(train, model_path)
    newline = newline_id(model_path)
    assert load_tokenizer(model_path).id_to_piece(newline) == NEWLINE_PIECE
    assert (ids == newline).sum() == sum(len(c) for c in train)
    assert decode([newline], model_path) == NEWLINE_SYMBOL


def test_stream_equals_encoding_the_whole_text(tokenized):
    train, _, model_path = tokenized
    stream = encode_conversations(train[:20], model_path)
    whole = load_tokenizer(model_path).encode(training_text(train[:20]))
    assert stream.tolist() == whole


def test_vocab_size_is_honoured_and_training_is_deterministic(tokenized, tmp_path):
    train, _, model_path = tokenized
    assert load_tokenizer(model_path).vocab_size() == SMALL_VOCAB
    train_tokenizer(conversation_sentences(train), SMALL_VOCAB, tmp_path / "again.model", seed=0)
    assert (tmp_path / "again.model").read_bytes() == model_path.read_bytes()


def test_too_large_vocab_says_the_maximum(tokenized, tmp_path):
    train, _, _ = tokenized
    with pytest.raises(ValueError, match=r"vocab.*too high.*<= \d+"):
        train_tokenizer(conversation_sentences(train[:30]), 5000, tmp_path / "t.model", seed=0)
    assert not (tmp_path / "t.model").exists()


def test_prepare_writes_streams_tokenizer_and_report(tmp_path, caplog):
    bad_row = b"L1 +++$+++ u0 +++$+++ m0"
    path = sample_zip(tmp_path / "c.zip", seed=2, n_conversations=300, extra_lines=[bad_row])
    with caplog.at_level(logging.WARNING, logger="odfa.dialogs"):
        report = prepare_dialogs(path, tmp_path / "out", SMALL_VOCAB, 0.1, seed=0)
    assert "malformed_lines" in caplog.text
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {
        "tokenizer.model",
        "train.npy",
        "validation.npy",
        "report.json",
    }
    train, validation = np.load(out / "train.npy"), np.load(out / "validation.npy")
    for tokens in (train, validation):
        assert tokens.dtype == np.uint16 and tokens.size > 0
        assert tokens.max() < SMALL_VOCAB
    assert json.loads((out / "report.json").read_text()) == report
    assert report["malformed_lines"] == 1
    assert report["train_tokens"] == train.size
    assert report["validation_tokens"] == validation.size
    assert report["train_conversations"] + report["validation_conversations"] == 300
    assert report["vocab_size"] == SMALL_VOCAB


def test_a_token_subset_is_seeded_whole_conversations_in_corpus_order(tokenized):
    train, _, model_path = tokenized
    everything = encode_conversations(train, model_path).size
    subset = token_subset(train, model_path, everything // 4, seed=0)
    tokens = encode_conversations(subset, model_path).size
    last = encode_conversations(subset[-1:], model_path).size
    assert everything // 4 <= tokens < everything // 4 + 2 * last + 200  # just past the limit
    positions = [train.index(conversation) for conversation in subset]
    assert positions == sorted(positions) and len(set(positions)) == len(subset)
    assert token_subset(train, model_path, everything // 4, seed=0) == subset
    assert token_subset(train, model_path, everything // 4, seed=1) != subset
    assert token_subset(train, model_path, 10 * everything, seed=0) == train


def test_prepare_records_the_token_subset(tmp_path):
    path = sample_zip(tmp_path / "c.zip", seed=2, n_conversations=300)
    out = tmp_path / "out"
    report = prepare_dialogs(path, out, SMALL_VOCAB, 0.1, seed=0, train_tokens_limit=2000)
    assert report["train_tokens_limit"] == 2000 and report["train_tokens"] >= 2000
    assert report["train_conversations"] < report["split_train_conversations"] == 270
    assert np.load(out / "train.npy").size == report["train_tokens"]
