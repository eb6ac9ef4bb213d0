"""`odfa bench step`: one JSON line of measured times per method, FLOP counts and the ratio of
DFA's measured saving to its arithmetic limit."""

from __future__ import annotations

import json
import subprocess

import pytest

from odfa.timing.bench import benchmark_step
from odfa.timing.workloads import workload
from tests.conftest import BIN, REPO


@pytest.mark.parametrize("model", ["fcnn", "gpt", "vit"])
def test_the_benchmark_relates_measured_time_to_flops(config, model):
    work = workload(config, model, width=16, depth=2, batch=2)
    result = benchmark_step(config, model, work, warmup=1, repeats=3)
    assert result["model"] == model and result["width"] == 16 and result["depth"] == 2
    assert result["dfa_over_bp"] == pytest.approx(
        result["dfa_measured_s_per_sample"] / result["bp_measured_s_per_sample"]
    )
    assert result["flop_dfa_over_bp"] == result["dfa_flops_per_step"] / result["bp_flops_per_step"]
    assert result["over_limit"] == pytest.approx(result["dfa_over_bp"] / result["flop_dfa_over_bp"])
    assert result["flop_dfa_over_bp"] > 0
    if model == "fcnn":  # skipping every input gradient outweighs the small projection
        assert result["flop_dfa_over_bp"] < 0.9
    assert result["odfa_modelled_optical_s_per_sample"] > 0  # modelled, in its own field


def test_the_command_prints_one_json_line(tmp_path):
    command = [str(BIN / "odfa"), "bench", "step", "--model", "vit", "--width", "16"]
    command += ["--depth", "2", "--batch", "2", "--warmup", "0", "--repeats", "1"]
    command += ["--config", str(REPO / "config" / "config.yaml")]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    (line,) = output.splitlines()
    result = json.loads(line)
    assert result["model"] == "vit" and result["batch"] == 2 and result["tokens"] == 96
    assert {"over_limit", "flop_dfa_over_bp", "dfa_over_bp"} <= set(result)
