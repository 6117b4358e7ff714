"""A server's `serverInfo.version` on one line. gopls reports as its version its whole build
information as JSON (`{"GoVersion":"go1.19.5","Path":"golang.org/x/tools/gopls",…,
"Version":"master"}`, 350 bytes from Debian 12's gopls): shown whole, it made ping's first line a
paragraph. A version over several lines is shown by its first. The report's JSON keeps it
whole."""

from __future__ import annotations

import json
from typing import Any

SHOWN_CHARS = 60  # a version longer than this on its one line is cut


def version_shown(version: Any) -> str:
    """`version` as a line shows it: a JSON object's `Version` (or `version`) field, else its
    first line, cut to `SHOWN_CHARS`."""
    if version is None or version == "":
        return ""
    found = version if isinstance(version, dict) else None
    text = str(version).strip()
    if found is None and text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        found = parsed if isinstance(parsed, dict) else None
    if found is not None:
        named = found.get("Version") or found.get("version")
        text = str(named).strip() if named else json.dumps(found)
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 1] + "…"
