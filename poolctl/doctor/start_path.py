"""An error a server logs as it starts, and then serves on, naming a path on its command line
that is not there: mcp-server-tree-sitter 0.7.0 given `--config /nope/c.yaml` logs `Config file
does not exist: /nope/c.yaml` at rich's ERROR level, wrapped in columns, and answers as if it had
been given no configuration. The path is the fix, not 'read what it says'."""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.diagnose.missing_path import MissingPath, missing_path
from poolctl.model import Evidence
from poolctl.rich_records import rich_records
from poolctl.worker_types import WorkerSpec


@dataclass(frozen=True)
class StartPath:
    said: str  # the error, whole (a rich record's wrapped lines joined)
    absent: MissingPath

    def why(self) -> str:
        return f": it says `{self.said}`{self.absent.why()}, and serves on without it"

    def evidence(self, origin: str) -> list[Evidence]:
        note = "the error it logged as it started, its wrapped lines joined"
        return [Evidence(self.said, origin, note), self.absent.evidence()]


def absent_at_start(stderr: str, errors: list[str], spec: WorkerSpec) -> StartPath | None:
    """The first error (a rich record at ERROR or CRITICAL, or one of the `errors` lines)
    naming a path of `spec`'s command line that is not there; None when none does."""
    records = [said for level, said in rich_records(stderr) if level in ("ERROR", "CRITICAL")]
    for said in [*records, *(line.strip() for line in errors)]:
        if (absent := missing_path(said, spec)) is not None:
            return StartPath(said, absent)
    return None
