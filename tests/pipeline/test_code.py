"""The code a stage runs: imports followed through the package, the optics for ODFA alone."""

from __future__ import annotations

import shutil

from odfa.pipeline import code
from odfa.pipeline.code import code_digest, code_files, imported_closure
from odfa.pipeline.stages import stage_modules


def _names(stage: str, wildcards: dict[str, str]) -> set[str]:
    return set(imported_closure(stage_modules(stage, wildcards)))


def test_only_odfa_runs_and_the_sweep_run_the_optics():
    for method in ("bp", "dfa", "shallow"):
        assert "odfa.optics.device" not in _names("digits_train", {"method": method}), method
    assert "odfa.optics.device" in _names("digits_train", {"method": "odfa"})
    assert "odfa.optics.camera" in _names("dialogs_train", {"run": "odfa"})
    assert "odfa.optics.projection" in _names("scaling_sweep", {})


def test_only_scoring_runs_the_climatebench_metrics():
    users = {
        stage
        for stage in ("climate_train", "climate_score", "climate_summary", "climate_figures")
        if "odfa.metrics" in _names(stage, {"model": "vit", "method": "bp"})
    }
    assert users == {"climate_score", "climate_summary"}


def test_parent_packages_and_the_dispatcher_are_followed_but_not_its_lazy_imports():
    names = _names("dialogs_fetch", {})
    assert {"odfa", "odfa.cli", "odfa.studies", "odfa.data.synthetic.dialogs"} <= names
    assert "odfa.train" not in names and "odfa.models.gpt" not in names


def test_the_digest_follows_the_content_of_every_file_it_covers(tmp_path, monkeypatch):
    package = tmp_path / "odfa"
    shutil.copytree(code.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code, "PACKAGE_DIR", package)
    code._direct_imports.cache_clear()
    before = code_digest(["odfa.studies.climate_scores"])
    assert package / "metrics.py" in code_files(["odfa.studies.climate_scores"])
    (package / "optics" / "camera.py").write_text("# not imported by the scoring\n")
    assert code_digest(["odfa.studies.climate_scores"]) == before
    with (package / "metrics.py").open("a") as handle:
        handle.write("# a change\n")
    assert code_digest(["odfa.studies.climate_scores"]) != before
    code._direct_imports.cache_clear()


def test_a_data_file_a_module_reads_beside_it_is_code(tmp_path, monkeypatch):
    """The synthetic corpus's word lists: a change reruns the fetch, like a change of code."""
    package = tmp_path / "odfa"
    shutil.copytree(code.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code, "PACKAGE_DIR", package)
    code._direct_imports.cache_clear()
    code._data_files.cache_clear()
    vocabulary = package / "data" / "synthetic" / "dialogs_vocabulary.json"
    modules = stage_modules("dialogs_fetch", {})
    assert vocabulary in code_files(modules)
    assert package / "data" / "synthetic" / "dialogs_vocabulary.json" not in code_files(
        stage_modules("climate_fetch", {})
    )
    before = code_digest(modules)
    vocabulary.write_text(vocabulary.read_text().replace('"JACK"', '"JAKE"'))
    assert code_digest(modules) != before
    code._direct_imports.cache_clear()
    code._data_files.cache_clear()
