"""The errors a language server shows its user (window/showMessage, or the
window/showMessageRequest that waits for a choice, of MessageType Error) while its handshake
goes through: an editor pops them up, and ping's ✓ alone would hide them.
elm-language-server 2.8.0 in a folder with no elm.json answers initialize after showing
`No elm.json found. Please run 'elm init' in your main directory.`"""

from __future__ import annotations

from collections.abc import Iterable

from .messages import Incoming

_SHOWN = ("window/showMessage", "window/showMessageRequest")
_ERROR = 1  # LSP's MessageType.Error
_KEPT = 3  # errors quoted at most: the first say what to mend


def shown_error_notes(messages: Iterable[Incoming]) -> list[str]:
    """One note for each error the server showed (its first few), quoting it and its method."""
    notes: list[str] = []
    for message in messages:
        params = message.params if isinstance(message.params, dict) else {}
        said = params.get("message")
        if message.method not in _SHOWN or params.get("type") != _ERROR:
            continue
        if not isinstance(said, str) or not said.strip() or len(notes) == _KEPT:
            continue
        notes.append(
            f"the server showed an error, as an editor shows it to its user: "
            f"{said.strip()[:300]!r} ({message.method}); it answered the handshake all the "
            "same, but what it reports is still to mend"
        )
    return notes
