"""What each pipeline stage reads (settings, code), run identity, and the generated dvc.yaml."""
