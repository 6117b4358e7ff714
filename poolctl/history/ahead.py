"""The history's own reading of a triage's inputs, done beside the triage in a forked process.

Recording a triaged run reads its inputs again: their sha256 (the same log triaged again is not
another run) and the tests that passed, each with its key (`packed.key_number`). On a 200 MB
`pytest -vv` log that is 200,000 passes and about 0.8 s of CPU after the triage's own 1.9 s, on
one core while the machine's second one idles. `HistoryAhead` forks, before the triage reads,
a process that does this reading on the other core and writes what it found to an unlinked
temporary file, in pickled batches: the passes of a run are never all held at once, and
plain tuples load in a tenth of the time named tuples take. For a SQLite store that holds no
test yet (a suite's first run) it makes the rows of the tests instead (`new_tests`), which
the recording copies into the store without reading a pass; for one that holds tests, it leaves
out the passes of the tests its last run passed (their names are in the store: a suite run again
sends none, `record.RunPasses.left_out`).

What it read is used only when it read what the recording would read: the same inputs, in the
same order, as the same formats (it guesses each input's format as the triage detects it; a
log of two runners, an archive or standard input is read again after the triage, as before).
It is only started when there are two CPUs to run on, the inputs are files large enough for
the fork to pay (`MIN_BYTES`), and no other thread runs (a fork copies no thread, and a lock
another one held would stay held in the child).

The process is a `poolctl.forked.Forked`: it never outlives the triage, and nothing of the
parent's (its atexit handlers, its buffers, its run folder's clean-up) runs in it.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, BinaryIO

from poolctl.forked import Forked, can_fork, files_size
from poolctl.history.new_tests import (
    Prepared,
    last_passes,
    stored_redactor,
    worth_preparing,
    write_prepared,
)
from poolctl.history.packed import key_number, pack, unpack
from poolctl.redact import Redactor, Secrets

# below this many bytes of input the triage's own re-reading costs less than a fork
MIN_BYTES = 16 * 1024 * 1024
BATCH = 25_000  # passes a pickled batch
KEY_BATCH = 10_000  # passes keyed, and looked for among the last run's, at a time

# a passed test: (source, name, group, file), a `PassedTest` or its fields as a plain tuple
Test = tuple[str, str, str, str]
# a pass as the recording takes it: with its key (`packed.key_number`)
KeyedPass = tuple[int, Test]


def keyed(passes: Iterable[Test]) -> Iterator[KeyedPass]:
    """Each pass with its key (the recording's own reading: no child read them)."""
    number_of = key_number
    for test in passes:
        _, name, group, file = test
        yield number_of(name, group, file), test


class PytestKeys:
    """The keys of pytest node ids, as `key_number` keys the tests `pytest_fields` names them:
    the bytes hashed before a test's own part (its file, its group, its classes) made once per
    group (a suite's 200,000 tests share a few hundred), and no test's fields made but those of
    the tests sent (the forked reading of a 200 MB `pytest -vv` log: 7% less CPU)."""

    def __init__(self) -> None:
        self.heads: dict[str, bytes] = {}  # a node id's group: what is hashed before its own part

    def numbers(self, nodeids: Iterable[str]) -> list[int]:
        """The key number of each of `nodeids`, in order (a list: the `int`s looked up in a set
        next, which an array would make again, 0.05 s for 200,000)."""
        heads, sha, number = self.heads, hashlib.sha256, int.from_bytes
        found: list[int] = []
        add = found.append
        for nodeid in nodeids:
            # its group: the node id before its last `::` outside the parameters' brackets
            bracket = nodeid.find("[")
            cut = nodeid.rfind("::", 0, bracket) if bracket >= 0 else nodeid.rfind("::")
            group, own = (nodeid[:cut], nodeid[cut + 2 :]) if cut >= 0 else ("", nodeid)
            head = heads.get(group)
            if head is None:
                head = heads[group] = self._head(nodeid, own)
            add(number(sha(head + own.encode("utf-8", "surrogatepass")).digest()[:8]))
        return found

    @staticmethod
    def _head(nodeid: str, own: str) -> bytes:
        """What `key_number` hashes of the test `nodeid` names before its `own` part: its name
        ends with that part, after its classes (`Class.`)."""
        from poolctl.logs.passes import pytest_fields

        _, name, group, file = pytest_fields(nodeid)
        return f"{file}\0{group}\0{name[: len(name) - len(own)]}".encode("utf-8", "surrogatepass")


def _keyed_batches(
    stream: BinaryIO, fmt: str
) -> Iterator[tuple[list[int], list[Any], Callable[[Any], Test]]]:
    """One input's passes, `KEY_BATCH` at a time: their keys, what names each (a pytest node
    id, else its test) and what makes its test of that (the readers imported in the forked
    process, not before the fork in poolctl's)."""
    from poolctl.logs.passes import iter_pass_fields, iter_pytest_nodeids, pytest_fields

    if fmt == "pytest":
        nodeids, keys = iter_pytest_nodeids(stream), PytestKeys()
        while named := list(islice(nodeids, KEY_BATCH)):
            yield keys.numbers(named), named, pytest_fields
        return
    tests = iter_pass_fields(stream, fmt)
    while batch := list(islice(tests, KEY_BATCH)):
        yield [key_number(t[1], t[2], t[3]) for t in batch], batch, _as_is


def _as_is(test: Test) -> Test:
    return test


def worth_it(paths: Sequence[str]) -> bool:
    """Whether to read ahead: another CPU, files only, large enough."""
    if not can_fork():
        return False
    size = files_size(paths)
    return size is not None and size >= MIN_BYTES


def _guess(path: str, fmt: str) -> str | None:
    """The format the triage will read `path` as: the one named, else the one detected; None
    for what the child leaves to the recording (an archive, an undecided head)."""
    from poolctl.logs import _head
    from poolctl.logs.archive import is_zip
    from poolctl.logs.unpack import readable_input

    with open(path, "rb") as stream:
        if is_zip(stream):
            return None
        unpacked = readable_input(stream, path)[0]
        detected = _head(unpacked)[1]
    return detected if fmt == "auto" else fmt


@dataclass(frozen=True)
class Preparing:
    """A suite's first run's `tests` rows, made beside the triage (`new_tests`) when `store`
    holds no test: into `file`, redacted with `redactor`."""

    store: Path
    file: Path
    redactor: Redactor


def _read(
    paths: Sequence[str],
    fmt: str,
    out: IO[bytes],
    preparing: Preparing | None = None,
    store: Path | None = None,
) -> None:
    """The child's work: the inputs' formats and digest, then their passes, keyed, in batches;
    with `preparing`, the rows of a first run's tests; with the SQLite `store`, the passes of
    the tests its last run passed are left out of the batches."""
    from poolctl.history.recorder import _hash_into, _unpacked

    if preparing is not None and not worth_preparing(preparing.store):
        preparing = None  # the recording looks the passes up in the store
    formats: dict[str, str] = {}
    for path in paths:
        guessed = _guess(path, fmt)
        if guessed is None:
            raise LookupError(path)  # the recording reads the inputs itself
        formats.setdefault(path, guessed)
    # the store's last run's tests: their names are in `tests` already, and a suite run again
    # names them all (200,000 passes pickled and written took 0.16 s). Not for ExUnit, whose
    # tests a failed setup_all leaves out by their module's name
    last = b""
    if store is not None and preparing is None and "exunit" not in formats.values():
        last = last_passes(store)
    known = set(unpack(last))
    digest = hashlib.sha256()
    for name in formats:
        with open(name, "rb") as stream:
            _hash_into(digest, stream)
        digest.update(b"\0")
    pickle.dump((list(formats.items()), digest.hexdigest()), out, pickle.HIGHEST_PROTOCOL)
    batch: list[KeyedPass] = []
    sent = False  # a pass the store's last run did not have
    keys = array.array("Q")
    first: dict[int, Test] = {}  # preparing: each test as first read, the one recorded
    add_first = first.setdefault
    for name, guessed in formats.items():
        with open(name, "rb") as stream:
            # plain tuples: a named tuple is unpickled by calling its class, 5x slower
            for numbers, named, test_of in _keyed_batches(_unpacked(stream, name), guessed):
                keys.extend(numbers)
                if preparing is not None:  # the passes are the prepared rows, not pickled
                    for number, item in zip(numbers, named, strict=True):
                        add_first(number, test_of(item))
                    continue
                if known.issuperset(numbers):  # a suite run again: no test named
                    continue
                for number, item in zip(numbers, named, strict=True):
                    if number not in known:
                        batch.append((number, test_of(item)))
                if len(batch) >= BATCH:
                    pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
                    batch, sent = [], True
    sent = sent or bool(batch)
    pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out, pickle.HIGHEST_PROTOCOL)  # the end of the passes
    packed = None
    if preparing is not None:
        packed = write_prepared(preparing.file, first, preparing.redactor)
    # the distinct keys, sorted and packed as a run's passes are stored (`packed.pack`; the
    # prepared rows' are those; the last run's when the same tests passed, not sorted again):
    # the recording compares them with the last run's as bytes
    distinct = packed
    if distinct is None:
        count = len(known)
        known.clear()  # (14 MB for 200,000 keys: not held with another set of them)
        passed = set(keys)
        same = count and not sent and len(passed) == count
        distinct = last if same else pack(passed)
    # every pass's key, found from the file's end (its offset in the last 8 bytes): a run of a
    # suite the store knows whole needs no test's name, and its passes are then not loaded;
    # the tests' keys packed when their rows were prepared; the distinct keys packed; and the
    # last run's keys whose passes were left out
    at = out.tell()
    pickle.dump((keys.tobytes(), packed, distinct, last), out, pickle.HIGHEST_PROTOCOL)
    out.write(at.to_bytes(8, "big"))


