"""The code a stage runs: imports followed through the package, the optics for ODFA alone; its
digest follows behaviour, not comments, docstrings, help texts or the project's folder."""

from __future__ import annotations

import shutil

import pytest

from odfa.pipeline import code
from odfa.pipeline.code import code_digest, code_files, imported_closure
from odfa.pipeline.stages import STAGES, stage_code_digest, stage_handlers, stage_modules


def _names(stage: str, wildcards: dict[str, str]) -> set[str]:
    return set(imported_closure(stage_modules(stage, wildcards), stage_handlers(stage)))


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A copy of the package that the digests read (edit it freely)."""
    copy = tmp_path / "odfa"
    shutil.copytree(code.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code, "PACKAGE_DIR", copy)
    code.clear_caches()
    yield copy
    code.clear_caches()


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_only_odfa_runs_and_the_sweep_run_the_optics():
    for method in ("bp", "dfa", "shallow"):
        assert "odfa.optics.device" not in _names("digits_train", {"method": method}), method
    assert "odfa.optics.device" in _names("digits_train", {"method": "odfa"})
    assert "odfa.optics.camera" in _names("dialogs_train", {"run": "odfa"})
    assert "odfa.optics.projection" in _names("scaling_sweep", {})


def test_only_scoring_runs_the_climatebench_metrics():
    users = {
        stage
        for stage in ("climate_train", "climate_score", "climate_summarise", "climate_plot")
        if "odfa.metrics" in _names(stage, {"model": "vit", "method": "bp"})
    }
    assert users == {"climate_score", "climate_summarise"}


def test_parent_packages_and_the_dispatcher_are_followed_but_not_other_subcommands_imports():
    names = _names("dialogs_fetch", {})
    assert {"odfa", "odfa.cli", "odfa.studies", "odfa.data.synthetic.dialogs"} <= names
    assert "odfa.train" not in names and "odfa.models.gpt" not in names
    assert "odfa.train" in _names("dialogs_train", {"run": "bp"})


DIGITS_ODFA = ("digits_train", {"method": "odfa", "replicate": "0"})


def test_comments_docstrings_and_formatting_change_no_digest(package):
    before = {name: stage_code_digest(name, {"method": "odfa", "run": "odfa"}) for name in STAGES}
    _edit(package / "cli.py", "import argparse\n", "# a comment\nimport argparse  # argparse\n")
    _edit(package / "train.py", '"""One training loop', '"""A docstring.\n\nOne training loop')
    _edit(package / "train.py", "def use_threads(count: int) -> None:\n",
          "def use_threads(\n    count: int,\n) -> None:  # reformatted\n")  # fmt: skip
    _edit(package / "metrics.py", '"""', '"""Another docstring line.\n')
    code.clear_caches()
    after = {name: stage_code_digest(name, {"method": "odfa", "run": "odfa"}) for name in STAGES}
    assert after == before


def test_help_texts_and_other_stages_commands_change_no_digest(package):
    before = stage_code_digest(*DIGITS_ODFA)
    figure = stage_code_digest("digits_plot", {})
    _edit(package / "stages" / "digits.py", '"train one method; write metrics.json"', '"train"')
    _edit(package / "stages" / "digits.py", "plot_digits(job.args.runs", "plot_digits(job.args.out")
    _edit(package / "stages" / "scaling.py", "plot_scaling(ScalingTables(", "raise SystemExit(")
    code.clear_caches()
    assert stage_code_digest(*DIGITS_ODFA) == before
    assert stage_code_digest("digits_plot", {}) != figure


def test_the_runner_the_stage_functions_and_what_they_call_are_code(package):
    before = stage_code_digest(*DIGITS_ODFA)
    _edit(package / "cli.py", "config = restricted_config(", "config = dict(restricted_config(")
    _edit(package / "cli.py", "config, name, wildcards)\n", "config, name, wildcards))\n")
    code.clear_caches()
    runner = stage_code_digest(*DIGITS_ODFA)
    assert runner != before
    _edit(package / "stages" / "digits.py", "return [Path(args.data)]", "return [Path(args.out)]")
    code.clear_caches()
    assert stage_code_digest(*DIGITS_ODFA) != runner  # the files its identity records


def test_a_behavioural_edit_changes_the_digests_of_the_stages_that_run_it(package):
    before = {name: stage_code_digest(name, {"method": "bp", "run": "bp"}) for name in STAGES}
    _edit(package / "studies" / "digits.py", "def ", "SCALE = 2\n\n\ndef ")
    code.clear_caches()
    after = {name: stage_code_digest(name, {"method": "bp", "run": "bp"}) for name in STAGES}
    changed = {name for name in STAGES if after[name] != before[name]}
    assert {"digits_train", "ablation_digits"} <= changed
    assert all(name.startswith(("digits_", "ablation_")) for name in changed)  # the ablation
    assert {"digits_plot", "digits_summarise"}.isdisjoint(changed)  # of digits imports the study


def test_the_digest_is_the_same_wherever_the_project_is(package):
    moved = stage_code_digest(*DIGITS_ODFA)
    code.clear_caches()
    code.PACKAGE_DIR = code.Path(__file__).resolve().parents[2] / "odfa"
    assert stage_code_digest(*DIGITS_ODFA) == moved


def test_the_digest_follows_the_content_of_every_file_it_covers(package):
    before = code_digest(["odfa.studies.climate_scores"])
    assert package / "metrics.py" in code_files(["odfa.studies.climate_scores"])
    (package / "optics" / "camera.py").write_text("CAMERA = None\n")
    code.clear_caches()
    assert code_digest(["odfa.studies.climate_scores"]) == before
    with (package / "metrics.py").open("a") as handle:
        handle.write("CHANGE = 1\n")
    code.clear_caches()
    assert code_digest(["odfa.studies.climate_scores"]) != before


def test_a_data_file_a_module_reads_beside_it_is_code(package):
    """The synthetic corpus's word lists: a change reruns the fetch, like a change of code."""
    vocabulary = package / "data" / "synthetic" / "dialogs_vocabulary.json"
    modules = stage_modules("dialogs_fetch", {})
    assert vocabulary in code_files(modules)
    assert package / "data" / "synthetic" / "dialogs_vocabulary.json" not in code_files(
        stage_modules("climate_fetch", {})
    )
    before = code_digest(modules)
    vocabulary.write_text(vocabulary.read_text().replace('"JACK"', '"JAKE"'))
    code.clear_caches()
    assert code_digest(modules) != before
