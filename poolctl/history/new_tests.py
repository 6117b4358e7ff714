"""The rows of the tests a store has not seen yet, as `tests` holds them; for a suite's first run
into a store, made beside the triage.

A store that holds no test (a CI job without a cached store records into a new one each time)
gets a row for every test that passed: 200,000 for a large suite, which took 0.7 s to make and
insert after the triage of a 200 MB `pytest -vv` log, while the machine's second CPU idled. The
history's forked reading of the inputs (`ahead`) makes them instead, when the store holds no test
as it starts (`worth_preparing`): sorted by key, in a table of the same schema in a temporary
SQLite file of its own (`write_prepared`). The recording, when the store's `tests` is still
empty in its transaction, copies that table in one statement (SQLite copies a table into an
identical empty one record by record, without decoding them: 0.06 s) and removes the tests that
failed in the run (`copy_prepared`): the store's rows are those the recording would have written.
"""

from __future__ import annotations

import contextlib
import sqlite3
import urllib.parse
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from operator import add, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from poolctl.history.lookups import chunked
from poolctl.history.packed import hex_key, pack
from poolctl.history.rawdb import Db, in_list
from poolctl.history.schema_head import SCHEMA_HEAD, VERSION_TABLE
from poolctl.history.sqlite_head import STATEMENTS
from poolctl.redact import Redactor, Secrets

if TYPE_CHECKING:
    from poolctl.history.ahead import Test

BATCH = 25_000  # rows made at a time
# a row as `rows_of` makes it: the test as read (`ahead.Test`), then its key
COLUMNS = ("source", "name", "test_group", "file", "test_key")
# the schema name a prepared file is attached as, in the recording's connection
PREPARED = "prepared"
_TESTS_TABLE = next(s for s in STATEMENTS if s.startswith("CREATE TABLE tests "))

Row = tuple[str, ...]


