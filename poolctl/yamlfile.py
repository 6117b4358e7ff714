"""The one YAML loader: safe loading only, each file parsed once, with the line of every node kept
so that a schema error names `file:line: key.path: message`.

`load_yaml` reads a file; `validate` checks its data (or a part of it) against a pydantic model
and turns the first error into one `InputError` line, suggesting the nearest known key for an
unknown one.

Parsing uses libyaml (PyYAML's C loader) where it is installed, the pure-Python loader
otherwise: the same node tree, with the same line numbers. A document is bounded before anything
is built from it: at most `MAX_BYTES`, and at most `MAX_NODES` nodes once every alias is
expanded (an alias repeats the whole node it names, so ten aliases of ten aliases of ... make a
"billion laughs" of a few lines). Past either bound it is refused with `file:line`.
"""

from __future__ import annotations

import difflib
import hashlib
import types
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from poolctl.errors import InputError
from poolctl.yamlbytes import MAX_BYTES as MAX_BYTES  # the bound `load_yaml` reads under
from poolctl.yamlbytes import read_document as read_document

Loc = Sequence[str | int]
M = TypeVar("M", bound=BaseModel)
_WHOLE = object()  # `validate`'s default: the document's data

MAX_NODES = 100_000  # nodes of a document with its aliases expanded

# libyaml's safe loader when PyYAML was built with it: parsing takes a tenth of the time
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlDocument:
    """A parsed YAML file: its data, and the node tree to say where a key path stands."""

    def __init__(
        self,
        path: Path,
        data: Any,
        root: yaml.Node | None,
        error_type: type[InputError] = InputError,
        digest: str = "",
    ) -> None:
        self.path = path
        self.data = data
        self.root = root
        self.error_type = error_type
        self.digest = digest  # SHA-256 of the bytes read ("" for data made otherwise)

    def walk(self, loc: Loc, absent_last: bool = True) -> tuple[tuple[str | int, ...], int]:
        """The part of `loc` the file holds, and the 1-based line of the deepest node it reaches.

        A key is found in a block or a flow mapping alike; its line is the key's own. A part the
        file does not hold (a validator's name, a union member's tag, the nested key of a
        shorthand such as `sleep: 0.5`) is left out of the path, except a last part that names
        a missing key (`absent_last`).
        """
        kept, line, _ = self._walk(loc, absent_last)
        return kept, line

    def _walk(
        self, loc: Loc, absent_last: bool
    ) -> tuple[tuple[str | int, ...], int, yaml.Node | None]:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        kept: list[str | int] = []
        for i, part in enumerate(loc):
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                found = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if found is not None:
                    key, child = found
                    line = key.start_mark.line + 1
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and part < len(node.value)
            ):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is not None:
                kept.append(part)
                node = child
            elif absent_last and i == len(loc) - 1 and isinstance(node, yaml.MappingNode):
                kept.append(part)
        return tuple(kept), line, node

    def order_of(self, loc: Loc, missing: bool) -> int:
        """Where the problem at `loc` stands in the file, to report the first one first: a
        missing key counts as the end of the mapping that misses it."""
        _, line, node = self._walk(loc, missing)
        if missing and isinstance(node, yaml.MappingNode):
            end = node.end_mark
            return end.line + (1 if end.column > 0 else 0)
        return line

    def line_of(self, loc: Loc) -> int:
        """The 1-based line of the deepest node `loc` reaches (the file's first line if none)."""
        return self.walk(loc)[1]

    def error(self, loc: Loc, message: str, *, absent_last: bool = True) -> InputError:
        """An error naming file:line and the key path, of this document's error type."""
        kept, line = self.walk(loc, absent_last)
        path = key_path(kept)
        text = f"{path}: {message}" if path else message
        return self.error_type(text, where=f"{self.path}:{line}")


def key_path(loc: Loc) -> str:
    """`("steps", 0, "request")` -> `steps[0].request`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml(path: Path, error_type: type[InputError] = InputError) -> YamlDocument:
    """Read and safely parse one YAML file, once; any problem is an `error_type` with file:line:
    a file that cannot be read, invalid YAML, or a document over the size and node bounds."""
    raw = read_document(path, error_type, MAX_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # named where it is, as a YAML error would be
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        raise error_type(
            f"not UTF-8: byte 0x{byte:02x} at column {column} (save the file as UTF-8)",
            where=f"{path}:{line}",
        ) from None
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_size(root, path, error_type)
            _check_unique_keys(root, path, error_type)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise error_type(f"invalid YAML: {problem}", where=f"{path}:{line}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (a NUL, a control code)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"character U+{char:04X} at column {column}: YAML allows no control character"
        raise error_type(f"invalid YAML: {problem}", where=f"{path}:{line}") from None
    except yaml.YAMLError as exc:
        raise error_type(f"invalid YAML: {exc}", where=str(path)) from None
    except RecursionError:
        raise error_type("invalid YAML: nested too deeply", where=str(path)) from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, root, error_type, hashlib.sha256(raw).hexdigest())


class Recursive(Exception):
    """An alias inside the collection it names (`a: &a {b: *a}`): the document never ends."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(node)
        self.node = node  # the collection named by the alias within it


