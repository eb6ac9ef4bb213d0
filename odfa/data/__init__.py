"""Data sets: download, generation of offline samples, parsing and preparation."""
