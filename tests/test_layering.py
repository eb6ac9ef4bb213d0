"""The package's floors only look down: a module imports from its own part of the package or
from a floor below it, never above (figures read tables: they import only the foundation)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from odfa.pipeline.code import PACKAGE_DIR
from tests.conftest import REPO

# Each part of the package (a top-level module or subpackage) and its floor. The foundation
# (floors 0-2) is what every floor shares: errors, files, settings, names, replicates, published
# numbers.
FLOORS = {
    "errors": 0,
    **dict.fromkeys(("io", "registry"), 1),
    **dict.fromkeys(("config", "replicates", "published"), 2),
    **dict.fromkeys(("distributed", "data", "models", "optics", "metrics", "config_reference"), 3),
    "feedback": 4,
    "train": 5,
    "timing": 6,
    **dict.fromkeys(("studies", "figures"), 7),
    "stages": 8,
    "pipeline": 9,
    "cli": 10,
}
FOUNDATION = {part for part, floor in FLOORS.items() if floor <= 2}


def _part(module: str) -> str | None:
    """The part of the package `module` belongs to (None outside the package)."""
    names = module.split(".")
    return names[1] if names[0] == "odfa" and len(names) > 1 else None


def _imports(path: Path) -> set[str]:
    """Every odfa module `path` imports, at any depth (function-level imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if _part(name) is not None}


def _upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        own = _part(module)
        if own is None:
            continue
        for imported in sorted(_imports(path)):
            other = _part(imported)
            if other == own:
                continue
            allowed = other in FOUNDATION if own == "figures" else FLOORS[other] < FLOORS[own]
            if not allowed:
                wrong.append(f"{module} (floor {FLOORS[own]}) imports {imported}")
    return wrong


def test_every_part_of_the_package_has_a_floor():
    parts = {path.stem for path in PACKAGE_DIR.glob("*.py")} - {"__init__"}
    parts |= {path.parent.name for path in PACKAGE_DIR.glob("*/__init__.py")}
    assert parts == set(FLOORS)


def test_no_module_imports_from_a_floor_above_it():
    assert _upward_imports() == []


# What the jobs that train nothing import: torch takes 3 s to import, a tenth of the embedded
# default's jobs' time spent importing it for nothing.
WITHOUT_TORCH = (
    "odfa.cli",
    "odfa.pipeline.identity",
    "odfa.pipeline.cost_notice",
    "odfa.studies.digits_summary",
    "odfa.studies.dialogs_summary",
    "odfa.studies.climate_scores",
    "odfa.studies.ablation",
    "odfa.studies.scaling_analysis",
    *(f"odfa.figures.{name}" for name in ("digits", "dialogs", "climate", "scaling", "ablation")),
)


def test_the_summaries_figures_and_the_runner_import_no_torch():
    check = f"import sys; import {', '.join(WITHOUT_TORCH)}; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == "False"
