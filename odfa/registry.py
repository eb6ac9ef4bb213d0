"""The one list of training methods, studies and their runs that the CLI, rules and figures read."""

from __future__ import annotations

from dataclasses import dataclass

from odfa.errors import ConfigError


@dataclass(frozen=True)
class Method:
    """A training method: its label and colour in tables and figures, the config sections it
    reads and the module whose `build` makes it. A new method is its module and one entry
    here: the config's method lists, the workflow's wildcards, the command's choices, the DVC
    stages and the figures read this table."""

    name: str
    label: str
    sections: tuple[str, ...]
    module: str
    colour: str


METHODS = {
    method.name: method
    for method in (
        Method("bp", "BP", (), "odfa.feedback.methods", "tab:blue"),
        Method("dfa", "DFA", ("feedback",), "odfa.feedback.methods", "tab:orange"),
        Method("odfa", "ODFA", ("feedback", "optics"), "odfa.feedback.optical", "tab:red"),
        Method("shallow", "SHLW", (), "odfa.feedback.methods", "tab:gray"),
        Method("drtp", "DRTP", ("feedback",), "odfa.feedback.drtp", "tab:green"),
    )
}

# Study 1's runs: every method, and BP* (BP with its own tuned training settings).
DIALOGS_RUNS = {"bp": "bp", "bp_star": "bp"} | {name: name for name in METHODS if name != "bp"}
RUN_LABELS = {name: method.label for name, method in METHODS.items()} | {"bp_star": "BP*"}
RUN_COLOURS = {name: method.colour for name, method in METHODS.items()} | {"bp_star": "tab:cyan"}
CLIMATE_MODELS = ("vit", "fcnn")
# Study 2's floor, fitted rather than trained: linear pattern scaling by least squares.
CLIMATE_BASELINE = ("pattern_scaling", "least_squares")
SCALING_METHODS = ("bp", "dfa", "odfa")
BENCH_MODELS = ("fcnn", "gpt", "vit")  # what `odfa bench step` trains


def climate_run_name(model: str, method: str) -> str:
    """The folder of Study 2's (model, method) run among its runs."""
    return f"{model}-{method}"


def dialogs_training_section(run: str) -> str:
    """The `dialogs` key holding a run's training settings (BP* has its own)."""
    return "bp_star_training" if run == "bp_star" else "training"


def check_method(name: str) -> Method:
    """The method called `name`, or a clear error listing the known ones."""
    if name not in METHODS:
        raise ConfigError(f"unknown training method {name!r}; choose one of {list(METHODS)}")
    return METHODS[name]
