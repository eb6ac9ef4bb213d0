"""What each benchmark value means: the help of every benchmark command explains each of its
derived values (ratios, projections) by name."""

from __future__ import annotations

import pytest

from odfa.cli import main
from odfa.timing.fields import RATIOS


@pytest.mark.parametrize("benchmark", sorted(RATIOS))
def test_each_benchmarks_help_explains_its_derived_values_by_name(benchmark, capsys):
    with pytest.raises(SystemExit):
        main(["bench", benchmark, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    meanings, keys = RATIOS[benchmark]
    assert "progress line per measurement" in shown and "--json" in shown
    for key in keys:
        assert f"{key}: {' '.join(meanings[key].split())}" in shown, key
