"""The worker command and its environment as given on the command line (`ping`, `doctor`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from poolctl.errors import UsageProblem
from poolctl.executable import why_not_startable

# the bundled worker, run when no command is given (here, not in `poolctl.ping`: a command's
# --help reads it without importing the ping and its diagnosis)
REFERENCE_WORKER = (sys.executable, "-m", "poolctl.workers.reference")


def parse_env(pairs: list[str]) -> dict[str, str]:
    """`K=V` pairs into a dict; `K=` sets an empty value."""
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageProblem(f"--env expects NAME=VALUE, got {pair!r}")
        env[key] = value
    return env


def parse_unset(names: list[str]) -> tuple[str, ...]:
    """`--unset-env` names; a `NAME=VALUE` (meant for `--env`) or an empty one removes nothing,
    and was taken without a word."""
    for name in names:
        if not name or "=" in name:
            raise UsageProblem(
                f"--unset-env expects a variable's NAME, got {name!r}"
                + (" (to set a variable: --env NAME=VALUE)" if "=" in name else "")
            )
    return tuple(names)


def parse_args_json(text: str | None) -> dict[str, Any]:
    """`--args` as a JSON object."""
    if text is None:
        return {}
    value = _json_value(text, "--args")
    if not isinstance(value, dict):
        raise UsageProblem(f"--args must be a JSON object, got {type(value).__name__}")
    return value


def parse_init_options(text: str | None, protocol: str) -> Any:
    """`--init-options`, JSON or `@FILE` holding it: LSP's initializationOptions (None: none).
    Some servers need them to start (astro-ls: `{"typescript": {"tsdk": ...}}`)."""
    if text is None:
        return None
    if protocol != "lsp":
        raise UsageProblem(
            f"--init-options: LSP's initializationOptions, sent in its initialize; {protocol} "
            "has none (give --protocol lsp)"
        )
    name = "--init-options"
    if text.startswith("@"):
        name, path = f"--init-options {text}", Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageProblem(f"{name}: the file is not UTF-8 text") from None
        except OSError as exc:
            raise UsageProblem(f"{name}: cannot read {path}: {exc.strerror or exc}") from None
    return _json_value(text, name)


def _json_value(text: str, name: str) -> Any:
    """`text` as JSON, or one line saying why not (`name` is the option that gave it)."""
    try:  # NaN and Infinity are Python's, not JSON's: a strict worker refuses the request
        value = json.loads(text, parse_constant=_not_json)
    except ValueError as exc:
        raise UsageProblem(f"{name} is not JSON: {exc}") from None
    except RecursionError:  # it was an internal error, exit 3
        value = _TOO_DEEP
    if value is _TOO_DEEP or _depth(value) > MAX_DEPTH:  # the request's encoder recurses too
        raise UsageProblem(f"{name} is nested more than {MAX_DEPTH} levels deep")
    return value


_TOO_DEEP = object()
MAX_DEPTH = 256  # levels of lists and objects in --args; deeper, no request can be encoded


def _depth(value: Any) -> int:
    """How deep lists and objects nest in `value` (a scalar is 0)."""
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, depth)
        level.extend((child, depth + 1) for child in children)
    return deepest


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is no JSON value")


def resolve_command(cmd: list[str], cwd: str | None) -> tuple[str, ...]:
    """The worker command, checked before spawning; the reference worker when none is given."""
    if not cmd:
        return REFERENCE_WORKER
    problem = why_not_startable(cmd[0], cwd)
    if problem:
        raise UsageProblem(problem)
    return tuple(cmd)
