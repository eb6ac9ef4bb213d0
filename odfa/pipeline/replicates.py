"""Replicates: each run of a study repeated over N seeds, every seed derived from the config's.

Replicate r of a run shifts every seed of training (model initialisation and data order), of
the feedback matrix, of the transmission matrix and of the camera noise by r * SEED_STRIDE;
replicate 0 is the config's own seeds. The data (splits, sample corpora) are the same for all.
A replicate's settings hold its derived seeds, never the number of replicates, so adding a
replicate runs only the new one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

SEED_STRIDE = 1000
SHARED_SEEDS = ("feedback.seed", "optics.seed", "optics.noise_seed")
TRAINING_SEEDS = {
    "digits": ("digits.training.seed",),
    "dialogs": ("dialogs.training.seed", "dialogs.bp_star_training.seed"),
    "climate": ("climate.training.vit.seed", "climate.training.fcnn.seed"),
}
DIRECTORY_PREFIX = "replicate-"


def replicate_name(replicate: int | str) -> str:
    """The folder of replicate `replicate` inside a run's folder (a wildcard's name gives the
    rules' pattern)."""
    return f"{DIRECTORY_PREFIX}{replicate}"


def replicate_config(config: Mapping[str, Any], study: str, replicate: int | str) -> dict[str, Any]:
    """A copy of `config` with the seeds of `study`'s replicate `replicate`."""
    if study not in TRAINING_SEEDS:
        raise ValueError(
            f"unknown replicated study {study!r}; choose one of {list(TRAINING_SEEDS)}"
        )
    index = int(replicate)
    if index < 0:
        raise ValueError(f"a replicate index is >= 0; got {replicate!r}")
    shifted = copy.deepcopy(dict(config))
    for key in (*SHARED_SEEDS, *TRAINING_SEEDS[study]):
        *parents, leaf = key.split(".")
        section: Any = shifted
        for part in parents:
            section = section.get(part) if isinstance(section, Mapping) else None
        if isinstance(section, dict) and leaf in section:
            section[leaf] += index * SEED_STRIDE
    return shifted
