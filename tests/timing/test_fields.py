"""What each benchmark value means: every ratio a help explains is a value with a meaning."""

from __future__ import annotations

from odfa.timing.fields import RATIOS, ratio_help


def test_each_benchmarks_help_explains_its_ratios_by_name():
    for benchmark, (meanings, keys) in RATIOS.items():
        text = " ".join(ratio_help(benchmark).split())
        for key in keys:
            assert f"{key}: {' '.join(meanings[key].split())}" in text, (benchmark, key)
