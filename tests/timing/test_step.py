"""A timed training step: every method trains its own identically initialised model."""

from __future__ import annotations

import torch

from odfa.timing.step import StepTime, TrainingStep, median_step, total_quartiles
from odfa.timing.workloads import fcnn_workload


def test_every_method_starts_from_the_same_model_and_a_step_changes_it(config):
    work = fcnn_workload(8, 2, 4, 3)
    steps = [TrainingStep(config, method, work, torch.device("cpu")) for method in ("bp", "dfa")]
    first = [step.model.hidden[0][0].weight.detach().clone() for step in steps]
    assert torch.equal(first[0], first[1])
    timing = steps[1].run()
    assert timing.forward > 0 and timing.update > 0 and timing.total >= timing.forward
    assert not torch.equal(steps[1].model.hidden[0][0].weight, first[1])


def test_the_median_step_adds_up_to_the_median_total():
    steps = [StepTime(1.0, 2.0, 1.0), StepTime(2.0, 1.0, 1.0), StepTime(1.0, 1.0, 7.0)]
    median = median_step(steps)
    assert median.total == 4.0  # the median of 4, 4 and 9
    assert median.forward == median.feedback == median.update  # medians 1, 1, 1 rescaled
    assert total_quartiles(steps) == (4.0, 6.5)
    assert total_quartiles(steps[:1]) == (4.0, 4.0)