def storable(text: str) -> str:
    """`text` as a store can hold it: a byte that was not UTF-8 (a lone surrogate, from a file
    name) as a visible escape, `\\udcff`, as the JUnit writer writes it."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def stored_redactor(secrets: Secrets) -> Redactor:
    """What is stored is redacted as what is shown, even with --keep-secrets (which is for one
    developer's screen): names and messages can quote a token, the store outlives the run, and
    a shared one is read by a whole team."""
    shown = secrets.redactor()
    return shown if shown.enabled else Redactor(shown.named)


def rows_of(found: Mapping[int, Test], redactor: Redactor) -> Iterator[Row]:
    """The `tests` rows of `found` (key number -> (source, name, group, file)), sorted by key."""
    numbers = sorted(found)
    return _rows(found, numbers, pack(numbers).hex(), redactor)


def _rows(
    found: Mapping[int, Test], numbers: list[int], digits: str, redactor: Redactor
) -> Iterator[Row]:
    """`rows_of`, the keys sorted in `numbers` and written in `digits` (16 hex digits each, as
    `hex_key` writes one), `BATCH` at a time (a row is stored the same whichever batch it is
    in). A suite's first run makes 200,000: a row is made by `map` and `zip`, with no Python
    call of its own."""
    for start in range(0, len(numbers), BATCH):
        tests = list(map(found.__getitem__, numbers[start : start + BATCH]))
        # the names searched at once: they are redacted one by one only when one of them may
        # hold a secret (rarely; 400,000 searches took a second), and made storable one by one
        # only when one of them is not ASCII
        texts = [*map(itemgetter(1), tests), *map(itemgetter(2), tests)]
        redacts = redactor.may_hold_any(texts)
        plain = (
            not redacts
            and "".join(texts).isascii()
            and "".join(map(itemgetter(3), tests)).isascii()
        )
        keys = [digits[at : at + 16] for at in range(16 * start, 16 * (start + len(tests)), 16)]
        if plain:  # the names as they are (a suite's first run)
            yield from map(add, tests, zip(keys))
            continue

        def clean(text: str, redacts: bool = redacts) -> str:
            return storable(redactor.text(text) if redacts else text)

        yield from (
            (src, clean(name), clean(group), storable(file), key)
            for key, (src, name, group, file) in zip(keys, tests, strict=True)
        )


def worth_preparing(store: Path) -> bool:
    """Whether the rows are worth making for the SQLite store at `store`: none yet, an empty
    file, or one at the schema's head that holds no test (read without writing a byte; one
    that cannot be read is left to the recording)."""
    try:
        if store.stat().st_size == 0:
            return True
    except FileNotFoundError:
        return True
    except OSError:
        return False
    found = _at_head(store, "SELECT 1 FROM tests LIMIT 1")
    return found is not None and not found


def last_passes(store: Path) -> bytes:
    """The packed keys of the SQLite store's last run with passes, as the recording reads
    them (`record._last_value`); empty for none, and for a store not at the schema's head or
    that cannot be read (read without writing a byte)."""
    found = _at_head(store, "SELECT test_keys FROM run_passes ORDER BY run_id DESC LIMIT 1")
    return bytes(found[0][0]) if found else b""


def _at_head(store: Path, sql: str) -> list[tuple[Any, ...]] | None:
    """The rows `sql` reads in the SQLite store at `store`, when it is at the schema's head
    (None when not, or when it cannot be read): opened read-only."""
    uri = f"file:{urllib.parse.quote(str(store))}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            head = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
            return db.execute(sql).fetchall() if head == [(SCHEMA_HEAD,)] else None
    except sqlite3.Error:
        return None


def write_prepared(path: Path, found: Mapping[int, Test], redactor: Redactor) -> bytes:
    """`found`'s rows into a `tests` table of the store's schema in the new file `path` (a
    scratch file: no journal, no sync); returns their keys packed (`packed.pack`), which are
    the run's passes when none of them failed."""
    numbers = sorted(found)
    packed = pack(numbers)
    with contextlib.closing(sqlite3.connect(path)) as db:
        # large pages: 16x fewer to fill and write (200,000 rows: 0.05 s less), and the copy
        # into the store's pages reads the records, whatever the pages' size
        db.execute("PRAGMA page_size=65536")
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(_TESTS_TABLE)
        marks = ", ".join("?" * len(COLUMNS))
        rows = _rows(found, numbers, packed.hex(), redactor)
        db.executemany(f"INSERT INTO tests ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
        db.commit()
    return packed


@dataclass(frozen=True)
class Prepared:
    """The rows made beside the triage: their file, and the keys of every test read, packed."""

    file: Path
    packed: bytes


def left_out_of(db: Db, invalid: Collection[str], redactor: Redactor) -> set[int]:
    """The keys of the prepared tests (attached as `PREPARED`) of the ExUnit modules in
    `invalid` (whose `setup_all` failed), found by their groups as stored."""
    if not invalid:
        return set()
    groups, params = in_list("g", sorted({storable(redactor.text(g)) for g in invalid}))
    found = db.rows(
        f"SELECT test_key FROM {PREPARED}.tests WHERE source = 'exunit' AND test_group IN {groups}",
        params,
    )
    return {int(key, 16) for (key,) in found}


def copy_prepared(db: Db, left_out: Collection[int], *, into_empty: bool) -> None:
    """The prepared tests (attached as `PREPARED`) the store's `tests` does not hold yet,
    added, but those `left_out` (failed in the run, or invalid). `into_empty`: `tests` holds
    no row, and the table is copied whole (SQLite's transfer, without decoding a record)."""
    present: set[int] = set()
    if not into_empty:  # a key left out that `tests` holds already stays
        for batch in chunked(sorted(left_out)):
            keys, params = in_list("k", [hex_key(n) for n in batch])
            found = db.rows(f"SELECT test_key FROM tests WHERE test_key IN {keys}", params)
            present.update(int(key, 16) for (key,) in found)
    db.run(f"INSERT {'' if into_empty else 'OR IGNORE '}INTO tests SELECT * FROM {PREPARED}.tests")
    for batch in chunked(sorted(set(left_out) - present)):
        keys, params = in_list("k", [hex_key(n) for n in batch])
        db.run(f"DELETE FROM tests WHERE test_key IN {keys}", params)
