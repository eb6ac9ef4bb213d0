"""Benchmark workloads: the studies' models at the config's sizes or the given ones."""

from __future__ import annotations

import pytest

from odfa.timing.workloads import workload


def test_the_gpt_is_the_dialogs_model_unless_sized(config):
    default = workload(config, "gpt")
    model = config["dialogs"]["model"]
    assert default.sizes == {
        "width": model["embedding_dim"],
        "depth": model["n_layers"],
        "batch": config["dialogs"]["training"]["batch_size"],
        "heads": model["n_heads"],
        "context": model["context_length"],
        "vocabulary": config["dialogs"]["tokenizer"]["vocab_size"],
    }
    sized = workload(config, "gpt", width=32, depth=3, batch=2)
    gpt = sized.build_model()
    assert len(gpt.blocks) == 3 and gpt.head.in_features == 32
    assert sized.inputs.shape == sized.targets.shape == (2, model["context_length"])
    assert (gpt(sized.inputs).shape[-1], sized.targets.max() < 1016) == (1016, True)


def test_the_vit_maps_the_climate_sample_grid(config):
    vit = workload(config, "vit", batch=2)
    climate = config["climate"]
    assert vit.inputs.shape == (2, 4, climate["sample"]["n_lat"], climate["sample"]["n_lon"])
    assert vit.build_model()(vit.inputs).shape == vit.targets.shape
    assert vit.sizes["width"] == climate["models"]["vit"]["embedding_dim"]


def test_the_fcnn_is_sized_by_its_options(config):
    fcnn = workload(config, "fcnn", width=8, depth=2, batch=3, outputs=4)
    assert fcnn.sizes == {"width": 8, "depth": 2, "batch": 3, "outputs": 4}
    assert fcnn.build_model()(fcnn.inputs).shape == (3, 4)
    with pytest.raises(ValueError, match="unknown benchmark model 'mlp'"):
        workload(config, "mlp")
