"""The code a stage's command runs, and a digest of it that changes only with its behaviour.

Imports are followed statically through the `odfa` package, at any depth of a file. The `odfa`
command (`odfa.cli`) and the studies' stage declarations (`odfa.stages.<study>`) are glue: of
them only the module-level imports and the functions the stage's command runs count, with the
functions of the same module they call and the modules they import (help texts and the other
stages' commands change no result). A data file a module reads from its own folder (a string
literal naming a file beside it, such as the synthetic corpus's word lists) counts as code too.

The digest is taken over what a change of behaviour changes: each module's syntax tree without
docstrings (so comments, docstrings and formatting count for nothing) and each data file's bytes,
keyed by paths relative to the package's parent folder (so a moved project keeps its digests).
Digests are kept on disk for the next process while not a byte of the package changes
(`odfa.pipeline.digest_cache`).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from odfa.pipeline.digest_cache import DigestCache

PACKAGE = "odfa"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
DISPATCHER = "odfa.cli"
DECLARATIONS = "odfa.stages"  # a module per study, declaring its stages' commands
FILE_NAME = re.compile(r"[\w-]+(\.[\w-]+)+")  # a bare file name with an extension
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@functools.cache
def module_path(module: str) -> Path | None:
    """The source file of `module` in this package, or None when it is not one of ours."""
    if module != PACKAGE and not module.startswith(f"{PACKAGE}."):
        return None
    base = PACKAGE_DIR.parent.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _source_path(module: str) -> Path:
    path = module_path(module)
    if path is None:
        raise ValueError(f"{module!r} is not a module of the {PACKAGE} package")
    return path


@dataclasses.dataclass(frozen=True)
class _Parsed:
    """A module's syntax tree without its docstrings (shared, never edited), with what one walk
    over it found: the modules its imports name and its other string literals."""

    tree: ast.Module
    imports: frozenset[str]
    strings: frozenset[str]


@functools.cache
def _parsed(module: str) -> _Parsed:
    """`module` parsed and walked once: its docstrings (of the module, and of every class and
    function) removed, its imports and string literals collected."""
    path = _source_path(module)
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = list(ast.walk(tree))
    docstrings = set()
    for node in nodes:
        if isinstance(node, ast.Module | Definition) and ast.get_docstring(node, clean=False):
            docstrings.add(id(node.body[0].value))
            node.body = node.body[1:] or [ast.Pass()]
    strings = {
        node.value
        for node in nodes
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    }
    return _Parsed(tree, frozenset(_imports(nodes)), frozenset(strings))


def _tree(module: str) -> ast.Module:
    return _parsed(module).tree


def _imports(nodes: Iterable[ast.AST]) -> set[str]:
    """The modules (and `module.name` candidates) that absolute imports among `nodes` name."""
    imported: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    return imported


def _walk(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    for node in nodes:
        yield from ast.walk(node)


def is_glue(module: str) -> bool:
    """Whether of `module` only the part a stage's command runs is its code (see above)."""
    parent, _, name = module.rpartition(".")
    return module == DISPATCHER or (parent == DECLARATIONS and name != "declaration")


def _functions_in(module: str, handlers: Iterable[str]) -> list[str]:
    """The functions of `module` among `handlers` ("module:function")."""
    return [name for owner, _, name in (h.partition(":") for h in handlers) if owner == module]


def _glue_part(module: str, handlers: tuple[str, ...]) -> list[ast.stmt]:
    """What of the glue `module` a command with `handlers` runs: its imports and the handlers'
    definitions with every module-level definition they name, transitively."""
    body = _tree(module).body
    definitions = {node.name: node for node in body if isinstance(node, Definition)}
    pending, needed = _functions_in(module, handlers), set()
    while pending:
        name = pending.pop()
        if name not in definitions:
            raise ValueError(f"{module} defines no {name!r}")
        if name not in needed:
            needed.add(name)
            pending += [
                node.id
                for node in ast.walk(definitions[name])
                if isinstance(node, ast.Name) and node.id in definitions
            ]
    imports = [node for node in body if isinstance(node, ast.Import | ast.ImportFrom)]
    return imports + [node for node in body if getattr(node, "name", None) in needed]


def _direct_imports(module: str, handlers: tuple[str, ...]) -> frozenset[str]:
    """Package modules `module` runs imports of (its parent packages too, which Python runs
    first); of glue, those of the part `handlers` run."""
    return _glue_imports(module, handlers) if is_glue(module) else _library_imports(module)


