"""A tool's answer, not marked isError, whose text says that a path its call gave does not exist:
office-word-mcp-server 1.1.11 answers get_document_text of `/nonexistent/x.docx` with `Document
/nonexistent/x.docx does not exist` and `isError: false`, which reads as the document's text. The
path is looked up here, as evidence that the text is the error it says."""

from __future__ import annotations

import os
import re
from typing import Any

from poolctl.diagnose.missing_path import missing_path
from poolctl.worker_types import WorkerSpec

_MISSING = re.compile(r"(?i)\b(?:does not exist|doesn't exist|not found|no such file)\b")


def missing_path_text(method: str, args: dict[str, Any] | None, result: Any) -> str:
    """The note for a tools/call answer whose text names an argument's path as missing, that
    path not there; "" otherwise."""
    if method != "tools/call" or not isinstance(result, dict) or result.get("isError"):
        return ""
    given = args.get("arguments") if isinstance(args, dict) else None
    content = result.get("content")
    if not isinstance(given, dict) or not isinstance(content, list):
        return ""
    texts = [i.get("text") for i in content if isinstance(i, dict)]
    for text in (t.strip() for t in texts if isinstance(t, str) and len(t) < 300):
        if not _MISSING.search(text):
            continue
        for name, value in given.items():
            if not isinstance(value, str) or value not in text:
                continue
            path = os.path.expanduser(value)  # absolute: a relative one is the server's to resolve
            if os.path.isabs(path) and not os.path.exists(path):
                return (
                    f"; its text says `{text}`, though its isError is false: a client takes it for "
                    f"the tool's result; its `{name}`, {value}, does not exist here"
                )
    return ""


def command_path_text(said: str, spec: WorkerSpec) -> str:
    """The note for a request's error that names a path of the server's command line as not
    there, that path not there (mcp-server-motherduck's `--db-path`: `Cannot open database
    "/x.duckdb" in read-only mode: database does not exist`); "" otherwise."""
    absent = missing_path(said, spec)
    if absent is None or absent.relative:  # a relative one is the server's folder to resolve
        return ""
    what = f"`{absent.option}`" if absent.option else "it"
    return (
        f"; `{absent.given()}` on its command line names a path that does not exist: give "
        f"{what} a path that exists"
    )
