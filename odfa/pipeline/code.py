"""The source files a stage's command runs: the modules it names and everything they import.

Imports are followed statically through the `odfa` package, at any depth of a file, with one
exception: the `odfa` command (`odfa.cli`) imports each subcommand's study lazily, so only its
module-level imports are followed and each stage names the modules its subcommand runs. A data
file a module reads from its own folder (a string literal naming a file beside it, such as the
synthetic corpus's word lists) counts as code too.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "odfa"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
DISPATCHER = "odfa.cli"
FILE_NAME = re.compile(r"[\w-]+(\.[\w-]+)+")  # a bare file name with an extension


def module_path(module: str) -> Path | None:
    """The source file of `module` in this package, or None when it is not one of ours."""
    if module != PACKAGE and not module.startswith(f"{PACKAGE}."):
        return None
    base = PACKAGE_DIR.parent.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _direct_imports(module: str) -> frozenset[str]:
    """Package modules `module` imports (its parent packages too, which Python runs first)."""
    path = module_path(module)
    if path is None:
        raise ValueError(f"{module!r} is not a module of the {PACKAGE} package")
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if module == DISPATCHER else ast.walk(tree)
    imported = {module.rsplit(".", 1)[0]} if "." in module else set()
    for node in nodes:
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(name for name in imported if module_path(name) is not None)


def imported_closure(modules: Iterable[str]) -> list[str]:
    """`modules` and every package module they import, directly or not, sorted."""
    seen: set[str] = set()
    pending = [*modules, DISPATCHER]
    while pending:
        module = pending.pop()
        if module not in seen:
            seen.add(module)
            pending.extend(_direct_imports(module) - seen)
    return sorted(seen)


@functools.cache
def _data_files(module: str) -> frozenset[Path]:
    """Files beside `module`'s source that it names in a string literal (other than modules)."""
    path = module_path(module)
    if path is None:
        raise ValueError(f"{module!r} is not a module of the {PACKAGE} package")
    names = {
        node.value
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return frozenset(
        path.parent / name
        for name in names
        if FILE_NAME.fullmatch(name) and not name.endswith(".py") and (path.parent / name).is_file()
    )


def code_files(modules: Iterable[str]) -> list[Path]:
    """The source files of `modules` and of everything they import, with the data files they
    read beside them (absolute paths)."""
    closure = imported_closure(modules)
    sources = {module_path(module) for module in closure}
    return sorted(sources.union(*(_data_files(module) for module in closure)))


def code_digest(modules: Iterable[str]) -> str:
    """SHA-256 over the relative paths and contents of the files `code_files` lists."""
    digest = hashlib.sha256()
    for path in code_files(modules):
        digest.update(str(path.relative_to(PACKAGE_DIR.parent)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
