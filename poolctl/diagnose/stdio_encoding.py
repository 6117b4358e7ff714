"""A Python worker whose interpreter could not start: `PYTHONIOENCODING` in its environment
names no codec (`PYTHONIOENCODING=bogus`: CPython stops in `init_stdio_encoding`, printing
'Fatal Python error: init_stdio_encoding: …' and 'LookupError: unknown encoding: bogus', before
any code of the worker runs, so no fix in its code helps)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

_FATAL = re.compile(r"^Fatal Python error: init_stdio_encoding: .*$", re.M)
_UNKNOWN = re.compile(r"^LookupError: unknown encoding: (?P<name>.*)$", re.M)


@dataclass(frozen=True)
class StdioEncoding:
    """The value of `PYTHONIOENCODING` the worker was given, which its interpreter refused."""

    value: str

    def why(self) -> str:
        return (
            f"its interpreter stopped as it started, before any of its code ran: "
            f"PYTHONIOENCODING={self.value} in its environment names no codec Python knows"
        )

    def fix(self) -> str:
        return (
            "Give the worker a PYTHONIOENCODING Python knows (`--env PYTHONIOENCODING=utf-8`, "
            "a scenario's `worker.env`) or none (`--unset-env PYTHONIOENCODING`, "
            "`worker.unset_env`)."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"PYTHONIOENCODING={self.value}",
            "the worker's environment",
            "what its interpreter takes its stdin, stdout and stderr encoding from",
        )


def stdio_encoding(stderr: str, spec: WorkerSpec) -> StdioEncoding | None:
    """The refused `PYTHONIOENCODING`, when the interpreter's start failed on it."""
    unknown = _UNKNOWN.search(stderr)
    if _FATAL.search(stderr) is None or unknown is None:
        return None
    value = spec.environment().get("PYTHONIOENCODING")
    # ("ENCODING[:ERRORS]": the codec is the part it could not find)
    if value is None or value.split(":")[0].strip() != unknown["name"].strip():
        return None
    return StdioEncoding(value)
