"""How a benchmark talks: a progress line per measurement on stderr, and its result as a table a
person reads (each value with its meaning) or as one JSON line."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any


def progress(message: str) -> None:
    """One line on stderr, at once (the result goes to stdout)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


SENTENCE = 24  # a value longer than this (a note) follows the table, so the numbers stay narrow


def result_table(result: Mapping[str, Any], meanings: Mapping[str, str]) -> str:
    """Each value of `result` on a line: its name, its value, what it means; values that are
    sentences after the table, one per line."""
    values = {key: _value(value) for key, value in result.items()}
    short = {key: value for key, value in values.items() if len(value) <= SENTENCE}
    width = max(map(len, short), default=0)
    value_width = max(map(len, short.values()), default=0)
    lines = [
        f"{key:<{width}}  {value:>{value_width}}  {meanings.get(key, '')}".rstrip()
        for key, value in short.items()
    ]
    return "\n".join(lines + [f"{key}: {values[key]}" for key in values if key not in short])


def print_result(result: Mapping[str, Any], meanings: Mapping[str, str], as_json: bool) -> None:
    """The result on stdout: one JSON line, or the table."""
    print(json.dumps(result) if as_json else result_table(result, meanings), flush=True)
