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


def null_for_unopened(
    command: str, present: list[str], args: dict[str, Any], opened: frozenset[str]
) -> str:
    """Why a language server's answer holds no result (`null`: no key under `result`) for a
    request about a document, a file that is there, no `notify` step opened ("" otherwise).
    vtsls 0.3.0 answers textDocument/hover and documentSymbol on such a TypeScript file with
    `result: null`; with a didOpen first it answers both (tried here)."""
    document = args.get("textDocument")
    uri = document.get("uri") if isinstance(document, dict) else None
    if "result" not in present or any(p.startswith("result.") for p in present):
        return ""
    if not isinstance(uri, str) or "{" in uri or uri in opened:
        return ""
    if unopened_uri(uri, args) is None:  # not a file that is there
        return ""
    return (
        f"the server answered {command} with no result (null) on {uri}, a file that is there, "
        "which no textDocument/didOpen opened: a language server answers on the documents its "
        "client opened, not on disk (that it answers once the document is opened is untested "
        f"in this run). Open it in a step before the request (every worker is sent it): "
        f"{notify_step(uri)}"
    )
