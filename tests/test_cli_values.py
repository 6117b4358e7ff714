"""Every parameter of every command takes a value as typer's own coercion takes it
(`poolctl.cli_values`): the same value, of the same type, or the same refusal, in typer's words."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any, get_args, get_origin

import pytest
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from poolctl.app import load_command
from poolctl.cli import root_command
from poolctl.cli_values import QuickParam, checked_typer
from poolctl.commands.index import COMMANDS


def _params(command: Any) -> Iterator[tuple[Any, Any]]:
    for param in command.params:
        yield command, param
    for sub in getattr(command, "commands", {}).values():
        yield from _params(sub)


def _all() -> list[tuple[Any, Any]]:
    found = list(_params(root_command([])))
    for entry in COMMANDS:
        found += _params(load_command(entry))
    return found


def _samples(annotation: Any) -> list[Any]:
    """Values a command line gives, valid or not, and the defaults' kinds."""
    values: list[Any] = ["x", "-", "", " 7 ", "json", "TERM", "1", "yes", ("a", "b"), ["c"], 3]
    values += [True, False, 2.5]
    # numbers: in and out of the parameters' bounds, and the forms left to typer's coercion
    values += ["0", "007", "10", "0.5", "0.01", "0.009", "86400", "86401", "10000001", "-1"]
    values += ["+5", "1e3", "1_000", "5.", ".5", "2.50", "1" * 20, 7.0]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values += [m.value for m in annotation] + list(annotation)
        values += [m.value.upper() for m in annotation if isinstance(m.value, str)]
    if get_origin(annotation) is list:
        values += [tuple(_samples(get_args(annotation)[0])[:4])]
    return values


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[Any, ...]:
    try:
        got = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as refused:
        return ("refused", refused.format_message())
    return ("taken", type(got), got)


def test_every_parameter_takes_a_value_as_typer_does() -> None:
    checked = quick = 0
    for command, param in _all():
        desc = getattr(param, "type_descriptor", None)
        if desc is None:
            continue
        quick += isinstance(param._runtime_param, QuickParam)
        ctx = Context(command)
        # typer's coercion keeps no state between values (a frozen dataclass and its pydantic
        # adapter): built once a parameter, where building it for each value was two thirds
        # of the test. Ours is made afresh for each value, as a parameter holds it.
        theirs = build_runtime_param(desc)
        for value in _samples(desc.annotation):
            mine = QuickParam(desc.parameter_info, desc.annotation)
            assert _outcome(mine, value, param, ctx) == _outcome(theirs, value, param, ctx), (
                command.name,
                param.name,
                value,
            )
            checked += 1
    assert checked > 1000 and quick > 100  # every command's parameters were looked at


@pytest.mark.parametrize("value", ["json", "bogus"])
def test_a_value_the_quick_path_does_not_take_goes_to_typers_coercion(value: str) -> None:
    """The first refused value builds typer's own coercion, which the parameter keeps."""
    command = load_command(next(e for e in COMMANDS if e.name == "triage"))
    param = next(p for p in command.params if p.name == "top")
    param._runtime_param = QuickParam(param.type_descriptor.parameter_info, int)
    with pytest.raises(BadParameter):
        param.get_runtime_param().coerce(value, param=param, ctx=Context(command))
    assert not isinstance(param._runtime_param, QuickParam)


def test_only_the_typer_releases_it_was_checked_against_are_quickened() -> None:
    """typer's private coercion may change in any release: another keeps typer's own."""
    assert checked_typer("0.29.0") and checked_typer("0.29.2")
    assert not checked_typer("0.30.0") and not checked_typer("1.29.0")
    assert not checked_typer("0.290.1")
