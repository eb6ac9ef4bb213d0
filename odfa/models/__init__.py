"""Networks declared as hidden segments (feedback points at their outputs) and a BP-trained tail."""

from odfa.models.fcnn import FCNN, FCNNConfig
from odfa.models.segmented import SegmentedNetwork

__all__ = ["FCNN", "FCNNConfig", "SegmentedNetwork"]
