"""Where each data set's files live, with their published digests (None: recorded on first use)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """A downloadable file: its local name, its URLs (primary, then mirrors) and expected digest."""

    name: str
    urls: tuple[str, ...]
    sha256: str | None
    size: int | None = None


CORNELL_ZIP = RemoteFile(
    name="cornell_movie_dialogs_corpus.zip",
    urls=(
        "http://www.cs.cornell.edu/~cristian/data/cornell_movie_dialogs_corpus.zip",
        "https://s3.amazonaws.com/pytorch-tutorial-assets/cornell_movie_dialogs_corpus.zip",
    ),
    sha256="3bde8a571f615201bc2d2453e22878090719638592f774720eddec739de8c900",
)

CLIMATEBENCH_TRAIN_VAL = RemoteFile(
    name="train_val.tar.gz",
    urls=("https://zenodo.org/record/7064308/files/train_val.tar.gz",),
    sha256=None,
)

CLIMATEBENCH_TEST = RemoteFile(
    name="test.tar.gz",
    urls=("https://zenodo.org/record/7064308/files/test.tar.gz",),
    sha256=None,
    size=74442376,
)

SOURCES: dict[str, tuple[RemoteFile, ...]] = {
    "cornell": (CORNELL_ZIP,),
    "climatebench": (CLIMATEBENCH_TRAIN_VAL, CLIMATEBENCH_TEST),
}
