"""A language server refusing a request as a method it does not know (-32601), where its answer
to initialize declared no capability for it: stylelint-lsp 1.2.4 answers textDocument/hover with
`Unhandled method textDocument/hover` and declares no hoverProvider. An editor asks a server
only what it declared; the request was read as a rejection that named no missing field."""

from __future__ import annotations

import re
from typing import Any

# the capability each request needs, where its name is not the method's last word + Provider
_NAMED = {
    "textDocument/formatting": "documentFormattingProvider",
    "textDocument/rangeFormatting": "documentRangeFormattingProvider",
    "textDocument/onTypeFormatting": "documentOnTypeFormattingProvider",
    "textDocument/documentSymbol": "documentSymbolProvider",
    "workspace/symbol": "workspaceSymbolProvider",
    "workspace/executeCommand": "executeCommandProvider",
}
# an error reply's words as poolctl gives them: `Unhandled method textDocument/hover (code -32601)`
_UNKNOWN_METHOD = re.compile(r"\(code -32601\)$")


def capability_of(method: str) -> str | None:
    """The server capability `method` needs (`hoverProvider`), or None for one no capability
    gates (or a method of another namespace)."""
    if method in _NAMED:
        return _NAMED[method]
    family, _, name = method.partition("/")
    if family != "textDocument" or not name or "/" in name or name.startswith("did"):
        return (
            "semanticTokensProvider" if method.startswith("textDocument/semanticTokens") else None
        )
    return f"{name}Provider"


def undeclared(method: str, error: str, init_result: Any) -> str:
    """What a refusal of `method` as unknown (`error`, ending in `(code -32601)`) adds when the
    server's initialize answer (`init_result`) declared no capability for it ("" otherwise)."""
    capabilities = init_result.get("capabilities") if isinstance(init_result, dict) else None
    needed = capability_of(method)
    if not _UNKNOWN_METHOD.search(error) or needed is None or not isinstance(capabilities, dict):
        return ""
    if capabilities.get(needed) not in (None, False):
        return ""
    declared = ", ".join(sorted(capabilities)) or "none"
    return (
        f"; its answer to initialize declared no {needed} (its capabilities: {declared}): it "
        f"does not serve {method}, and an editor would not ask it"
    )
