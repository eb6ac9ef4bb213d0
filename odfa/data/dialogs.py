"""Cornell Movie-Dialogs Corpus for Study 1: read the zip, split, tokenise into uint16 streams.

The reader counts every oddity (malformed rows, unknown line IDs, control characters) in a
`CorpusReport` and never drops or rewrites text silently. Each utterance becomes one
sentencepiece sentence `NAME: text ↵`; a conversation stream is its utterances in order.
"""

from __future__ import annotations

import ast
import io
import itertools
import logging
import random
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sentencepiece as spm

from odfa.errors import ConfigError, DataError
from odfa.io import atomic_output, write_json

logger = logging.getLogger("odfa.dialogs")

CORPUS_FOLDER = "cornell movie-dialogs corpus"
LINES_FILE = "movie_lines.txt"
CONVERSATIONS_FILE = "movie_conversations.txt"
FIELD_SEPARATOR = " +++$+++ "
CORPUS_ENCODING = "iso-8859-1"
IGNORED_ZIP_FOLDER = "__MACOSX/"
LINE_FIELDS = 5  # lineID, characterID, movieID, NAME, text
CONVERSATION_FIELDS = 4  # characterID, characterID, movieID, ['L1', 'L2', ...]

NEWLINE_SYMBOL = "↵"
UTTERANCE_END = " " + NEWLINE_SYMBOL
# The tokenizer's symbol is the word-start marker plus ↵: one token ends an utterance, decodes
# to " ↵", and leaves no lone "▁" token before it (iso-8859-1 text cannot contain ↵ itself).
NEWLINE_PIECE = "\u2581" + NEWLINE_SYMBOL
PAPER_VOCAB_SIZE = 1016
TOKENIZER_MODEL_TYPE = "unigram"
TOKEN_DTYPE = np.uint16
MAX_SENTENCE_BYTES = 1 << 16  # sentencepiece silently skips longer sentences; none should be

# C0 and C1 control characters (and DEL) except tab: kept in the text, counted in the report.
SUSPICIOUS_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
ASCII_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


@dataclass
class Utterance:
    line_id: str
    character: str
    text: str


@dataclass
class CorpusReport:
    """What was read and everything odd about it; all counts but the first two should be 0."""

    lines: int = 0
    conversations: int = 0
    malformed_lines: int = 0
    duplicate_line_ids: int = 0
    suspicious_characters: int = 0
    unknown_line_ids: int = 0
    malformed_conversations: int = 0
    empty_utterances: int = 0

    @property
    def problems(self) -> int:
        """How many rows, references or characters were odd in any way."""
        counts = self.to_dict()
        return sum(counts.values()) - counts["lines"] - counts["conversations"]

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def corpus_member(archive: zipfile.ZipFile, zip_path: Path, file_name: str) -> str:
    """The one member called `file_name`, whatever folder holds it (macOS metadata aside)."""
    matches = [
        name
        for name in archive.namelist()
        if not name.startswith(IGNORED_ZIP_FOLDER) and name.rsplit("/", 1)[-1] == file_name
    ]
    if len(matches) != 1:
        found = "missing" if not matches else f"found {len(matches)} times: {matches}"
        raise DataError(f"{zip_path}: expected one {file_name!r} in the zip, {found}")
    return matches[0]


def corpus_rows(data: bytes) -> list[str]:
    """The rows of a corpus file: iso-8859-1 decodes every byte; only '\\n' ends a row."""
    rows = data.decode(CORPUS_ENCODING).split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    return [row.removesuffix("\r") for row in rows]


def parse_lines(rows: list[str], report: CorpusReport) -> dict[str, Utterance]:
    utterances: dict[str, Utterance] = {}
    for row in rows:
        if SUSPICIOUS_CHARACTERS.search(row):
            report.suspicious_characters += 1
        fields = row.split(FIELD_SEPARATOR, LINE_FIELDS - 1)
        if len(fields) == LINE_FIELDS - 1 and row.endswith(FIELD_SEPARATOR.rstrip()):
            fields[-1] = fields[-1].removesuffix(FIELD_SEPARATOR.rstrip())
            fields.append("")  # an empty text whose trailing space was trimmed
        if len(fields) != LINE_FIELDS:
            report.malformed_lines += 1
            continue
        line_id, _, _, character, text = fields
        if line_id in utterances:
            report.duplicate_line_ids += 1
            continue
        if not text.strip():
            report.empty_utterances += 1
        utterances[line_id] = Utterance(line_id, character, text)
        report.lines += 1
    return utterances


