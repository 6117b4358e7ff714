"""A language server's rejection that names the document a request is about, a file that is
there: autotools-language-server 0.1.3 answers textDocument/hover on a configure.ac it was never
sent with `KeyError: 'file:///…/configure.ac'` (-32603). It looks the document up among those
the client opened with textDocument/didOpen, and a scenario's steps send requests only."""

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


def unopened_document(error: str, args: dict[str, Any]) -> str:
    """What the finding adds when the error names the request's `textDocument.uri`, a file that
    is there ("" otherwise: the error names no document, or one that is missing, which the
    missing-path reading tells)."""
    document = args.get("textDocument")
    uri = document.get("uri") if isinstance(document, dict) else None
    if not isinstance(uri, str) or "{" in uri or uri not in error:
        return ""
    if _local_file(uri) is None:
        return ""
    return (
        f"; it names the document the request is about ({uri}), a file that is there, and no "
        "textDocument/didOpen opened it (a scenario's steps send requests only): the server "
        "looks a document up among those its client opened, not on disk. Ask it of requests "
        "that name no document (workspace/symbol), or try the request where an editor opens "
        "the file first"
    )
