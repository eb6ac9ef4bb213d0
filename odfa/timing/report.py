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


def result_table(result: Mapping[str, Any], meanings: Mapping[str, str]) -> str:
    """Each value of `result` on a line: its name, its value, what it means."""
    width = max(map(len, result))
    values = {key: _value(value) for key, value in result.items()}
    value_width = max(map(len, values.values()))
    return "\n".join(
        f"{key:<{width}}  {values[key]:>{value_width}}  {meanings.get(key, '')}".rstrip()
        for key in result
    )


def print_result(result: Mapping[str, Any], meanings: Mapping[str, str], as_json: bool) -> None:
    """The result on stdout: one JSON line, or the table."""
    print(json.dumps(result) if as_json else result_table(result, meanings), flush=True)
