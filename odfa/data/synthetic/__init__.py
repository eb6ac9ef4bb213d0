"""Offline stand-ins for the real data sets, generated in their exact on-disk formats."""