def parse_line_ids(field: str) -> list[str] | None:
    """`['L194', 'L195']` as a list of IDs, or None when it is not a list of strings."""
    try:
        value = ast.literal_eval(field.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return value


def parse_conversations(
    rows: list[str], utterances: dict[str, Utterance], report: CorpusReport
) -> list[list[Utterance]]:
    """Conversations in file order; unknown IDs are counted and left out, the rest kept in order."""
    conversations = []
    for row in rows:
        if SUSPICIOUS_CHARACTERS.search(row):
            report.suspicious_characters += 1
        fields = row.split(FIELD_SEPARATOR)
        line_ids = parse_line_ids(fields[-1]) if len(fields) == CONVERSATION_FIELDS else None
        if not line_ids:
            report.malformed_conversations += 1
            continue
        known = [utterances[line_id] for line_id in line_ids if line_id in utterances]
        report.unknown_line_ids += len(line_ids) - len(known)
        if known:
            conversations.append(known)
    report.conversations = len(conversations)
    return conversations


def read_corpus(zip_path: Path) -> tuple[list[list[Utterance]], CorpusReport]:
    """Every conversation of the corpus zip, rebuilt in order, and a report of what was odd."""
    zip_path = Path(zip_path)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            lines_data = archive.read(corpus_member(archive, zip_path, LINES_FILE))
            conversations_data = archive.read(corpus_member(archive, zip_path, CONVERSATIONS_FILE))
    except zipfile.BadZipFile as error:
        raise DataError(f"{zip_path}: not a readable zip file ({error})") from error
    report = CorpusReport()
    utterances = parse_lines(corpus_rows(lines_data), report)
    conversations = parse_conversations(corpus_rows(conversations_data), utterances, report)
    return conversations, report


def normalise_whitespace(text: str) -> str:
    """Collapse ASCII whitespace only: '\\x85' or '\\xa0' in the corpus are characters to keep."""
    return ASCII_WHITESPACE.sub(" ", text).strip(" ")


def utterance_text(utterance: Utterance) -> str:
    """`NAME: text`, whitespace normalised (an empty text gives `NAME:`)."""
    name = normalise_whitespace(utterance.character)
    return f"{name}: {normalise_whitespace(utterance.text)}".rstrip(" ")


def utterance_sentence(utterance: Utterance) -> str:
    """One tokenizer sentence: `NAME: text ↵`."""
    return utterance_text(utterance) + UTTERANCE_END


def conversation_sentences(conversations: list[list[Utterance]]) -> list[str]:
    return [utterance_sentence(u) for conversation in conversations for u in conversation]


def training_text(conversations: list[list[Utterance]]) -> str:
    """The text a token stream of `conversations` decodes to: `NAME: text ↵ NAME: text ↵`."""
    return " ".join(conversation_sentences(conversations))


def split_conversations(
    conversations: list[list[Utterance]], validation_fraction: float, seed: int
) -> tuple[list[list[Utterance]], list[list[Utterance]]]:
    """A seeded split by whole conversations; both parts keep corpus order."""
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in [0, 1), got {validation_fraction}")
    count = len(conversations)
    n_validation = round(validation_fraction * count)
    if validation_fraction > 0 and count >= 2:
        n_validation = min(max(n_validation, 1), count - 1)
    chosen = set(random.Random(seed).sample(range(count), n_validation))
    train = [c for i, c in enumerate(conversations) if i not in chosen]
    validation = [c for i, c in enumerate(conversations) if i in chosen]
    return train, validation


def token_subset(
    conversations: list[list[Utterance]], model_path: Path, tokens: int, seed: int
) -> list[list[Utterance]]:
    """Whole conversations drawn in a seeded order until they hold at least `tokens` tokens
    (all of them if they hold fewer), kept in corpus order."""
    tokenizer = load_tokenizer(model_path)
    counts = [sum(map(len, tokenizer.encode(conversation_sentences([c])))) for c in conversations]
    order = list(range(len(conversations)))
    random.Random(seed).shuffle(order)
    chosen, total = set(), 0
    for index in order:
        if total >= tokens:
            break
        chosen.add(index)
        total += counts[index]
    return [conversation for index, conversation in enumerate(conversations) if index in chosen]


def train_tokenizer(sentences: list[str], vocab_size: int, model_path: Path, seed: int) -> None:
    """Train a sentencepiece unigram model, deterministically, and write it atomically.

    Identity normalisation and full character coverage keep decode(encode(text)) == text for the
    training text; ` ↵` is a user-defined symbol (NEWLINE_PIECE), so it is always one token.
    """
    if vocab_size > np.iinfo(TOKEN_DTYPE).max + 1:
        raise ConfigError(
            f"vocab_size {vocab_size} does not fit token dtype {TOKEN_DTYPE.__name__}"
        )
    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_writer=model,
            model_type=TOKENIZER_MODEL_TYPE,
            vocab_size=vocab_size,
            user_defined_symbols=[NEWLINE_PIECE],
            normalization_rule_name="identity",
            character_coverage=1.0,
            bos_id=-1,
            eos_id=-1,
            num_threads=1,
            input_sentence_size=0,
            shuffle_input_sentence=False,
            max_sentence_length=MAX_SENTENCE_BYTES,
            minloglevel=2,
        )
    except RuntimeError as error:
        too_high = re.search(r"Vocabulary size too high.*", str(error))
        if too_high:
            raise DataError(
                f"{model_path}: {len(sentences)} sentences cannot support vocab_size "
                f"{vocab_size}. {too_high.group(0)}"
            ) from error
        raise DataError(f"{model_path}: sentencepiece training failed: {error}") from error
    with atomic_output(model_path, "wb") as handle:
        handle.write(model.getvalue())


