"""Code digests kept on disk: reused only for the very same bytes of the package, recomputed
when any byte changes or an entry is unreadable, never an error when the folder is not writable."""

from __future__ import annotations

import os
import shutil

import pytest

from odfa.pipeline import code, digest_cache
from odfa.pipeline.digest_cache import DigestCache, package_snapshot
from odfa.pipeline.stages import stage_code_digest, stage_handlers, stage_modules

DIGITS_ODFA = ("digits_train", {"method": "odfa", "replicate": "0"})


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A copy of the package that the digests read, and an empty cache folder."""
    copy = tmp_path / "odfa"
    shutil.copytree(code.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code, "PACKAGE_DIR", copy)
    monkeypatch.setenv(digest_cache.CACHE_FOLDER_VARIABLE, str(tmp_path / "cache"))
    code.clear_caches()
    yield copy
    code.clear_caches()


def _uncached(name: str, wildcards: dict[str, str]) -> str:
    """The digest computed from the sources, as if no process had kept one."""
    code.clear_caches()
    modules = tuple(sorted(set(stage_modules(name, wildcards))))
    return code._code_digest(modules, tuple(sorted(stage_handlers(name))))


def _kept(package) -> list[str]:
    """The digests kept for the package's current snapshot."""
    folder = DigestCache(package).folder
    return sorted(path.read_text().strip() for path in folder.iterdir()) if folder.is_dir() else []


def test_a_kept_digest_is_the_computed_one_and_the_next_process_reads_it(package):
    digest = stage_code_digest(*DIGITS_ODFA)
    assert _kept(package) == [digest]
    code.clear_caches()  # a new process: nothing parsed
    parsed_before = code._parsed.cache_info().currsize
    assert stage_code_digest(*DIGITS_ODFA) == digest
    assert code._parsed.cache_info().currsize == parsed_before == 0  # read, not computed
    assert digest == _uncached(*DIGITS_ODFA)


def test_any_changed_byte_of_the_package_is_a_new_snapshot_with_nothing_kept(package):
    digest = stage_code_digest(*DIGITS_ODFA)
    snapshot = package_snapshot(package)
    (package / "train.py").write_text((package / "train.py").read_text() + "\n# a comment\n")
    code.clear_caches()
    assert package_snapshot(package) != snapshot and _kept(package) == []
    assert stage_code_digest(*DIGITS_ODFA) == digest  # a comment changes no behaviour
    (package / "train.py").write_text((package / "train.py").read_text() + "\nSCALE = 2\n")
    code.clear_caches()
    assert stage_code_digest(*DIGITS_ODFA) not in (digest, None)
    assert package_snapshot(package) != snapshot


def test_an_unreadable_entry_is_computed_again(package):
    digest = stage_code_digest(*DIGITS_ODFA)
    [entry] = DigestCache(package).folder.iterdir()
    entry.write_text("not a digest\n")
    code.clear_caches()
    assert stage_code_digest(*DIGITS_ODFA) == digest
    assert entry.read_text() == digest + "\n"  # and kept again


def test_a_cache_that_is_a_file_keeps_nothing_and_costs_no_error(package, tmp_path):
    (tmp_path / "cache").write_text("in the way\n")
    digest = stage_code_digest(*DIGITS_ODFA)
    assert digest == _uncached(*DIGITS_ODFA)


def test_only_the_newest_snapshots_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(digest_cache, "KEPT_SNAPSHOTS", 2)
    package = tmp_path / "package"
    package.mkdir()
    folders = []
    for version in range(4):
        (package / "module.py").write_text(f"VERSION = {version}\n")
        cache = DigestCache(package, tmp_path / "cache")
        cache.put("key", f"{version:064x}")
        os.utime(cache.folder, (version, version))  # made in this order
        folders.append(cache.folder)
    assert sorted(cache.root.iterdir()) == sorted(folders[-2:])
    assert cache.get("key") == f"{3:064x}" and cache.get("other") is None
