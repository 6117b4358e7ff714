"""A Node server that checks its settings with zod as it starts and exits on the issues, logged
as the JSON array zod's error message is: @elastic/mcp-server-elasticsearch 0.3.1 with no ES_URL
logs `Server error: [` and, over the next lines, `{"code": "too_small", …, "message":
"Elasticsearch URL cannot be empty", "path": ["url"]}` and `Invalid Elasticsearch URL format`,
then exits with code 1. No line of it reads as an exception or a logged error; the issues say
which setting was refused and why, though not where the server reads it from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from poolctl.model import Evidence

# the line that opens the array, and what the server logged before it on that line
_OPENS = re.compile(r"^(?P<said>[^\n\[{]*?)[ \t]*(?P<open>\[)[ \t]*$", re.M)


@dataclass(frozen=True)
class ZodIssues:
    said: str  # what the line opening the array says before it, `Server error:`
    issues: tuple[str, ...]  # `url`: its message

    def why(self) -> str:
        opened = f"after logging `{self.said}` with" if self.said else "after logging"
        return f", {opened} the issues its check of its settings found (zod's): " + "; ".join(
            self.issues
        )

    def fix(self) -> str:
        return (
            f"Give it the settings its check refused ({self.issues[0]}): its words do not say "
            "where it reads them from (an environment variable, an option, a file): its README "
            "says which."
        )

    def evidence(self, origin: str) -> Evidence:
        return Evidence("\n".join(self.issues), origin, "the issues its check logged")


def zod_issues(stderr: str) -> ZodIssues | None:
    """The last array of zod issues logged on `stderr`, or None."""
    found = None
    for opens in _OPENS.finditer(stderr):
        try:
            array, _ = json.JSONDecoder().raw_decode(stderr, opens.start("open"))
        except ValueError:
            continue
        issues = [_issue(i) for i in array] if isinstance(array, list) and array else [None]
        if all(issues):
            found = ZodIssues(opens["said"].strip(), tuple(i for i in issues if i))
    return found


def _issue(issue: object) -> str | None:
    """`path`: message, for an issue of zod's shape; None for anything else."""
    if not isinstance(issue, dict) or not {"code", "message", "path"} <= issue.keys():
        return None
    path = ".".join(str(p) for p in issue["path"]) if isinstance(issue["path"], list) else ""
    return f"`{path or '(the whole)'}`: {issue['message']}"
