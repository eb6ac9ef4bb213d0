"""The project's citation metadata: how to cite odfa and the study it reproduces."""

from __future__ import annotations

import tomllib

import yaml

from tests.conftest import REPO


def test_the_citation_names_the_reproduced_study_and_odfas_version():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == project["version"]
    (study,) = citation["references"]
    assert " ".join(study["title"].split()) == (
        "Optical training of large-scale Transformers and deep neural networks with direct "
        "feedback alignment"
    )
    assert "arXiv:2409.12965" in [identifier["value"] for identifier in study["identifiers"]]
    authors = [author["family-names"] for author in study["authors"]]
    assert (len(authors), authors[0], authors[-1]) == (15, "Wang", "Gigan")
