"""Compiled pattern files kept on disk between runs (poolctl/patterns/cache.py)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from poolctl.patterns import builtin_dir, cache, loader
from poolctl.patterns.loader import Pattern
from tests.conftest import Processes

# what a process reports about the knowledge base it loaded
_PROBE = """
import json, sys
from poolctl.patterns import load_patterns
kb = load_patterns(sys.argv[1:])
print(json.dumps({
    "schema_imported": "poolctl.patterns.schema" in sys.modules,
    "patterns": [
        [p.id, p.title, p.threshold, p.engine_notes, p.examples_data,
         [[list(loc), r.pattern, r.engine, list(r.literals), r.folded] for loc, r in p.regexes()]]
        for p in kb
    ],
}))
"""


def _probe(processes: Processes, folder: Path, *extra: str) -> dict[str, object]:
    env = {**os.environ, cache.CACHE_ENV: str(folder)}
    done = processes.run([sys.executable, "-c", _PROBE, *extra], timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of the test's own, and no pattern kept in this process's memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    loader._compiled.cache_clear()
    yield folder
    loader._compiled.cache_clear()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("pattern-*.pickle"))


def test_a_second_run_reads_the_same_knowledge_base_without_the_schema(
    processes: Processes, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    first = _probe(processes, folder)
    assert first["schema_imported"] is True  # compiled: validated against the schema
    assert len(_entries(folder)) == len(list(builtin_dir().glob("*.yaml")))
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    second = _probe(processes, folder)
    assert second["schema_imported"] is False  # read back: no pydantic model built
    assert second["patterns"] == first["patterns"]


def test_a_users_pattern_with_a_fallback_regex_keeps_its_engine_note(
    processes: Processes, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    target = mine / "money.yaml"
    # a lookbehind RE2 refuses: it runs on Python's re, and the note names file:line
    target.write_text(
        "id: unknown-currency\nnumber: 8\ntitle: Currency missing\nsummary: s\n"
        "signals:\n  - regex: '(?<=key ):currency not found'\n    weight: 0.9\n    why: w\n"
        "remediation: Add a currency.\n"
    )
    first = _probe(processes, tmp_path / "cache", str(mine))
    second = _probe(processes, tmp_path / "cache", str(mine))
    assert second["schema_imported"] is False and second["patterns"] == first["patterns"]
    patterns = second["patterns"]
    assert isinstance(patterns, list)
    (note,) = patterns[-1][3]
    assert note.startswith(f"{target}:6: pattern unknown-currency: signals[0].regex: RE2 cannot")
    assert patterns[-1][5][0][2] == "re"


def test_an_edited_file_is_compiled_again_and_replaces_its_entry(
    fresh: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    shutil.copytree(builtin_dir(), mine)
    target = next(iter(sorted(mine.glob("p*.yaml"))))
    before = loader.load_file(target)
    kept = _entries(fresh)
    assert len(kept) == 1
    target.write_text(target.read_text().replace(f"title: {before.title}", "title: Edited", 1))
    after = loader.load_file(target)
    assert after.title == "Edited"
    assert len(_entries(fresh)) == 1 and _entries(fresh) != kept  # the old content's entry gone


def test_an_entry_read_back_gives_the_same_pattern_and_examples(fresh: Path) -> None:
    path = sorted(builtin_dir().glob("p*.yaml"))[0]
    compiled = loader.load_file(path)
    loader._compiled.cache_clear()
    read_back = loader.load_file(path)
    assert read_back is not compiled  # from the disk, not this process's memory
    assert isinstance(read_back, Pattern) and read_back.id == compiled.id
    assert read_back.examples is not None and compiled.examples is not None
    assert read_back.examples == compiled.examples  # validated again on demand
    for (loc, a), (loc_b, b) in zip(compiled.regexes(), read_back.regexes(), strict=True):
        assert loc == loc_b
        assert (a.pattern, a.literals, a.engine) == (b.pattern, b.literals, b.engine)
        assert a.groupindex == b.groupindex


def test_a_damaged_entry_is_compiled_again(fresh: Path) -> None:
    path = sorted(builtin_dir().glob("p*.yaml"))[0]
    compiled = loader.load_file(path)
    (entry,) = _entries(fresh)
    entry.write_bytes(b"\x80\x04not a pickle")
    loader._compiled.cache_clear()
    again = loader.load_file(path)
    assert again.id == compiled.id
    assert [r.pattern for _, r in again.regexes()] == [r.pattern for _, r in compiled.regexes()]
    assert entry.read_bytes() != b"\x80\x04not a pickle"  # rewritten whole


def test_a_folder_others_may_write_to_is_not_used(fresh: Path) -> None:
    fresh.mkdir(mode=0o700)
    fresh.chmod(0o777)  # anyone could plant a pickle here, and a pickle runs code when read
    path = sorted(builtin_dir().glob("p*.yaml"))[0]
    loader.load_file(path)
    assert _entries(fresh) == []
    content = path.read_bytes()
    cache.put(str(path), content, loader._compile(str(path), content))
    assert _entries(fresh) == []
    fresh.chmod(0o700)
    cache.put(str(path), content, loader._compile(str(path), content))
    assert len(_entries(fresh)) == 1  # kept in a private folder
    fresh.chmod(0o777)
    assert cache.get(str(path), content) is None


def test_an_empty_cache_folder_setting_turns_the_cache_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "")
    monkeypatch.chdir(tmp_path)
    assert cache.folder() is None
    path = sorted(builtin_dir().glob("p*.yaml"))[0]
    cache.put(str(path), path.read_bytes(), object())
    assert cache.get(str(path), path.read_bytes()) is None
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert cache.folder() == Path("/somewhere/cache/poolctl")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/someone")
    assert cache.folder() == Path("/home/someone/.cache/poolctl")
