"""The pipeline's stages, declared study by study: each module but `declaration` holds one
study's `STUDY` (`odfa.pipeline.stages` collects them)."""
