"""`odfa bench opu`: one JSON line with every timing, ratio and memory field."""

from __future__ import annotations

import json

import pytest

from odfa.cli import main
from odfa.timing.fields import OPU

FIELDS = {
    "precision",
    "batch",
    "inputs",
    "outputs",
    "repeats",
    "torch_threads",
    "lightonml_s",
    "odfa_s",
    "arithmetic_limit_s",
    "speedup_vs_lightonml",
    "over_arithmetic_limit",
    "big_outputs",
    "big_projection_s",
    "big_peak_increase_bytes",
    "peak_rss_bytes",
    "dense_t_bytes_would_be",
    "anchored_lit_pixels",
    "anchored_frames_path_s",
    "anchored_linear_path_s",
    "anchored_sparse_limit_s",
    "anchored_speedup",
    "anchored_over_sparse_limit",
}


def test_bench_opu_prints_one_json_line_with_every_field(capsys):
    pytest.importorskip("lightonml")
    arguments = ["bench", "opu", "--batch", "4", "--inputs", "64", "--outputs", "256"]
    assert main([*arguments, "--big-outputs", "5000", "--repeats", "2", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == FIELDS
    assert (result["precision"], result["batch"], result["inputs"]) == ("float32", 4, 64)
    assert result["speedup_vs_lightonml"] == result["lightonml_s"] / result["odfa_s"]
    assert result["over_arithmetic_limit"] == result["odfa_s"] / result["arithmetic_limit_s"]
    assert result["dense_t_bytes_would_be"] == 8 * 64 * 5000
    assert 0 <= result["big_peak_increase_bytes"] <= result["peak_rss_bytes"]
    assert result["anchored_speedup"] == (
        result["anchored_frames_path_s"] / result["anchored_linear_path_s"]
    )


def test_bench_opu_says_what_it_measures_and_prints_each_value_with_its_meaning(capsys):
    pytest.importorskip("lightonml")
    arguments = ["bench", "opu", "--batch", "4", "--inputs", "64", "--outputs", "256"]
    assert main([*arguments, "--big-outputs", "5000", "--repeats", "2"]) == 0
    printed = capsys.readouterr()
    progress = printed.err.splitlines()
    assert len(progress) == 5 and all(line.startswith("[bench] ") for line in progress)
    assert "lightonml's simulated OPU: 4 frames of 64 pixels -> 256 camera pixels" in progress[0]
    rows = {line.split()[0]: line.split(maxsplit=2)[1:] for line in printed.out.splitlines()}
    assert set(rows) == FIELDS == set(OPU)  # every value, each meaning known
    assert rows["precision"] == ["float32", OPU["precision"]]
    assert rows["speedup_vs_lightonml"][1] == OPU["speedup_vs_lightonml"]
