"""Run identity: settings, input digests, code and torch version of one job."""

from __future__ import annotations

from odfa.pipeline.identity import run_identity
from tests.conftest import DEFAULT_CONFIG


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
