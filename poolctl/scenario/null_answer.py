"""A language server's answer that holds no result on a document a `notify` step opened and no
error it showed explains: LSP's `null`, nothing to give at that place (the Docker Compose
language server's hover on a service's `image:` key; the CSS language server's on an empty
line). A step expecting result.contents was read as pattern 4, a key the setup gives under
another name, and told to rename one side: there is no key to rename."""

from __future__ import annotations

from typing import Any


def null_answer(command: str, present: list[str], args: dict[str, Any]) -> str:
    """Why an answer to a request about a document holds no result ("" when it holds one, or
    the request names no document)."""
    document = args.get("textDocument")
    uri = document.get("uri") if isinstance(document, dict) else None
    if not isinstance(uri, str) or "result" not in present:
        return ""
    if any(p.startswith("result.") for p in present):
        return ""
    position = args.get("position")
    at = ""
    if isinstance(position, dict):
        at = f" at line {position.get('line')}, character {position.get('character')}"
    return (
        f"the server answered {command} on {uri}{at} with no result (null, or one holding no "
        "key): LSP's answer where it has nothing to give there, not a key under another name. "
        "Ask where the document holds what the request is about (positions count from 0), or "
        "expect no result there"
    )
