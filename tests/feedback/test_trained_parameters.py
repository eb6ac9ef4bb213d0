"""Parameters the projected signal trains, counted two ways, on models whose counts are known by
hand (and on the meta device, as for the paper's sizes)."""

from __future__ import annotations

import torch

from odfa.feedback.trained_parameters import count_trained_parameters
from odfa.models import FCNN, FCNNConfig
from odfa.models.gpt import GPT, GPTConfig


def test_a_gpt_block_is_written_into_by_its_attention_projection_and_mlp_down_projection():
    config = GPTConfig(vocab_size=50, context_length=6, n_layers=3, n_heads=2, embedding_dim=8)
    with torch.device("meta"):
        model = GPT(config)
    ids = torch.zeros(2, 6, dtype=torch.long, device="meta")
    counts = count_trained_parameters(model, model.feedback_points, ids)
    width, hidden_blocks = 8, 2
    block = sum(parameter.numel() for parameter in model.blocks[0].parameters())
    embedding = 50 * width + 6 * width  # tokens and positions, both written into block 0
    writers = (width * width + width) + (4 * width * width + width)  # projection, contract
    assert counts.total == sum(parameter.numel() for parameter in model.parameters())
    assert counts.projected == embedding + hidden_blocks * block
    assert counts.direct == embedding + hidden_blocks * writers
    assert counts.tail == block + 50 * width  # the last block and the head
    assert counts.total == counts.projected + counts.tail


def test_every_hidden_layer_of_an_fcnn_writes_directly_to_its_point():
    model = FCNN(FCNNConfig(5, [4, 3], 2, "relu"))
    counts = count_trained_parameters(model, model.feedback_points, torch.randn(7, 5))
    assert counts.projected == counts.direct == (5 * 4 + 4) + (4 * 3 + 3)
    assert counts.tail == 3 * 2 + 2
    assert model.training  # the count leaves the model's mode as it found it
