"""How a scenario's classifier quotes the trace, and names fields, in what it reports."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from poolctl.events import Event
from poolctl.model import Evidence
from poolctl.triage.facts import nearest_key


def quote_event(event: Event) -> Evidence:
    """An event as evidence: its type and fields, cited by sequence number."""
    fields: dict[str, Any] = {
        "worker": event.worker,
        "caller": event.caller,
        "session": event.session,
    }
    fields.update(event.data)
    shown = ", ".join(
        f"{k}={round(v, 3) if isinstance(v, float) else v!r}"
        for k, v in fields.items()
        if v is not None and v != []
    )
    return Evidence(f"{event.type}: {shown}", event.ref)


def snake(name: str) -> str:
    """`Program ID` -> `program_id`."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def nearest(missing: str, present: Iterable[str]) -> str | None:
    """The present field most like `missing`, among its siblings first."""
    parent, _, leaf = missing.rpartition(".")
    present = list(present)
    siblings = [p for p in present if p.rpartition(".")[0] == parent]
    for candidates in (siblings, present):
        leaves = {p.rpartition(".")[2]: p for p in candidates}
        found = nearest_key(leaf, leaves)
        if found is not None:
            return leaves[found]
    return None
