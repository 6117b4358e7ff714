"""A language server's rejection that names the document a request is about, a file that is
there, which no textDocument/didOpen opened: autotools-language-server 0.1.3 answers a hover on
a configure.ac it was never sent with `KeyError: 'file:///…/configure.ac'` (-32603). It looks
a document up among those its client opened, not on disk. ping sends no didOpen; a scenario's
`notify` step does (`poolctl.scenario.unopened_document` words a scenario's finding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse


def _local_file(uri: str) -> Path | None:
    """The file a `file://` URI names, if it is one that exists."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    return path if path.is_file() else None


def unopened_uri(error: str, args: Any, opened: frozenset[str] = frozenset()) -> str | None:
    """The request's `textDocument.uri` when the error names it, a file that is there that no
    didOpen in `opened` opened (None otherwise: the error names no document, or one that is
    missing, which the missing-path reading tells)."""
    document = args.get("textDocument") if isinstance(args, dict) else None
    uri = document.get("uri") if isinstance(document, dict) else None
    if not isinstance(uri, str) or "{" in uri or uri not in error or uri in opened:
        return None
    return uri if _local_file(uri) is not None else None


def notify_step(uri: str) -> str:
    """The scenario step that opens `uri`, as the user writes it."""
    return (
        f"`- notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        "languageId: …, version: 1, text: …}}}`"
    )


def ping_unopened(error: str, args: Any) -> str:
    """What ping adds to an error reply naming a document no didOpen opened ("" otherwise)."""
    uri = unopened_uri(error, args)
    if uri is None:
        return ""
    return (
        f"it names the document the request is about ({uri}), a file that is there: the "
        "server looks a document up among those its client opened with "
        "textDocument/didOpen, not on disk, and ping sends none. Ask it in a scenario "
        f"(poolctl run-scenario) whose step before the request opens it: {notify_step(uri)}"
    )
