"""`odfa bench step`: one JSON line of measured times per method, FLOP counts and the ratio of
DFA's measured saving to its arithmetic limit."""

from __future__ import annotations

import json
import subprocess

import pytest

from odfa.timing.bench import benchmark_step
from odfa.timing.fields import STEP
from odfa.timing.workloads import workload
from tests.conftest import BIN, REPO


@pytest.mark.parametrize("model", ["fcnn", "gpt", "vit"])
def test_the_benchmark_relates_measured_time_to_flops(config, model):
    work = workload(config, model, width=16, depth=2, batch=2)
    result = benchmark_step(config, model, work, warmup=1, repeats=1)
    assert result["model"] == model and result["width"] == 16 and result["depth"] == 2
    assert result["dfa_over_bp"] == pytest.approx(  # one round: the paired ratio is the ratio
        result["dfa_measured_s_per_sample"] / result["bp_measured_s_per_sample"]
    )
    assert result["flop_dfa_over_bp"] == result["dfa_flops_per_step"] / result["bp_flops_per_step"]
    assert result["over_limit"] == pytest.approx(result["dfa_over_bp"] / result["flop_dfa_over_bp"])
    assert result["flop_dfa_over_bp"] > 0
    if model == "fcnn":  # skipping every input gradient outweighs the small projection
        assert result["flop_dfa_over_bp"] < 0.9
    assert result["odfa_modelled_optical_s_per_sample"] > 0  # modelled, in its own field


@pytest.mark.slow
def test_the_command_prints_one_json_line(tmp_path):
    command = [str(BIN / "odfa"), "bench", "step", "--model", "vit", "--width", "16"]
    command += ["--depth", "2", "--batch", "2", "--warmup", "0", "--repeats", "1"]
    command += ["--config", str(REPO / "config" / "config.yaml")]
    printed = subprocess.run([*command, "--json"], check=True, capture_output=True, text=True)
    (line,) = printed.stdout.splitlines()
    result = json.loads(line)
    assert result["model"] == "vit" and result["batch"] == 2 and result["tokens"] == 96
    assert {"over_limit", "flop_dfa_over_bp", "dfa_over_bp"} <= set(result)
    assert set(result) <= set(STEP)  # every value has its meaning
    assert [line.split(":")[0] for line in printed.stderr.splitlines()] == [
        "[bench] vit (width 16, depth 2, batch 2, heads 4, tokens 96, outputs 16) on cpu",
        "[bench] 1 timed rounds",
    ]


def test_a_ratio_to_bp_is_the_median_over_rounds_of_the_paired_ratio(config, monkeypatch):
    """A slow round (a busy machine) slows every method of the round: pairing cancels it."""
    from odfa.timing import bench
    from odfa.timing.step import StepTime

    totals = {"bp": [1.0, 1.0, 10.0], "dfa": [0.7, 0.8, 7.0], "odfa": [2.0, 2.0, 20.0]}

    class ScriptedStep:
        def __init__(self, config, name, workload, device) -> None:
            self.name, self.times = name, iter(totals[name])
            self.method = type("Optics", (), {"log_fields": lambda self: {
                "modelled_optical_seconds": 0.0}})()  # fmt: skip

        def run(self) -> StepTime:
            return StepTime(0.0, next(self.times), 0.0)

    monkeypatch.setattr(bench, "TrainingStep", ScriptedStep)
    monkeypatch.setattr(bench, "step_flops", lambda run: {"bp": 10, "dfa": 7, "odfa": 8}[run.name])
    work = workload(config, "fcnn", width=4, depth=1, batch=1)
    result = bench.benchmark_step(config, "fcnn", work, warmup=0, repeats=3)
    assert result["dfa_over_bp"] == pytest.approx(0.7)  # median of 0.7, 0.8, 0.7
    assert result["over_limit"] == pytest.approx(1.0)
    assert result["odfa_over_bp"] == pytest.approx(2.0)
    assert result["bp_measured_s_per_sample"] == 1.0  # the median step
