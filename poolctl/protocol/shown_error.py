"""The errors a language server shows its user (window/showMessage, or the
window/showMessageRequest that waits for a choice, of MessageType Error) while its handshake
goes through: an editor pops them up, and ping's ✓ or doctor's Framing ✓ alone would hide them.
elm-language-server 2.8.0 in a folder with no elm.json answers initialize after showing
`No elm.json found. Please run 'elm init' in your main directory.`"""

from __future__ import annotations

from collections.abc import Iterable

from .messages import Incoming

_SHOWN = ("window/showMessage", "window/showMessageRequest")
_ERROR = 1  # LSP's MessageType.Error
_KEPT = 3  # errors kept at most: the first say what to mend


def shown_errors(messages: Iterable[Incoming]) -> tuple[tuple[str, str], ...]:
    """The errors the server showed (its first few): each its method and its words."""
    found: list[tuple[str, str]] = []
    for message in messages:
        params = message.params if isinstance(message.params, dict) else {}
        said = params.get("message")
        if message.method not in _SHOWN or params.get("type") != _ERROR:
            continue
        if isinstance(said, str) and said.strip() and len(found) < _KEPT:
            found.append((message.method, said.strip()[:300]))
    return tuple(found)


def shown_error_note(method: str, said: str) -> str:
    return (
        f"the server showed an error, as an editor shows it to its user: {said!r} ({method}); "
        "it answered the handshake all the same, but what it reports is still to mend"
    )
