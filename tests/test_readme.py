"""The README's examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO


def _python_block(heading: str) -> str:
    """The first ```python block under `heading` in the README."""
    text = (REPO / "README.md").read_text()
    section = text.split(f"\n{heading}\n", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]


def test_the_dfa_for_your_own_model_example_trains_a_gpt2_with_odfa():
    code = _python_block("## DFA for your own model")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    first, last = map(float, re.search(r"ODFA loss ([\d.]+) -> ([\d.]+);", result.stdout).groups())
    assert last < 0.85 * first
    assert "'optical_frames'" in result.stdout and "'modelled_optical_seconds'" in result.stdout
