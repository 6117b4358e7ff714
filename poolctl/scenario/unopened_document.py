"""A language server's rejection that names the document a request is about, a file that is
there, which no `notify` step opened with textDocument/didOpen (`poolctl.unopened` tells it
apart; ping's verdict says the same)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poolctl.scenario.schema import NotifyStep, filled_values
from poolctl.unopened import notify_step, unopened_uri


def unopened_document(error: str, args: dict[str, Any], opened: frozenset[str]) -> str:
    """What a scenario's finding adds when the error names a document no `notify` step opened
    ("" otherwise)."""
    uri = unopened_uri(error, args, opened)
    if uri is None:
        return ""
    return (
        f"; it names the document the request is about ({uri}), a file that is there, and no "
        "textDocument/didOpen opened it: the server looks a document up among those its "
        "client opened, not on disk. Open it in a step before the request (every worker is "
        f"sent it): {notify_step(uri)}"
    )


def opened_documents(steps: list[tuple[str, Any]], base: Path) -> frozenset[str]:
    """The URIs a scenario's `notify` steps open (textDocument/didOpen), `{scenario_dir}`
    filled in as the run fills it."""
    uris = set()
    for _, step in steps:
        if isinstance(step, NotifyStep) and step.method == "textDocument/didOpen":
            params = filled_values(step.params, base)
            document = params.get("textDocument") if isinstance(params, dict) else None
            if isinstance(document, dict) and isinstance(document.get("uri"), str):
                uris.add(document["uri"])
    return frozenset(uris)
