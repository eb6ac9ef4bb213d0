"""The optics ablation: variants named by their setting and value, applied over the optics
section, summarised with the study's metric and the projection's fidelity."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from odfa.errors import ConfigError
from odfa.studies.ablation import (
    ablation_sized,
    apply_variant,
    parse_variant,
    resizes_dialogs,
    summarise_ablation,
    variant_names,
)
from tests.conftest import tables_in


def test_variants_are_named_by_setting_and_value_in_order():
    ablation = {"studies": ["digits"], "threshold": [0.1], "camera_bits": [6, 12], "camera": []}
    assert variant_names(ablation) == ["camera_bits-6", "camera_bits-12", "threshold-0.1"]
    assert parse_variant("threshold-0.1") == ("threshold", 0.1)
    assert parse_variant("camera-ideal") == ("camera", "ideal")
    with pytest.raises(ValueError, match="must read <setting>-<value>"):
        parse_variant("exposure-3")


def test_a_variant_changes_one_optics_setting_and_is_validated(config):
    varied = apply_variant(config, "camera_bits-6")
    assert varied["optics"]["camera"]["bits"] == 6 and config["optics"]["camera"]["bits"] == 8
    assert {**varied["optics"], "camera": config["optics"]["camera"]} == config["optics"]
    assert apply_variant(config, "camera-ideal")["optics"]["camera"] == "ideal"
    assert apply_variant(config, "anchor_pixels-64")["optics"]["anchor_pixels"] == 64
    camera = apply_variant(config, "signal_normalisation-camera")["optics"]
    assert (camera["signal_normalisation"], config["optics"]["signal_normalisation"]) == (
        "camera",
        "error_norm",
    )
    with pytest.raises(ConfigError, match=r"signal_normalisation: 'exposure' is not one of"):
        apply_variant(config, "signal_normalisation-exposure")
    with pytest.raises(ConfigError, match="17"):
        apply_variant(config, "camera_bits-17")  # the schema allows 1..16
    ideal = apply_variant(config, "camera-ideal")
    with pytest.raises(ValueError, match=r"optics\.camera is 'ideal'"):
        apply_variant(ideal, "full_well-5000")


def test_the_dialogs_ablation_can_train_a_gpt_of_its_own_size(config):
    assert not resizes_dialogs(config["ablation"])
    assert ablation_sized(config)["dialogs"] == config["dialogs"]
    config["ablation"]["dialogs_model"] = {"n_layers": 2, "embedding_dim": 64}
    sized = ablation_sized(config)
    assert resizes_dialogs(config["ablation"])
    assert sized["dialogs"]["model"] == config["dialogs"]["model"] | {
        "n_layers": 2,
        "embedding_dim": 64,
    }
    assert sized["dialogs"]["training"] == config["dialogs"]["training"]
    config["ablation"]["dialogs_model"] = {"n_layers": 1}
    with pytest.raises(ConfigError, match=r"dialogs\.model\.n_layers: 1 is less than"):
        ablation_sized(config)


def test_the_summary_gives_each_variant_mean_and_spread_over_its_replicates(tmp_path):
    ablation = {"studies": ["digits", "dialogs"], "replicates": 2, "camera_bits": [6]}
    results = {  # (study, replicate): (metric, value, projection cosine)
        ("digits", 0): ("test_accuracy", 0.95, 0.9),
        ("digits", 1): ("test_accuracy", 0.97, 0.8),
        ("dialogs", 0): ("final_validation_loss", 2.5, 0.7),
        ("dialogs", 1): ("final_validation_loss", 2.7, 0.7),
    }
    for (study, replicate), (metric, value, cosine) in results.items():
        run = tmp_path / "runs" / study / "camera_bits-6" / f"replicate-{replicate}"
        run.mkdir(parents=True)
        metrics = {metric: value, "projection_cosine": cosine, "fingerprint": f"{replicate}" * 16}
        (run / "metrics.json").write_text(json.dumps(metrics))
    table = summarise_ablation(ablation, tmp_path / "runs", tables_in(tmp_path))
    assert list(table["study"]) == ["digits", "dialogs"]
    assert list(table["setting"]) == ["camera_bits", "camera_bits"]
    assert list(table["metric"]) == ["test_accuracy", "final_validation_loss"]
    assert list(table["replicates"]) == [2, 2]
    assert table["metric_value"].tolist() == pytest.approx([0.96, 2.6])
    assert table["metric_value_std"].tolist() == pytest.approx([0.02 / 2**0.5, 0.2 / 2**0.5])
    assert table["projection_cosine_std"].tolist() == pytest.approx([0.1 / 2**0.5, 0.0])
    assert table["projection_norm_ratio"].isna().all()  # not in these runs' metrics
    assert pd.read_csv(tmp_path / "metrics.csv").shape == table.shape
    replicates = pd.read_csv(tmp_path / "replicates.csv", dtype={"fingerprint": str})
    assert list(replicates["replicate"]) == [0, 1, 0, 1]
    assert list(replicates["fingerprint"]) == ["0" * 16, "1" * 16] * 2


def test_the_summary_names_a_missing_replicate(tmp_path):
    ablation = {"studies": ["digits"], "replicates": 1, "camera": ["ideal"]}
    with pytest.raises(FileNotFoundError, match=r"camera-ideal/replicate-0/metrics\.json"):
        summarise_ablation(ablation, tmp_path, tables_in(tmp_path))