def _scratch_prefix(pid: int | str) -> str:
    return f"poolctl-tests-{pid}-"


def remove_stale_scratch() -> None:
    """Remove the scratch files of tests' rows (`Preparing.file`) that a poolctl killed with
    SIGKILL left in the temporary folder (about 21 MB for 200,000 tests): those whose process,
    named in the file's name, is gone. One whose pid was taken again stays until that process
    ends too; another triage's, running, is left alone."""
    folder = Path(tempfile.gettempdir())
    try:
        found = list(folder.glob(f"{_scratch_prefix('*')}*.sqlite"))
    except OSError:
        return
    for path in found:
        pid = path.name.removeprefix("poolctl-tests-").split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


class HistoryAhead:
    """A forked reading of the inputs (see the module's docstring): `start`, then `result`
    once the triage is done, and `stop` in any case."""

    def __init__(self) -> None:
        self.forked = Forked()
        self.file: IO[bytes] | None = None
        self.formats: list[tuple[str, str]] = []
        self.digest: str | None = None
        self.keys = array.array("Q")  # every pass's key, in the order read
        self.distinct = b""  # the distinct keys, sorted and packed (`packed.pack`)
        self.left_out = b""  # the store's last run's keys, whose passes `passes` leaves out
        self.preparing: Preparing | None = None
        self.prepared: Prepared | None = None  # the tests' rows, once made

    def start(
        self,
        paths: Sequence[str],
        fmt: str,
        store: Path | None = None,
        secrets: Secrets | None = None,
    ) -> None:
        """Fork the reading of `paths`; with the SQLite `store` (and the run's `secrets`, which
        redact what is stored), the rows of its tests too if it holds none yet."""
        if not worth_it(paths):
            return
        if store is not None and secrets is not None:
            remove_stale_scratch()
            try:
                handle, name = tempfile.mkstemp(
                    prefix=_scratch_prefix(os.getpid()), suffix=".sqlite"
                )
            except OSError:  # no room for it: the recording makes the rows itself
                pass
            else:
                os.close(handle)
                self.preparing = Preparing(store, Path(name), stored_redactor(secrets))
        preparing = self.preparing
        self.forked.start(lambda out: _read(paths, fmt, out, preparing, store))

    def prepared_for(self, secrets: Secrets) -> Prepared | None:
        """The prepared rows, if they were made, redacted as `secrets` redact now (a secret
        learnt since the fork: the recording makes them itself), and their file is still there
        (one a clean-up of the temporary folder removed would be attached as a new, empty
        database, and the run not recorded)."""
        if self.prepared is None or self.preparing is None:
            return None
        now, then = stored_redactor(secrets), self.preparing.redactor
        if (now.enabled, now.named) != (then.enabled, then.named):
            return None
        try:
            return self.prepared if self.prepared.file.stat().st_size else None
        except OSError:
            return None

    def result(self) -> bool:
        """Wait for the child; whether it read everything (its formats and digest kept)."""
        self.file = self.forked.wait()
        if self.file is None:
            return False
        try:
            formats, self.digest = pickle.load(self.file)
            passes_at = self.file.tell()
            self.file.seek(-8, os.SEEK_END)
            self.file.seek(int.from_bytes(self.file.read(8), "big"))
            keys = array.array("Q")
            every, packed, distinct, left_out = pickle.load(self.file)
            keys.frombytes(every)
        except (EOFError, OSError, ValueError, TypeError, pickle.UnpicklingError):
            return False
        self.keys, self.distinct, self.left_out = keys, distinct, left_out
        if packed is not None and self.preparing is not None:
            self.prepared = Prepared(self.preparing.file, packed)
        self.file.seek(passes_at)
        self.formats = [tuple(item) for item in formats]
        return True

    def passes(self) -> Iterator[KeyedPass]:
        """The passes the child read, keyed, a batch at a time."""
        assert self.file is not None
        while (batch := pickle.load(self.file)) is not None:
            yield from batch

    def stop(self) -> None:
        """Kill the child if it still runs, reap it, drop its files."""
        self.file = None
        self.forked.stop()
        self.prepared = None
        if self.preparing is not None:
            self.preparing.file.unlink(missing_ok=True)
            self.preparing = None


def matches(ahead: HistoryAhead, formats: Mapping[str, str]) -> bool:
    """Whether the child read what the recording reads: the same inputs as the same formats."""
    return ahead.formats == list(formats.items())


__all__ = ["HistoryAhead", "KeyedPass", "Test", "keyed", "matches", "worth_it"]
