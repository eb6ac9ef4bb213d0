"""Study 1's data stages: fetch the Cornell Movie-Dialogs Corpus (or its sample) and prepare it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from odfa.data.dialogs import prepare_dialogs
from odfa.data.download import download
from odfa.data.sources import CORNELL_ZIP
from odfa.data.synthetic.dialogs import generate_sample_corpus


def fetch_corpus(config: dict[str, Any], out_path: str | Path) -> None:
    """The corpus zip: generated offline in the real format (`sample`) or downloaded (`cornell`)."""
    settings = config["dialogs"]
    if settings["source"] == "sample":
        generate_sample_corpus(Path(out_path), **settings["sample"])
    else:
        download(CORNELL_ZIP, Path(out_path))


def prepare_corpus(config: dict[str, Any], corpus: str | Path, out_dir: str | Path) -> dict:
    """Read, split and tokenise the corpus into `out_dir` (tokenizer, token arrays, report)."""
    settings = config["dialogs"]
    return prepare_dialogs(
        Path(corpus),
        Path(out_dir),
        vocab_size=settings["tokenizer"]["vocab_size"],
        validation_fraction=settings["validation_fraction"],
        seed=settings["split_seed"],
        train_tokens_limit=settings["train_tokens"],
    )
