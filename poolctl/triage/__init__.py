"""Triage: classify test failures against the pattern knowledge base.

`triage` is imported from the engine when it is first asked for: the package's small modules
(`poolctl.triage.normalize`, which names a finding in the run history of every command) would
otherwise bring the whole engine, its parsers and their compiled expressions, into a `ping`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from poolctl.triage.engine import triage

__all__ = ["triage"]


def __getattr__(name: str) -> Any:
    if name == "triage":
        from poolctl.triage.engine import triage

        return triage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
