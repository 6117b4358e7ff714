"""A worker waiting at an interactive prompt: Python's `getpass` asks for a secret and, with
no terminal to open (a worker has none), reads the reply from its stdin, the request channel;
`input()` prints its question on stdout, the framed stream, and reads the reply there too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .observe import Observations
from .pystack import PyStack


@dataclass(frozen=True)
class Prompt:
    """Where the worker asks, and what it printed as its question."""

    asked_at: str  # file:line of the caller of getpass, as the stack shows it
    question: str  # the prompt's text, the last line of its stderr ("" when none came)


def password_prompt(obs: Observations) -> Prompt | None:
    """The getpass call a stack of the worker is inside, with the prompt it wrote."""
    live = obs.live
    if live is None:
        return None
    for stack in live.stacks:
        if not isinstance(stack, PyStack) or stack.main is None:
            continue
        frames = stack.main.frames
        inside = [i for i, f in enumerate(frames) if Path(f.filename).name == "getpass.py"]
        if not inside:
            continue
        outer = max(inside) + 1
        caller = frames[outer] if outer < len(frames) else frames[max(inside)]
        lines = [line for line in obs.stderr_text.splitlines() if line.strip()]
        return Prompt(caller.location(live.cwd), lines[-1] if lines else "")
    return None


_INPUT_CALL = re.compile(r"(?<![\w.])input\s*\(")


def input_prompt(obs: Observations) -> str | None:
    """Where the worker sits in a call of the builtin `input()` (file:line), blocked reading
    its stdin: a question it asks, and waits for a person to answer."""
    live = obs.live
    if live is None or live.stdin_wait() is None:
        return None
    for stack in live.stacks:
        if not isinstance(stack, PyStack) or stack.main is None:
            continue
        user = [f for f in stack.main.frames if not f.frozen]
        if user and _INPUT_CALL.search(user[0].source()):
            return user[0].location(live.cwd)
    return None
