"""A language server's refusal of `initialize` that names the initialization option it lacks
(`Missing initialization option typescript.tsdk`: the MDX language server, built on Volar;
``The `typescript.tsdk` init option is required``: astro-ls), and the `--init-options` that
gives it."""

from __future__ import annotations

import json
import re
from typing import Any

# `Missing initialization option typescript.tsdk`, `requires the init option 'x.y'`, the
# option before the words (astro-ls 2.17.1: ``The `typescript.tsdk` init option is required``); or
# typescript-language-server 5.3.0 with no TypeScript beside it or in its workspace: `Please
# ensure that the "typescript" dependency is installed in the workspace or that a valid
# `tsserver.path` is specified` (an option of its initializationOptions)
_ASKED_RE = re.compile(
    r"(?i)\b(?:missing|requires?|needs?)\s+(?:the\s+)?(?:initiali[sz]ation|init)\s*options?\s+"
    r"[`'\"]?(?P<path>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"
    r"|[`'\"](?P<named>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)[`'\"]\s+"
    r"(?:initiali[sz]ation|init)\s+option\s+is\s+(?:required|missing)"
    r"|\ba valid `(?P<valid>tsserver\.path)` is specified"
)
# what a value is, where a placeholder says more than VALUE
_PLACEHOLDERS = {"tsdk": "/path/to/node_modules/typescript/lib"}
_PLACEHOLDERS["tsserver.path"] = _PLACEHOLDERS["tsdk"]


def asked_option(message: str) -> str | None:
    """The dotted path of the initialization option a refusal says is missing, if it names one."""
    found = _ASKED_RE.search(message)
    return (found["path"] or found["named"] or found["valid"]) if found is not None else None


def init_option_fix(message: str, given: Any = None) -> str | None:
    """How to give the option `message` (a refusal of initialize) asks for; None when it names
    none. `given`: the initializationOptions sent, if any (then they lack it)."""
    path = asked_option(message)
    if path is None:
        return None
    keys = path.split(".")
    value: Any = _PLACEHOLDERS.get(path, _PLACEHOLDERS.get(keys[-1], "VALUE"))
    for key in reversed(keys):
        value = {key: value}
    lacking = "the initialization options given lack it" if given is not None else "none were sent"
    return (
        f"Give the server the initialization option it asks for, {path} ({lacking}): "
        f"`--init-options '{json.dumps(value)}'` on ping and doctor, `init_options` under a "
        "scenario's worker"
    )


# a server that reads its initializationOptions without checking that any were sent: Node's
# `Cannot read properties of undefined (reading 'sessionToken')` (@actions/languageserver
# 0.3.61 reads `params.initializationOptions.sessionToken`), its older `Cannot read property
# 'x' of undefined`, Python's `'NoneType' object has no attribute 'x'` / `is not subscriptable`
_READ_OF_NOTHING = re.compile(
    r"Cannot read propert(?:y|ies) (?:of (?:undefined|null) \(reading '(?P<node>[^']+)'\)"
    r"|'(?P<old>[^']+)' of (?:undefined|null))"
    r"|'NoneType' object (?:has no attribute '(?P<py>[^']+)'|is not subscriptable)"
)


def read_of_nothing(message: str, given: Any) -> str | None:
    """The error's words when `message` (a refusal of initialize) reads a property of nothing
    and no initializationOptions were sent (`given` None): it may have read them unchecked."""
    found = _READ_OF_NOTHING.search(message) if given is None else None
    return found[0] if found is not None else None


def unchecked_options_hint(read: str) -> str:
    """What a refusal of initialize that reads a property of nothing says, once the same stream
    asked initialize again with `initializationOptions: {}` got an answer."""
    return (
        f"it read a property of nothing (`{read}`) with no initializationOptions sent, and asked "
        "initialize again on the same stream with `initializationOptions: {}` it answered: it "
        "reads its initialization options without checking that any came. Send them: "
        "`--init-options '{}'` on ping and doctor, `init_options: {}` under a scenario's worker "
        "(with the options the server documents)"
    )
