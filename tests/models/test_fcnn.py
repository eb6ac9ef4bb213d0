"""The fully connected network: segments, widths and bad settings."""

from __future__ import annotations

import pytest
import torch

from odfa.models import FCNN, FCNNConfig


def test_hidden_layers_are_segments_and_the_output_layer_is_the_tail():
    model = FCNN(FCNNConfig(input_dim=6, hidden_dims=[5, 4, 3], output_dim=2))
    assert len(model.segments) == 3 and model.feedback_dims == [5, 4, 3]
    assert model.tail.out_features == 2 == model.output_dim
    assert model(torch.randn(7, 6)).shape == (7, 2)
    assert model.num_parameters() == (6 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3) + (3 * 2 + 2)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"activation": "sigmoid"}, "activation must be one of"),
        ({"hidden_dims": []}, "at least one hidden layer"),
        ({"hidden_dims": [4, 0]}, "positive integer"),
    ],
)
def test_bad_settings_are_named(settings, message):
    with pytest.raises(ValueError, match=message):
        FCNNConfig(input_dim=6, **settings)


def test_the_paper_scale_fcnn_has_1_3_billion_parameters(paper_config):
    settings = paper_config["climate"]["models"]["fcnn"]
    with torch.device("meta"):
        model = FCNN(FCNNConfig(4 * 96 * 144, settings["hidden_dims"], 96 * 144, "tanh"))
    assert model.config.input_dim == 55_296 and model.output_dim == 13_824
    assert model.num_parameters() == pytest.approx(1.3e9, rel=0.05)
    assert list(model.feedback_dims) == sorted(model.feedback_dims, reverse=True)  # decreasing
