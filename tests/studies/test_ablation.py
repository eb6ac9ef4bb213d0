"""The optics ablation: variants named by their setting and value, applied over the optics
section, summarised with the study's metric and the projection's fidelity."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from odfa.errors import ConfigError
from odfa.studies.ablation import apply_variant, parse_variant, summarise_ablation, variant_names


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
    with pytest.raises(ConfigError, match="17"):
        apply_variant(config, "camera_bits-17")  # the schema allows 1..16
    ideal = apply_variant(config, "camera-ideal")
    with pytest.raises(ValueError, match=r"optics\.camera is 'ideal'"):
        apply_variant(ideal, "full_well-5000")


def test_the_summary_has_a_row_per_run_with_metric_and_fidelity(tmp_path):
    files = []
    for study, variant, metric, value in (
        ("digits", "camera_bits-6", "test_accuracy", 0.95),
        ("dialogs", "camera-ideal", "final_validation_loss", 2.5),
    ):
        run = tmp_path / study / variant
        run.mkdir(parents=True)
        metrics = {metric: value, "projection_cosine": 0.9, "fingerprint": "f" * 16}
        (run / "metrics.json").write_text(json.dumps(metrics))
        files.append(run / "metrics.json")
    table = summarise_ablation(files, tmp_path / "metrics.csv")
    assert list(table["setting"]) == ["camera_bits", "camera"]
    assert list(table["metric_value"]) == [0.95, 2.5]
    assert list(table["metric"]) == ["test_accuracy", "final_validation_loss"]
    assert table["projection_norm_ratio"].isna().all()  # not in these runs' metrics
    assert pd.read_csv(tmp_path / "metrics.csv").shape == table.shape