@functools.cache
def _glue_imports(module: str, handlers: tuple[str, ...]) -> frozenset[str]:
    return _package_modules(module, _imports(_walk(_glue_part(module, handlers))))


@functools.cache
def _library_imports(module: str) -> frozenset[str]:
    return _package_modules(module, set(_parsed(module).imports))


def _package_modules(module: str, imported: set[str]) -> frozenset[str]:
    """The package modules among `imported`, with `module`'s parent package."""
    if "." in module:
        imported.add(module.rsplit(".", 1)[0])
    return frozenset(name for name in imported if module_path(name) is not None)


def imported_closure(modules: Iterable[str], handlers: Iterable[str] = ()) -> list[str]:
    """`modules`, the dispatcher, the modules of `handlers` and every package module they import,
    directly or not, sorted; `handlers` ("module:function") are the glue's functions the
    command runs."""
    handlers = tuple(sorted(handlers))
    seen: set[str] = set()
    pending = [*modules, DISPATCHER, *(handler.partition(":")[0] for handler in handlers)]
    while pending:
        module = pending.pop()
        if module not in seen:
            seen.add(module)
            pending.extend(_direct_imports(module, handlers) - seen)
    return sorted(seen)


@functools.cache
def _data_files(module: str) -> frozenset[Path]:
    """Files beside `module`'s source that it names in a string literal (other than modules)."""
    path = _source_path(module)
    return frozenset(
        path.parent / name
        for name in _parsed(module).strings
        if FILE_NAME.fullmatch(name) and not name.endswith(".py") and (path.parent / name).is_file()
    )


def code_files(modules: Iterable[str], handlers: Iterable[str] = ()) -> list[Path]:
    """The source files of `modules` and of everything they import, with the data files they
    read beside them (absolute paths)."""
    closure = imported_closure(modules, handlers)
    sources = {_source_path(module) for module in closure}
    return sorted(sources.union(*(_data_files(module) for module in closure)))


def behaviour(nodes: list[ast.stmt]) -> str:
    """The behaviour statements of a docstring-free tree define, as text: their syntax tree
    without line numbers or formatting, in which comments never appear."""
    return ast.dump(ast.Module(body=nodes, type_ignores=[]))


@functools.cache
def _module_digest(module: str) -> bytes:
    return hashlib.sha256(behaviour(_tree(module).body).encode()).digest()


@functools.cache
def _glue_digest(module: str, handlers: tuple[str, ...]) -> bytes:
    return hashlib.sha256(behaviour(_glue_part(module, handlers)).encode()).digest()


@functools.cache
def _data_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@functools.cache
def _code_digest(modules: tuple[str, ...], handlers: tuple[str, ...]) -> str:
    closure = imported_closure(modules, handlers)
    contents = {
        _source_path(module): (
            _glue_digest(module, handlers) if is_glue(module) else _module_digest(module)
        )
        for module in closure
    }
    contents |= {path: _data_digest(path) for module in closure for path in _data_files(module)}
    digest = hashlib.sha256()
    for path in sorted(contents):  # the files `code_files` lists
        digest.update(str(path.relative_to(PACKAGE_DIR.parent).as_posix()).encode() + b"\0")
        digest.update(contents[path])
    return digest.hexdigest()


@functools.cache
def _digest_cache() -> DigestCache:
    return DigestCache(PACKAGE_DIR)


def code_digest(modules: Iterable[str], handlers: Iterable[str] = ()) -> str:
    """SHA-256 over the behaviour of the files `code_files` lists, keyed by relative paths:
    kept on disk, computed when this snapshot of the package has none for these arguments."""
    modules, handlers = tuple(sorted(set(modules))), tuple(sorted(handlers))
    key = "\n".join((*modules, "", *handlers))
    digest = _digest_cache().get(key)
    if digest is None:
        digest = _code_digest(modules, handlers)
        _digest_cache().put(key, digest)
    return digest


def clear_caches() -> None:
    """Forget the parsed sources and the package's snapshot (after the files changed in this
    process)."""
    for cached in (module_path, _parsed, _glue_imports, _library_imports, _data_files):
        cached.cache_clear()
    for cached in (_module_digest, _glue_digest, _data_digest, _code_digest, _digest_cache):
        cached.cache_clear()