def expanded_sizes(root: yaml.Node) -> dict[int, int]:
    """The number of nodes under each node (by `id`), itself included and aliases expanded.

    The tree is a graph when aliases repeat a node: each node is counted once per reference,
    but computed once (an iterative walk: a deep document does not exhaust the stack).
    `Recursive` when a node holds itself: the walk of that node never ended, and grew its
    stack until memory ran out."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the nodes whose children are being walked: the path to here
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done or not children:
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            open_nodes.discard(id(node))
            continue
        if id(node) in open_nodes:
            raise Recursive(node)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_unique_keys(root: yaml.Node, path: Path, error_type: type[InputError]) -> None:
    """Refuse a mapping that names a key twice: YAML keeps the last value without a word, so
    `{size: 1, size: 5}` would silently be 5."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[str, int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":merge"):
                    continue
                line = key.start_mark.line + 1
                if key.value in lines:
                    raise error_type(
                        f"duplicate key {key.value!r} (first at line {lines[key.value]}): YAML "
                        "would keep the last value without a word; keep one",
                        where=f"{path}:{line}",
                    )
                lines[key.value] = line
        stack.extend(_children(node))


def _check_size(root: yaml.Node, path: Path, error_type: type[InputError]) -> None:
    """Refuse a document of more than `MAX_NODES` nodes, aliases expanded, naming the line of
    the collection whose aliases blow it up."""
    try:
        sizes = expanded_sizes(root)
    except Recursive as loop:
        raise error_type(
            "an alias inside the collection it names (its anchor is on this line): the "
            "document would never end; write the values out, or alias another collection",
            where=f"{path}:{loop.node.start_mark.line + 1}",
        ) from None
    if sizes[id(root)] <= MAX_NODES:
        return
    node = root
    while True:  # down to the innermost collection that is too big by itself
        bigger = next((c for c in _children(node) if sizes[id(c)] > MAX_NODES), None)
        if bigger is None:
            break
        node = bigger
    raise error_type(
        f"the document is {sizes[id(root)]:,} nodes once its aliases are expanded, over the "
        f"limit of {MAX_NODES:,}: this collection's aliases blow it up",
        where=f"{path}:{node.start_mark.line + 1}",
    )


def validate(
    doc: YamlDocument,
    model: type[M],
    *,
    value: Any = _WHOLE,
    at: Loc = (),
) -> M:
    """`value` (default: the whole document) as a `model`, found at key path `at` in the file.

    The error that comes first in the file becomes `file:line: key.path: message`, with
    `(and N more)` when other keys are wrong too; an unknown key gets the nearest known one as a
    suggestion.
    """
    data = doc.data if value is _WHOLE else value
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        where = [doc.walk((*at, *e["loc"]), e["type"] == "missing") for e in errors]
        # The file's first problem; on one line, a misspelt key before the key it misses.
        order = [doc.order_of((*at, *e["loc"]), e["type"] == "missing") for e in errors]
        first = min(
            range(len(errors)),
            key=lambda i: (order[i], errors[i]["type"] != "extra_forbidden", i),
        )
        error = errors[first]
        places = {kept for kept, _ in where}
        message = _message(error, model)
        for e, (kept, _) in zip(errors, where, strict=True):
            meant = _meant_key(e, model)
            if meant is not None:  # the key it misses is the same mistake, not another one
                places.discard((*kept[:-1], meant))
        if len(places) > 1:
            message += f" (and {len(places) - 1} more)"
        missing = error["type"] == "missing"
        raise doc.error((*at, *error["loc"]), message, absent_last=missing) from None


def _meant_key(error: Any, model: type[BaseModel]) -> str | None:
    """For an unknown key, the known key it is closest to."""
    loc = tuple(error["loc"])
    if error["type"] != "extra_forbidden" or not loc:
        return None
    return nearest_word(str(loc[-1]), fields_at(model, loc[:-1]))


def _message(error: Any, model: type[BaseModel]) -> str:
    if error["type"] == "extra_forbidden":
        meant = _meant_key(error, model)
        return f"unknown key (did you mean {meant!r}?)" if meant else "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "model_type":  # pydantic names its class: say what to write instead
        keys = fields_at(model, tuple(error["loc"]))
        shown = ", ".join(f"`{k}`" for k in keys[:6]) + (", …" if len(keys) > 6 else "")
        return f"must be a mapping of keys ({shown}), not {_kind(error.get('input'))}"
    if error["type"] == "string_type" and isinstance(error.get("input"), int | float | bool):
        return f"must be a string: quote it ({str(error['input']).lower()!r}, not a bare value)"
    text = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text


def _kind(value: Any) -> str:
    """What a YAML value is, in a word: `a string 'ping'`, `a number`, `a list`."""
    if isinstance(value, str):
        return f"a string {value[:40]!r}"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "nothing" if value is None else "that"


def fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys `model` allows at pydantic's `loc` (list items and mapping values followed
    through; a part no type has, such as a union member's tag, is passed over)."""
    tp: Any = model
    for part in loc:
        tp = _child(tp, part) or tp
    found = _model_in(tp)
    return list(found.model_fields) if found is not None else []


def _child(tp: Any, part: str | int) -> Any:
    """The type found under `part` of a value of type `tp`, or None."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _child(get_args(tp)[0], part)
    if origin in (Union, types.UnionType):
        return next((c for c in (_child(a, part) for a in get_args(tp)) if c is not None), None)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return field.annotation if field is not None else None
    args = get_args(tp)
    if origin in (list, tuple) and isinstance(part, int) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _model_in(tp: Any) -> type[BaseModel] | None:
    origin = get_origin(tp)
    if origin is Annotated:
        return _model_in(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return next((m for m in map(_model_in, get_args(tp)) if m is not None), None)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    return None


def nearest_word(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word`, if one is close enough to be a misspelling of it."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a choice is close to `word`, else ``."""
    close = nearest_word(word, choices)
    return f" (did you mean {close!r}?)" if close else ""
