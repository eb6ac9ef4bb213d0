"""Run identity: everything a training result depends on.

The settings the stage reads, the content digests of its input files, a digest of the code it
runs and the torch version. The trainer digests it into the run's fingerprint (a checkpoint
resumes only under the same one), and every run's metrics carry both, so a result says where
it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from odfa.io import sha256_of
from odfa.pipeline.stages import Wildcards, job_settings, stage_code_digest


@dataclass(frozen=True)
class RunIdentity:
    """What a run's result depends on."""

    stage: str
    wildcards: dict[str, str]
    settings: dict[str, Any]
    inputs: dict[str, str]
    code: str
    torch_version: str

    def as_dict(self) -> dict[str, Any]:
        """The provenance a run's metrics.json carries (JSON-ready)."""
        return asdict(self)


def run_identity(
    config: Mapping[str, Any],
    stage: str,
    wildcards: Wildcards,
    input_files: Iterable[str | Path] = (),
) -> RunIdentity:
    """The identity of the job of `stage` with `wildcards` reading `input_files`; `config` is
    the job's own (a replicate's seeds already derived)."""
    return RunIdentity(
        stage=stage,
        wildcards=dict(wildcards),
        settings=job_settings(config, stage, wildcards),
        inputs={Path(path).name: sha256_of(path) for path in sorted(map(str, input_files))},
        code=stage_code_digest(stage, wildcards),
        torch_version=version("torch"),  # torch.__version__, without importing torch (3 s)
    )