def load_tokenizer(model_path: Path) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=str(model_path))


def newline_id(model_path: Path) -> int:
    """The token that ends every utterance."""
    return load_tokenizer(model_path).piece_to_id(NEWLINE_PIECE)


def encode_conversations(conversations: list[list[Utterance]], model_path: Path) -> np.ndarray:
    """One uint16 stream: the utterances of each conversation in order, conversations in turn."""
    pieces = load_tokenizer(model_path).encode(conversation_sentences(conversations))
    return np.fromiter(itertools.chain.from_iterable(pieces), dtype=TOKEN_DTYPE)


def encode_text(text: str, model_path: Path) -> list[int]:
    """Token ids of text written like the training stream (e.g. a prompt "NAME: text ↵")."""
    return load_tokenizer(model_path).encode(text)


def decode(ids: np.ndarray | list[int], model_path: Path) -> str:
    return load_tokenizer(model_path).decode([int(i) for i in ids])


def save_tokens(path: Path, tokens: np.ndarray) -> None:
    with atomic_output(path, "wb") as handle:
        np.save(handle, tokens)


def prepare_dialogs(
    zip_path: Path,
    out_dir: Path,
    vocab_size: int,
    validation_fraction: float,
    seed: int,
    train_tokens_limit: int | None = None,
) -> dict[str, Any]:
    """Read, split, train the tokenizer on the train split; write the model, streams and report.

    `train_tokens_limit` trains on a seeded subset of whole training conversations holding at
    least that many tokens (the paper trains on about 1.2e6), None on all of them.
    """
    out_dir = Path(out_dir)
    conversations, corpus_report = read_corpus(zip_path)
    if corpus_report.problems:
        logger.warning("%s has problems (kept as found): %s", zip_path, corpus_report.to_dict())
    train, validation = split_conversations(conversations, validation_fraction, seed)
    model_path = out_dir / "tokenizer.model"
    train_tokenizer(conversation_sentences(train), vocab_size, model_path, seed)
    split_conversations_count = len(train)
    if train_tokens_limit is not None:
        train = token_subset(train, model_path, train_tokens_limit, seed)
    train_tokens = encode_conversations(train, model_path)
    validation_tokens = encode_conversations(validation, model_path)
    unknown_id = load_tokenizer(model_path).unk_id()  # pieces never seen in the train split
    save_tokens(out_dir / "train.npy", train_tokens)
    save_tokens(out_dir / "validation.npy", validation_tokens)
    report = {
        **corpus_report.to_dict(),
        "tokenizer": f"sentencepiece {TOKENIZER_MODEL_TYPE}",
        "vocab_size": vocab_size,
        "newline_symbol": NEWLINE_SYMBOL,
        "validation_fraction": validation_fraction,
        "seed": seed,
        "train_tokens_limit": train_tokens_limit,
        "split_train_conversations": split_conversations_count,
        "train_conversations": len(train),
        "validation_conversations": len(validation),
        "train_tokens": int(train_tokens.size),
        "validation_tokens": int(validation_tokens.size),
        "validation_unknown_tokens": int((validation_tokens == unknown_id).sum()),
    }
    write_json(out_dir / "report.json", report)
    return report


def window_count(n_tokens: int, context_length: int, stride: int | None) -> int:
    """Training windows of `context_length` (inputs, with next-token targets) in a stream of
    `n_tokens`, one starting every `stride` tokens (None: `context_length`, side by side)."""
    stride = context_length if stride is None else stride
    return max(0, (n_tokens - 1 - context_length) // stride + 1)
