"""The warm-up-then-repeat loop and its median wall time."""

from __future__ import annotations

import itertools

from odfa.timing import repeat


def test_warm_up_calls_are_made_and_dropped():
    counter = itertools.count()
    assert repeat.repeated(lambda: next(counter), warmup=2, repeats=3) == [2, 3, 4]


def test_the_median_is_taken_over_the_timed_calls_only(monkeypatch):
    durations = iter([100.0, 3.0, 1.0, 2.0])  # the warm-up call would dominate a mean
    monkeypatch.setattr(repeat, "seconds", lambda run: next(durations))
    assert repeat.median_seconds(lambda: None, warmup=1, repeats=3) == 2.0
