"""Run identity: settings, input digests, code and torch version of one job."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from odfa.data.digits import load_digits_split, save_digits_split
from odfa.pipeline.identity import run_identity
from odfa.pipeline.stages import restricted_config
from odfa.studies.digits import train_digits
from odfa.train import SET_ASIDE, SET_ASIDE_KEPT
from tests.conftest import DEFAULT_CONFIG, tiny_config


def test_the_identity_records_settings_inputs_and_code(tmp_path):
    data = tmp_path / "train.nc"
    data.write_bytes(b"one")
    identity = run_identity(
        DEFAULT_CONFIG, "climate_train", {"model": "vit", "method": "odfa"}, [data]
    )
    record = identity.as_dict()
    assert record["settings"]["optics"] == DEFAULT_CONFIG["optics"]
    assert set(record["inputs"]) == {"train.nc"} and len(record["code"]) == 64
    assert record["stage"] == "climate_train" and record["torch_version"]


def test_another_input_content_or_setting_gives_another_identity(tmp_path):
    data = tmp_path / "train.nc"
    data.write_bytes(b"one")
    wildcards = {"model": "fcnn", "method": "bp"}
    first = run_identity(DEFAULT_CONFIG, "climate_train", wildcards, [data])
    data.write_bytes(b"two")
    assert run_identity(DEFAULT_CONFIG, "climate_train", wildcards, [data]) != first
    data.write_bytes(b"one")
    assert run_identity(DEFAULT_CONFIG, "climate_train", wildcards, [data]) == first
    other = {**DEFAULT_CONFIG, "threads": 2}
    assert run_identity(other, "climate_train", wildcards, [data]) != first
    optics = {**DEFAULT_CONFIG, "optics": {}}  # bp does not read the optics
    assert run_identity(optics, "climate_train", wildcards, [data]) == first


def _train(config: dict, split: Path, out_dir: Path) -> tuple[dict, str]:
    """One tiny digits ODFA run on `split` through the stage's restricted config; (metrics, its
    log)."""
    wildcards = {"method": "odfa", "replicate": "0"}
    stage_config = restricted_config(config, "digits_train", wildcards)
    identity = run_identity(stage_config, "digits_train", wildcards, [split]).as_dict()
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        metrics = train_digits(stage_config, "odfa", 0, split, out_dir, identity)
    return metrics, stderr.getvalue()


def _changed(key: str, value) -> dict:
    config = tiny_config()
    config["digits"]["training"]["epochs"] = 1
    *parents, leaf = key.split(".")
    section = config
    for part in parents:
        section = section[part]
    section[leaf] = value
    return config


CHANGES = {
    "digits.model.hidden_dims": [64, 32],
    "digits.training.learning_rate": 0.02,
    "feedback.scale": 0.01,
    "optics.threshold": 0.1,
    "threads": 2,
    "device": "cpu",
}


@pytest.mark.slow
def test_a_changed_setting_or_input_trains_afresh_and_changed_back_finds_its_run(
    tmp_path, digits_split
):
    run_dir, reference_config = tmp_path / "run", _changed("digits.training.epochs", 1)
    other_split = tmp_path / "split-seed-1.npz"  # another split: the same settings, other input
    save_digits_split(load_digits_split(0.2, 1), other_split)
    changes = [(key, _changed(key, value), digits_split) for key, value in CHANGES.items()]
    changes.append(("inputs", reference_config, other_split))
    reference, _ = _train(reference_config, digits_split, run_dir)
    for key, config, split in changes:
        metrics, log = _train(config, split, run_dir)
        assert "set aside as" in log and "resuming" not in log, key
        assert metrics["fingerprint"] != reference["fingerprint"], key
        recorded = "inputs" if key == "inputs" else "settings"
        assert metrics["provenance"][recorded] != reference["provenance"][recorded], key
        if key not in ("threads", "device"):  # on one CPU these change no number
            assert metrics["final_train_loss"] != reference["final_train_loss"], key
        back, log = _train(reference_config, digits_split, run_dir)  # the reference again
        assert "restored" in log and "at step 45 of 45" in log, key  # found, not trained again
        assert back["test_accuracy"] == reference["test_accuracy"], key
    shelf = {path.name for path in (run_dir / SET_ASIDE).iterdir()}
    assert 0 < len(shelf) <= SET_ASIDE_KEPT and reference["fingerprint"] not in shelf
    again, log = _train(reference_config, digits_split, run_dir)  # a forced rerun
    assert "training afresh" in log and "resuming" not in log
    assert again["test_accuracy"] == reference["test_accuracy"]
