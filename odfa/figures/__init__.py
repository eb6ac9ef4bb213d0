"""Figures of the studies, one module per study."""
