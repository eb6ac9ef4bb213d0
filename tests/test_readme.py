"""The examples of the README and of docs/ run as written; the layout names every module."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tests.conftest import REPO


def _python_block(page: str) -> str:
    """The first ```python block of `page` (a path relative to the repository)."""
    return re.search(r"```python\n(.*?)```", (REPO / page).read_text(), re.DOTALL)[1]


@pytest.mark.slow
def test_the_dfa_for_your_own_model_example_compares_bp_dfa_and_odfa_anywhere(tmp_path):
    pytest.importorskip("transformers")
    code = compile(_python_block("docs/own-model.md"), "docs/own-model.md", "exec")
    printed = io.StringIO()
    # outside the repository (the example needs no config file), in this process (no Python and
    # torch to start)
    with contextlib.chdir(tmp_path), contextlib.redirect_stdout(printed):
        exec(code, {"__name__": "__main__"})
    output = printed.getvalue()
    losses = {
        name: tuple(map(float, found))
        for name, *found in re.findall(r"^(\w+) loss ([\d.]+) -> ([\d.]+);", output, re.M)
    }
    assert list(losses) == ["BP", "DFA", "ODFA"]
    assert all(last < 0.95 * first for first, last in losses.values())  # each learns
    assert losses["BP"][1] < 0.5 * min(losses["DFA"][1], losses["ODFA"][1])
    odfa_line = output.splitlines()[-1]
    assert "'optical_frames'" in odfa_line and "'modelled_optical_seconds'" in odfa_line


def test_the_layout_names_every_module_of_the_package():
    text = (REPO / "docs" / "development.md").read_text()  # its section "Layout"
    layout = text.split("\n## Layout\n", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"[\w.]+\.(?:py|smk|yaml)|\w+/", layout))
    package = REPO / "odfa"
    for path in package.rglob("*.py"):
        if path.name != "__init__.py" and "synthetic" not in path.parts:
            assert path.name in named, f"the layout does not name {path}"
    for folder in (p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert f"{folder.name}/" in named, f"the layout does not name {folder}"
