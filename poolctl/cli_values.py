"""A command line's plain values taken as typer takes them, without importing pydantic.

Typer coerces each parameter's value through a pydantic `TypeAdapter` it builds for the
parameter; the first one built imports pydantic: about 60 ms of CPU, a third of a small
triage's, though a triage uses pydantic nowhere else. Most values need nothing of it: typer's
adapter returns a string given for a `str` as it is, the strings given for a `list[str]` as a
list, and for an enum what typer's own choice function (`coerce_cli_choice`) returns. Those
are taken so here (`QuickParam`); any other value, and one the choice function refuses, goes to
typer's own coercion, built then, whose checks and messages are typer's (a value of None, an
option not given, needs no coercion at all). A parameter with a parser of its own keeps typer's
coercion from the start.

`tests/test_cli_values.py` checks, for every parameter of every command, that both ways give the
same value. With a typer release it was not checked against (`CHECKED_TYPERS`), or whose
coercion lives elsewhere, each parameter keeps typer's own.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import typer

# the releases whose coercion this was checked against (their private modules may change in
# any other): with another, typer's own coercion as it is, a little slower
CHECKED_TYPERS = ("0.29",)


def checked_typer(version: str) -> bool:
    """Whether typer `version` is a release of `CHECKED_TYPERS`."""
    return ".".join(version.split(".")[:2]) in CHECKED_TYPERS


try:  # typer's own modules, not its documented interface
    from typer import _coercion
    from typer._param_types import coerce_cli_choice
except ImportError:  # pragma: no cover - another typer: its coercion as it is
    _coercion = None  # type: ignore[assignment]
if not checked_typer(typer.__version__):  # pragma: no cover - another typer
    _coercion = None  # type: ignore[assignment]


class _NotPlain(Exception):
    """A value the quick path does not take: typer's coercion does."""


def _enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, enum.Enum)


# numbers written as digits (and a point): what Python and pydantic's lax mode read alike; a
# sign, an exponent, an underscore or a space goes to typer's coercion
_DIGITS = re.compile(r"[0-9]{1,15}\Z")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?\Z")


def _number(kind: type, pattern: re.Pattern[str], value: Any, info: Any) -> Any:
    """`value`, a string of digits, as a `kind` within the parameter's bounds (an option
    out of them goes to typer's coercion, which refuses it in its words)."""
    if type(value) is not str or not pattern.match(value) or getattr(info, "clamp", False):
        raise _NotPlain
    number = kind(value)
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if (low is not None and number < low) or (high is not None and number > high):
        raise _NotPlain
    return number


def plain_value(
    annotation: Any, case_sensitive: bool, value: Any, ctx: Any, info: Any = None
) -> Any:
    """`value` as typer's adapter for `annotation` returns it; `_NotPlain` when unsure."""
    if annotation is int:
        return _number(int, _DIGITS, value, info)
    if annotation is float:
        return _number(float, _DECIMAL, value, info)
    if annotation is str:
        if type(value) is str:
            return value
    elif annotation is bool:
        if type(value) is bool:
            return value
    elif get_origin(annotation) is list and get_args(annotation) == (str,):
        if isinstance(value, list | tuple) and all(type(item) is str for item in value):
            return list(value)
    elif _enum(annotation):
        try:
            return coerce_cli_choice(
                value, choices=list(annotation), case_sensitive=case_sensitive, ctx=ctx
            )
        except ValueError:  # typer's adapter says why, in its words
            pass
    raise _NotPlain


@dataclass(frozen=True)
class QuickParam(_coercion.RuntimeParam if _coercion is not None else object):  # type: ignore[misc]
    """A parameter's coercion: the plain values here, the others through typer's own."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            info = self.parameter_info
            return plain_value(self.annotation, info.case_sensitive, value, ctx, info)
        except _NotPlain:
            typers = _coercion.build_runtime_param(param.type_descriptor)
            param._runtime_param = typers  # the next value goes there directly
            return typers._coerce_value(value, param=param, ctx=ctx)


def quicken(command: Any) -> None:
    """Give each parameter of `command` (its help option too, made when a command line is
    parsed) that coercion, unless typer's has no need of pydantic (a file) or the parameter
    has a parser of its own."""
    if _coercion is None:
        return
    for param in command.params:
        _quicken(param)
    make_help = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help(ctx)
        if option is not None:
            _quicken(option)
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        quicken(sub)


def _quicken(param: Any) -> None:
    desc = getattr(param, "type_descriptor", None)
    if (
        desc is not None
        and getattr(param, "_runtime_param", False) is None
        and desc.file_annotation is None
        and desc.parameter_info.parser is None
    ):
        param._runtime_param = QuickParam(desc.parameter_info, desc.annotation)
