"""The one YAML loader: safe loading only, with the line of every node kept for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from poolctl.errors import InputError


class YamlDocument:
    """A parsed YAML file: its data, and the node tree to say where a key path stands."""

    def __init__(self, path: Path, data: Any, root: yaml.Node | None) -> None:
        self.path = path
        self.data = data
        self.root = root

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The 1-based line of the deepest node `loc` reaches (the file's first line if none)."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = next((kv for kv in node.value if kv[0].value == part), None)
                if found is None:
                    break
                key, node = found
                line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def error(self, loc: Sequence[str | int], message: str) -> InputError:
        """An `InputError` naming file:line and the key path."""
        path = ".".join(str(p) for p in loc)
        where = f"{self.path}:{self.line_of(loc)}"
        return InputError(f"{path}: {message}" if path else message, where=where)


def load_yaml(path: Path) -> YamlDocument:
    """Read and safely parse one YAML file; any problem is an `InputError` with file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", where=str(path)) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", where=f"{path}:{line}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", where=str(path)) from None
    return YamlDocument(path, data, root)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a choice is close to `word`, else ``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
