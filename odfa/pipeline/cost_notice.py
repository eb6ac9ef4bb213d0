"""The line a dry run prints about what its config's jobs would cost on a GPU. Light to import:
the estimate (torch's FLOP counter, 3 s to import) is loaded only when one can be made."""

from __future__ import annotations

from typing import Any


def cost_notice(config: dict[str, Any]) -> str:
    """One line for a dry run: each study's ESTIMATED GPU-hours, or why there is no estimate."""
    if config["dialogs"]["train_tokens"] is None:
        return (
            "odfa: no GPU-hour estimate (dialogs.train_tokens is null: the corpus size is known "
            "after preparation); see `odfa pipeline cost`"
        )
    from odfa.pipeline.cost import estimate_notice

    return estimate_notice(config)
