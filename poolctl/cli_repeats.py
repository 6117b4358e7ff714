"""A single-valued option given more than once is refused, on every command alike.

click, under typer, keeps the last value of an option given twice (`--log-format pytest
--log-format exunit` read as exunit, `--timeout 1 --timeout 5` as 5) without a word, so a
command line that says two things ran on one of them. An option that takes one value is
refused when repeated: one line naming it, exit 2 (a usage error, as an unknown option is).
Options documented as repeatable (`--patterns`, `--env`, `--from`…: each a list) and flags
(`-v`, `--no-history`: saying it twice says it once) are taken as before.
"""

from __future__ import annotations

from typing import Any


def refuse_repeats(command: Any) -> None:
    """Make `command` and its subcommands refuse a repeated single-valued option."""
    make_parser = command.make_parser

    def checked(ctx: Any) -> Any:
        parser = make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args: list[str]) -> Any:
            opts, rest, order = parse(args=args)
            if not ctx.resilient_parsing:  # (a shell's completion: never an error)
                _refuse(order, ctx)
            return opts, rest, order

        parser.parse_args = parse_args
        return parser

    command.make_parser = checked
    for sub in getattr(command, "commands", {}).values():
        refuse_repeats(sub)


def _single_valued(param: Any) -> bool:
    """An option that takes one value: not a flag, a count, a list or a pair."""
    return (
        getattr(param, "param_type_name", "") == "option"
        and not param.multiple
        and not getattr(param, "is_flag", False)
        and not getattr(param, "count", False)
        and param.nargs == 1
    )


def _refuse(order: list[Any], ctx: Any) -> None:
    """A usage error naming the first single-valued option `order` holds twice."""
    from typer._click.exceptions import BadOptionUsage

    seen: set[int] = set()
    for param in order:
        if not _single_valued(param):
            continue
        if id(param) in seen:
            name = max(param.opts, key=len)
            times = sum(1 for p in order if p is param)
            raise BadOptionUsage(
                name, f"{name} given {times} times: it takes one value; give it once", ctx
            )
        seen.add(id(param))
