"""What a command does with history: record each report it makes, tell each finding whether it
is new, known or flaky, and never lose the report to a history problem.

A command makes one `HistoryRecorder` from `--history`/`--no-history`, passes each report
through `record` before saving it, and calls `finish` once the reports are out: a store that
could not be used, or a `--history`/`POOLCTL_HISTORY` value that names none, is then one error
line and exit 2, after the report was printed. The store
(and SQLAlchemy) is only opened, and imported, when the first report is recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from poolctl.errors import PoolctlError
from poolctl.history.errors import HistoryError
from poolctl.history.location import Location, resolve
from poolctl.model import Report, TriageDetails
from poolctl.redact import Secrets

if TYPE_CHECKING:
    from poolctl.history.ahead import HistoryAhead
    from poolctl.history.record import RunPasses
    from poolctl.history.store import HistoryStore
    from poolctl.logs.passes import PassedTest
    from poolctl.logs.stdin_copy import StdinCopy

# The log readers are imported where a triage's inputs are read again: ping, doctor and
# run-scenario record their reports without them.


def _hash_into(digest: Any, stream: IO[bytes]) -> None:
    while chunk := stream.read(1 << 20):
        digest.update(chunk)


def _unpacked(stream: BinaryIO, name: str) -> BinaryIO:
    """The input as the triage read it: decompressed, in UTF-8."""
    from poolctl.logs.unpack import readable_input

    return readable_input(stream, name)[0]


class HistoryRecorder:
    """Records a command's reports in the history store (see the module's docstring)."""

    def __init__(
        self, url: str | None = None, *, enabled: bool = True, secrets: Secrets | None = None
    ) -> None:
        self.enabled = enabled
        self.secrets = secrets if secrets is not None else Secrets()
        self.location: Location | None = None
        self.problem: PoolctlError | None = None
        if enabled:
            try:
                self.location = resolve(url)
            except PoolctlError as exc:  # a bad URL: said by `finish`, after the report
                self.problem = exc
            else:  # the run's outputs never show the store's password either
                self.secrets.remember(self.location.secrets)
        self.started = time.monotonic()
        self._store: Any = None
        self.stdin_copy: StdinCopy | None = None  # a triage's copy of standard input
        self._ahead: HistoryAhead | None = None

    @contextlib.contextmanager
    def reading_ahead(self, paths: Sequence[str], fmt: str, *, forks: bool) -> Iterator[None]:
        """While a triage of `paths` runs, its inputs are read for the history beside it, on
        another CPU (`poolctl.history.ahead`; when it pays, and `forks`: poolctl the program);
        that process ends with the block."""
        if not forks or not self.enabled or self.problem is not None:
            yield
            return
        from poolctl.history.ahead import HistoryAhead

        self._ahead = ahead = HistoryAhead()
        try:
            store = self.location.sqlite_path if self.location is not None else None
            ahead.start(paths, fmt, store, self.secrets)
            yield
        finally:
            self._ahead = None
            ahead.stop()

    def _inputs(self, report: Report, store: HistoryStore) -> tuple[RunPasses, str | None]:
        """The passes of a triage's inputs (`record.RunPasses`) and their digest: as read
        beside the triage when that process read the same inputs as the same formats, else
        read now. Rows made there (a suite's first run) stand for the passes, when the store
        records with `sqlite3` (attaching them) and the run redacts as it did then."""
        from poolctl.history.ahead import keyed, matches
        from poolctl.history.record import RunPasses

        ahead, details = self._ahead, report.details
        if (
            ahead is not None
            and isinstance(details, TriageDetails)
            and ahead.result()
            and matches(ahead, details.formats)
        ):
            if ahead.prepared is None:
                passes = RunPasses(
                    ahead.passes(),
                    ahead.keys,
                    ahead.distinct,
                    left_out=ahead.left_out,
                    again=lambda: keyed(self._passes(report)),
                )
                return passes, ahead.digest
            prepared = ahead.prepared_for(self.secrets)
            if prepared is not None and store.records_with_sqlite3:
                return RunPasses((), ahead.keys, ahead.distinct, prepared), ahead.digest
        return RunPasses(keyed(self._passes(report))), self._digest(report)

    def _stdin(self) -> BinaryIO | None:
        """Standard input as the triage read it, from its start (None: no whole copy)."""
        return self.stdin_copy.whole() if self.stdin_copy is not None else None

    def _passes(self, report: Report) -> Iterator[PassedTest]:
        """The passing tests of a triaged report's inputs (read again, lightly, as they are
        recorded: never all held at once)."""
        details = report.details
        if not isinstance(details, TriageDetails):
            return
        from poolctl.logs.archive import open_input
        from poolctl.logs.passes import iter_passes
        from poolctl.logs.records import STDIN_NAME

        for name, formats in details.formats.items():
            for fmt in formats.split("+"):  # `exunit+pytest`: a log of two runners, read twice
                try:
                    if name == STDIN_NAME:
                        if (copy := self._stdin()) is not None:
                            yield from iter_passes(_unpacked(copy, name), fmt)
                        continue
                    with open_input(name) as stream:  # a file, or a member of a zip archive
                        yield from iter_passes(_unpacked(stream, name), fmt)
                except OSError:
                    continue  # the triage read it a moment ago; what it found is recorded

    def _digest(self, report: Report) -> str | None:
        """sha256 of a triage's inputs, their bytes in order (None for another report, or an
        input that cannot be read again): the same log triaged again is not another run."""
        details = report.details
        if not isinstance(details, TriageDetails) or not details.formats:
            return None
        from poolctl.logs.archive import open_input
        from poolctl.logs.records import STDIN_NAME

        digest = hashlib.sha256()
        for name in details.formats:
            try:
                if name == STDIN_NAME:
                    if (copy := self._stdin()) is None:
                        return None
                    _hash_into(digest, copy)
                    continue
                with open_input(name) as stream:
                    _hash_into(digest, stream)
            except OSError:
                return None
            digest.update(b"\0")  # two logs are not one log of their bytes joined
        return digest.hexdigest()

    def _open(self) -> Any:
        if self._store is None:
            from poolctl.history.store import HistoryStore

            assert self.location is not None
            self._store = HistoryStore(self.location).open()
        return self._store

    def record(self, report: Report) -> Report:
        """`report` recorded as one run, its findings with their `history`; unchanged when
        history is off, or when the store cannot be used (the problem is kept for `finish`).
        An interrupted run is not recorded: its outcomes are partial, and the moment poolctl
        has left after a signal is for saving the run's own report, not for opening a store."""
        if not self.enabled or self.problem is not None or report.interrupted:
            return report
        from poolctl.history.flaky import window_from_env
        from poolctl.history.record import record
        from poolctl.history.runmeta import run_meta

        try:
            window = window_from_env()
            store = self._open()
            seconds = time.monotonic() - self.started
            passes, digest = self._inputs(report, store)
            return record(
                store,
                report,
                run_meta(),
                secrets=self.secrets,
                passes=passes,
                window=window,
                seconds=seconds,
                digest=digest,
            )
        except PoolctlError as exc:
            self.problem = exc
            return report

    def finish(self) -> None:
        """Close the store; a history problem is raised now, after the report is out."""
        if self._store is not None:
            self._store.close()
            self._store = None
        if self.problem is not None:
            problem, self.problem = self.problem, None
            raise problem


__all__ = ["HistoryError", "HistoryRecorder"]
