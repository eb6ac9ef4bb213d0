"""The one warm-up-then-repeat loop of every measurement."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def warm_up(run: Callable[[], object], calls: int) -> None:
    """Call `run` `calls` times and drop the results (caches, allocator, lazy initialisation)."""
    for _ in range(calls):
        run()


def repeated(run: Callable[[], T], warmup: int, repeats: int) -> list[T]:
    """The results of `repeats` calls of `run`, after `warmup` calls whose results are dropped."""
    warm_up(run, warmup)
    return [run() for _ in range(repeats)]


def seconds(run: Callable[[], object]) -> float:
    """Wall time of one call of `run`."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median_seconds(run: Callable[[], object], warmup: int, repeats: int) -> float:
    """Median wall time of `repeats` calls of `run`, after `warmup` untimed calls."""
    return statistics.median(repeated(lambda: seconds(run), warmup, repeats))


def quartiles(values: list[float]) -> tuple[float, float]:
    """The first and third quartiles of the values (both the one value if one)."""
    if len(values) == 1:
        return values[0], values[0]
    first, _, third = statistics.quantiles(values, n=4, method="inclusive")
    return first, third
