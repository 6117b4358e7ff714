"""The view layer: one `Report` model, rendered as terminal text, Markdown, JSON, JUnit XML or
one self-contained HTML page.

Each writer implements `Writer.render(report) -> str` and does no I/O; the terminal writer
picks its layout by the report's kind (ping, doctor, scenario, triage). `Format` is the
`--format` option's enum; `writer_for` maps every member exhaustively, importing only the writer
it returns. `publish` writes the rendered reports where the command's options send them.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import TYPE_CHECKING, Any, assert_never

if TYPE_CHECKING:
    from poolctl.model import Report
    from poolctl.report.html import HtmlWriter
    from poolctl.report.interface import Writer
    from poolctl.report.json_writer import SCHEMA_VERSION, JsonWriter
    from poolctl.report.junit import JUnitWriter
    from poolctl.report.markdown import MarkdownWriter
    from poolctl.report.terminal import TerminalWriter

    WRITERS: dict[Format, Writer]  # every format's default writer

# Each writer's module is imported when first named (`--format` picks one writer, and every
# command imports this package for `Format`): a command pays for the writers it uses only.
_LAZY = {
    "HtmlWriter": "poolctl.report.html",
    "JsonWriter": "poolctl.report.json_writer",
    "SCHEMA_VERSION": "poolctl.report.json_writer",
    "JUnitWriter": "poolctl.report.junit",
    "MarkdownWriter": "poolctl.report.markdown",
    "TerminalWriter": "poolctl.report.terminal",
    "Writer": "poolctl.report.interface",
}


class Format(StrEnum):
    """Output formats of `--format`."""

    TERM = "term"
    MD = "md"
    JSON = "json"
    JUNIT = "junit"
    HTML = "html"


def writer_for(fmt: Format, *, color: bool = False, width: int = 100) -> Writer:
    """The writer for `fmt`; `color` and `width` only change the terminal writer."""
    match fmt:
        case Format.TERM:
            from poolctl.report.terminal import TerminalWriter

            return TerminalWriter(color=color, width=width)
        case Format.MD:
            from poolctl.report.markdown import MarkdownWriter

            return MarkdownWriter()
        case Format.JSON:
            from poolctl.report.json_writer import JsonWriter

            return JsonWriter()
        case Format.JUNIT:
            from poolctl.report.junit import JUnitWriter

            return JUnitWriter()
        case Format.HTML:
            from poolctl.report.html import HtmlWriter

            return HtmlWriter()
        case _:
            assert_never(fmt)


def render(report: Report, fmt: Format) -> str:
    """`report` in format `fmt`, with the default writer (no colour, 100 columns)."""
    return writer_for(fmt).render(report)


def __getattr__(name: str) -> Any:
    """A writer (or `WRITERS`, every format's default writer), imported when first asked for."""
    if name == "WRITERS":
        return {fmt: writer_for(fmt) for fmt in Format}
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # asked for once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SCHEMA_VERSION",
    "WRITERS",
    "Format",
    "HtmlWriter",
    "JUnitWriter",
    "JsonWriter",
    "MarkdownWriter",
    "TerminalWriter",
    "Writer",
    "render",
    "writer_for",
]
