"""What the optics cost: ODFA on digits and on the dialogs GPT with one optics setting changed at
a time (camera bits, an ideal camera, full-well depth, ternarisation threshold, anchor size,
the signal's normalisation), each variant over `ablation.replicates` replicates."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from odfa.config import validate_config
from odfa.errors import ConfigError, MissingInputError
from odfa.replicates import (
    SummaryTables,
    replicate_metrics,
    summarise_replicates,
    write_summary,
)

# An ablation setting: its name in `ablation.<setting>` and in run names, and its optics key.
SETTINGS = {
    "camera_bits": ("camera", "bits"),
    "camera": ("camera",),
    "full_well": ("camera", "full_well_electrons"),
    "threshold": ("threshold",),
    "anchor_pixels": ("anchor_pixels",),
    "signal_normalisation": ("signal_normalisation",),
}
STUDIES = {"digits": "test_accuracy", "dialogs": "final_validation_loss"}  # the metric of each


def variant_names(ablation: dict[str, Any]) -> list[str]:
    """`<setting>-<value>` for every value the `ablation` section lists, in order."""
    return [f"{setting}-{value}" for setting in SETTINGS for value in ablation.get(setting, [])]


def parse_variant(variant: str) -> tuple[str, Any]:
    """(setting, value) of a run name such as `camera_bits-6` or `threshold-0.1`."""
    setting, _, text = variant.partition("-")
    if setting not in SETTINGS or not text:
        raise ConfigError(
            f"ablation variant {variant!r} must read <setting>-<value> with a setting among "
            f"{list(SETTINGS)}"
        )
    return setting, yaml.safe_load(text)


def resizes_dialogs(ablation: dict[str, Any]) -> bool:
    """Whether the ablation's dialogs runs train a GPT of their own size (`dialogs_model`)."""
    return ablation["dialogs_model"] is not None


def ablation_sized(config: dict[str, Any]) -> dict[str, Any]:
    """`config` with the ablation's GPT settings (`ablation.dialogs_model`) in place of the
    dialogs study's, validated again."""
    sized = copy.deepcopy(config)
    sized["dialogs"]["model"] |= config["ablation"]["dialogs_model"] or {}
    validate_config(sized)
    return sized


def apply_variant(config: dict[str, Any], variant: str) -> dict[str, Any]:
    """`config` with the variant's optics setting changed (an ideal camera, or one camera field
    over the configured camera), validated again."""
    setting, value = parse_variant(variant)
    varied = copy.deepcopy(config)
    optics = varied["optics"]
    *parents, key = SETTINGS[setting]
    target = optics
    for parent in parents:
        if not isinstance(target[parent], dict):
            raise ConfigError(
                f"ablation variant {variant!r} changes optics.{'.'.join(SETTINGS[setting])}, but "
                f"optics.{parent} is {target[parent]!r}"
            )
        target = target[parent]
    target[key] = value
    validate_config(varied)
    return varied


def train_variant(
    config: dict[str, Any],
    study: str,
    variant: str,
    replicate: int,
    out_dir: str | Path,
    data: str | Path | None,
    identity: Mapping[str, Any],
) -> dict[str, Any]:
    """Train one replicate of the study's ODFA run under `config` (the variant already applied,
    see `apply_variant`, and the replicate's seeds derived); write `out_dir/metrics.json` and
    return the metrics. `data`: the study's prepared data (the digits split, the dialogs
    folder); `identity`: the run's provenance."""
    parse_variant(variant)
    if study == "digits":
        from odfa.studies.digits import train_digits

        if data is None:
            raise MissingInputError("the digits ablation needs the prepared split")
        return train_digits(config, "odfa", replicate, data, out_dir, identity)
    if study == "dialogs":
        from odfa.studies.dialogs import train_dialogs

        if data is None:
            raise MissingInputError("the dialogs ablation needs the prepared data folder")
        return train_dialogs(config, "odfa", replicate, data, out_dir, identity)
    raise ConfigError(f"unknown ablation study {study!r}; choose one of {list(STUDIES)}")


FIDELITY = ("projection_cosine", "projection_norm_ratio", "silent_outputs", "saturated_pixels")


def summarise_ablation(
    ablation: dict[str, Any],
    runs_dir: str | Path,
    tables: SummaryTables,
) -> pd.DataFrame:
    """Where `tables` says: one row per (study, variant) of the `ablation` section (the
    setting changed, its value, the study's metric (digits: test accuracy, dialogs: validation
    loss) and the projection's fidelity, each as the mean over `ablation.replicates`
    replicates with its standard deviation, `<column>_std`) and one row per replicate
    (`runs_dir/<study>/<variant>/replicate-<r>/metrics.json`), fingerprint included."""
    rows = []
    for study in ablation["studies"]:
        metric = STUDIES[study]
        for variant in variant_names(ablation):
            setting, value = parse_variant(variant)
            for metrics in replicate_metrics(
                Path(runs_dir) / study / variant, ablation["replicates"]
            ):
                rows.append(
                    {
                        "study": study,
                        "variant": variant,
                        "setting": setting,
                        "value": str(value),
                        "metric": metric,
                        "replicate": metrics["replicate"],
                        "metric_value": metrics[metric],
                        **{field: metrics.get(field, float("nan")) for field in FIDELITY},
                        "fingerprint": metrics["fingerprint"],
                    }
                )
    per_replicate = pd.DataFrame(rows)
    summary = summarise_replicates(
        per_replicate, ["study", "variant", "setting", "value", "metric"]
    )
    write_summary(per_replicate, summary, tables, ["study", "variant"])
    return summary
