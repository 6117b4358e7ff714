"""The view layer: one `Report` model, rendered as terminal text, Markdown, JSON, JUnit XML or
one self-contained HTML page.

Each writer implements `Writer.render(report) -> str` and does no I/O; the terminal writer
picks its layout by the report's kind (ping, doctor, scenario, triage). `Format` is the
`--format` option's enum; `writer_for` maps every member exhaustively. `publish` writes the
rendered reports where the command's options send them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from poolctl.model import Report
from poolctl.report.html import HtmlWriter
from poolctl.report.interface import Writer
from poolctl.report.json_writer import SCHEMA_VERSION, JsonWriter
from poolctl.report.junit import JUnitWriter
from poolctl.report.markdown import MarkdownWriter
from poolctl.report.terminal import TerminalWriter


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
            return TerminalWriter(color=color, width=width)
        case Format.MD:
            return MarkdownWriter()
        case Format.JSON:
            return JsonWriter()
        case Format.JUNIT:
            return JUnitWriter()
        case Format.HTML:
            return HtmlWriter()
        case _:
            assert_never(fmt)


# the registry: every format's default writer (no colour, 100 columns)
WRITERS: dict[Format, Writer] = {fmt: writer_for(fmt) for fmt in Format}


def render(report: Report, fmt: Format) -> str:
    """`report` in format `fmt`, with the default writer."""
    return WRITERS[fmt].render(report)


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
