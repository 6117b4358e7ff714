"""Answers read as a success while the worker's stderr logged an error as it served them:
blender-mcp 1.30.0 with no Blender listening answers get_scene_info with `Error getting scene
info: Could not connect to Blender. Make sure the Blender addon is running.` (no `isError`) and
logs `Failed to connect to Blender: [Errno 111] Connection refused`. The run passed without a
word of it; ping's step said it. Each distinct line (its digits aside: a timestamp) is a note,
with how many answers it came with (of the first LOGGED_KEPT) and the first one's event."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier

_SHOWN = 3  # distinct lines noted; the rest counted
_DIGITS = re.compile(r"\d+")


def logged_error_notes(c: TraceClassifier) -> list[str]:
    """A note for each distinct error line logged during answers read as successes."""
    lines: dict[str, list[tuple[str, str]]] = {}
    for event in c.by_type.get("stderr_error", []):
        said = str(event.data.get("line"))
        lines.setdefault(_DIGITS.sub("#", said), []).append((said, event.ref))
    notes = [
        f"{len(seen)} answer(s) read as a success came while the worker's stderr logged an "
        f"error as it served the request: `{seen[0][0]}` (the first at {seen[0][1]}): the "
        "answer alone reads as a success; what it says may be that error"
        for seen in list(lines.values())[:_SHOWN]
    ]
    if len(lines) > _SHOWN:
        notes.append(f"… and {len(lines) - _SHOWN} other error line(s) logged during such answers")
    return notes
