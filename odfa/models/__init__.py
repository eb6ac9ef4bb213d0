"""Our networks, each an ordinary module that names its feedback points (`feedback_points`)."""

from collections.abc import Iterable

from torch import nn

from odfa.models.fcnn import FCNN, FCNNConfig


def parameter_count(parameters: Iterable[nn.Parameter]) -> int:
    """Number of values in `parameters` (works on the `meta` device)."""
    return sum(parameter.numel() for parameter in parameters)


__all__ = ["FCNN", "FCNNConfig", "parameter_count"]
