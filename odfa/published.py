"""Published numbers the figures draw as references, each with its source: never results of
this project. ClimateBench scores on the real data (ssp245, tas, 2080-2100) for Fig. 3b, and
the study's ODFA / DFA ratios of the projection alone for Fig. 4c."""

from __future__ import annotations

from dataclasses import dataclass

from odfa.registry import CLIMATE_BASELINE


@dataclass(frozen=True)
class PublishedScore:
    """One emulator's published tas NRMSE, where it was published, and the model of this
    project's table it is the published counterpart of (None if none)."""

    name: str
    nrmse_spatial: float
    nrmse_global: float
    nrmse_total: float
    source: str
    counterpart: str | None = None


CLIMATEBENCH = "Watson-Parris et al. 2022, ClimateBench v1.0, JAMES"
PUBLISHED_TAS = (
    PublishedScore("neural network (CNN-LSTM)", 0.107, 0.044, 0.327, CLIMATEBENCH),
    PublishedScore("Gaussian process", 0.109, 0.074, 0.478, CLIMATEBENCH),
    PublishedScore("random forest", 0.108, 0.058, 0.400, CLIMATEBENCH),
    PublishedScore("ClimaX (ViT)", 0.086, 0.043, 0.300, "Nguyen et al. 2023, ClimaX, Table 2"),
    PublishedScore(
        "linear pattern scaling",
        0.0786,
        0.0410,
        0.2836,
        "Lütjens et al. 2024, The impact of internal variability on benchmarking deep learning "
        "climate emulators",
        counterpart=CLIMATE_BASELINE[0],
    ),
)
PUBLISHED_SCORES = ("nrmse_spatial", "nrmse_global", "nrmse_total")
# The study's Fig. 4c, read from its text: ODFA / all-GPU DFA time of the projection alone,
# ~1e4 at 1e3 x 1e3 and ~5 at 1e4 x 1e4 (projection size n: n error entries -> n outputs).
PROJECTION_RATIOS = {1_000: 1e4, 10_000: 5.0}
