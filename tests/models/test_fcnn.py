"""The fully connected network: feedback points, widths and bad settings."""

from __future__ import annotations

import pytest
import torch

from odfa.feedback.points import inspect_points
from odfa.models import FCNN, FCNNConfig, parameter_count


def test_hidden_layers_are_feedback_points_and_the_output_layer_is_the_tail():
    model = FCNN(FCNNConfig(input_dim=6, hidden_dims=[5, 4, 3], output_dim=2))
    inputs = torch.randn(7, 6)
    layout = inspect_points(model, model.feedback_points, inputs)
    assert layout.points == ("hidden.0", "hidden.1", "hidden.2") and layout.widths == [5, 4, 3]
    assert layout.tail_parameters == ("output.weight", "output.bias")
    assert model(inputs).shape == (7, 2)
    assert parameter_count(model.parameters()) == (6 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3) + 8


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
    assert model.config.input_dim == 55_296 and model.output.out_features == 13_824
    assert parameter_count(model.parameters()) == pytest.approx(1.3e9, rel=0.05)
    widths = [layer[0].out_features for layer in model.hidden]
    assert widths == sorted(widths, reverse=True)  # decreasing
