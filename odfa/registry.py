"""The one list of training methods, studies and their runs that the CLI, rules and figures read."""

from __future__ import annotations

from dataclasses import dataclass

from odfa.errors import ConfigError


@dataclass(frozen=True)
class Method:
    """A training method: its label, the config sections it reads and the module that builds it."""

    name: str
    label: str
    sections: tuple[str, ...]
    module: str


METHODS = {
    method.name: method
    for method in (
        Method("bp", "BP", (), "odfa.feedback.methods"),
        Method("dfa", "DFA", ("feedback",), "odfa.feedback.methods"),
        Method("odfa", "ODFA", ("feedback", "optics"), "odfa.feedback.optical"),
        Method("shallow", "SHLW", (), "odfa.feedback.methods"),
    )
}

# Study 1's runs: BP* is BP with its own tuned training settings.
DIALOGS_RUNS = {"bp": "bp", "bp_star": "bp", "dfa": "dfa", "odfa": "odfa", "shallow": "shallow"}
RUN_LABELS = {name: method.label for name, method in METHODS.items()} | {"bp_star": "BP*"}
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
