"""`poolctl history`'s answers as text: a `Listing` (a titled table, its JSON document, notes,
and for `patterns` a chart) rendered for a terminal, as Markdown, JSON or one HTML page.

Like the report writers, rendering does no I/O and every format shows the same rows.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, assert_never

from rich.table import Table

from poolctl.console import text_console
from poolctl.report.html import page
from poolctl.report.markdown import text as md_text
from poolctl.termtext import escape as markup
from poolctl.termtext import html_escape as escape
from poolctl.termtext import one_line

SPARKS = "▁▂▃▄▅▆▇█"
NONE_MARK = "·"  # a bucket with no failure, told apart from the smallest bar


class HistoryFormat(StrEnum):
    """`poolctl history --format`."""

    TERM = "term"
    MD = "md"
    JSON = "json"
    HTML = "html"


@dataclass(frozen=True)
class Column:
    """A table column: the row key it shows; `flexible` ones are cut to fit a terminal."""

    key: str
    label: str
    numeric: bool = False
    flexible: bool = False


@dataclass(frozen=True)
class Series:
    """One pattern's failures per bucket (a day or a week), for the chart."""

    name: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """Failures per pattern per bucket: what `patterns` draws."""

    buckets: tuple[str, ...]  # each bucket's first day, ISO
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Listing:
    """One answer of `poolctl history`."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]
    document: Mapping[str, Any]  # the JSON view
    notes: tuple[str, ...] = ()
    empty: str = "nothing recorded yet"
    chart: Chart | None = field(default=None)


def sparkline(counts: Sequence[int]) -> str:
    """`·▁▃█`: one character per bucket, scaled to the largest; `·` for none."""
    top = max(counts, default=0)
    if top <= 0:
        return NONE_MARK * len(counts)
    levels = len(SPARKS)  # eighths of the largest count: 1 of 8 is ▁, 8 of 8 is █
    return "".join(
        NONE_MARK if n <= 0 else SPARKS[max(0, math.ceil(levels * n / top) - 1)] for n in counts
    )


def cell(value: Any) -> str:
    """A value as one table cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _term(listing: Listing, color: bool, width: int) -> str:
    out = io.StringIO()
    console = text_console(out, color=color, width=width)
    console.print(f"[bold]{markup(one_line(listing.title))}[/]")
    if not listing.rows:
        console.print(f"[dim]{markup(listing.empty)}[/]")
    else:
        table = Table(show_edge=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
        natural = {
            c.key: max(len(c.label), *(len(cell(r.get(c.key))) for r in listing.rows))
            for c in listing.columns
        }
        # the flexible columns (names, titles) share what the others leave: a long title is
        # cut, never the run number or the counts beside it
        fixed = sum(natural[c.key] + 2 for c in listing.columns if not c.flexible)
        flexible = sum(1 for c in listing.columns if c.flexible) or 1
        share = max(12, (width - fixed) // flexible - 2)
        for column in listing.columns:
            table.add_column(
                column.label,
                justify="right" if column.numeric else "left",
                no_wrap=True,  # one line per row: names and titles are cut to fit, not the rest
                overflow="ellipsis",
                min_width=None if column.flexible else natural[column.key],
                max_width=share if column.flexible else None,
            )
        for row in listing.rows:
            table.add_row(*(markup(cell(row.get(c.key))) for c in listing.columns))
        console.print(table)
    for note in listing.notes:
        console.print(f"[dim]{markup(note)}[/]")
    return out.getvalue()


def _md(listing: Listing) -> str:
    lines = [f"# {md_text(listing.title)}", ""]
    if not listing.rows:
        lines += [md_text(listing.empty), ""]
    else:
        lines.append("| " + " | ".join(md_text(c.label) for c in listing.columns) + " |")
        lines.append("|" + "|".join("---:" if c.numeric else "---" for c in listing.columns) + "|")
        for row in listing.rows:
            cells = (md_text(cell(row.get(c.key))) for c in listing.columns)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"> {md_text(note)}" for note in listing.notes]
    return "\n".join(lines).rstrip() + "\n"


def chart_svg(chart: Chart) -> str:
    """Small multiples: a row of bars per pattern, one bar per bucket, on one scale."""
    label_w, bar_w, row_h, gap = 260, 14, 34, 3
    top = max((n for s in chart.series for n in s.counts), default=0) or 1
    width = label_w + len(chart.buckets) * (bar_w + gap) + 60
    height = row_h * len(chart.series) + 24
    out = [
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" role="img" aria-label="failures per pattern over time">'
    ]
    for i, series in enumerate(chart.series):
        base = i * row_h + row_h - 6
        out.append(
            f'<text x="{label_w - 8}" y="{base - 4}" text-anchor="end">{escape(series.name)}</text>'
        )
        for j, n in enumerate(series.counts):
            x = label_w + j * (bar_w + gap)
            h = round((row_h - 10) * n / top) if n else 0
            cls = " unclassified" if series.name == "unclassified" else ""
            out.append(
                f'<rect class="bar{cls}" data-pattern="{escape(series.name)}" '
                f'data-bucket="{escape(chart.buckets[j])}" data-count="{n}" x="{x}" '
                f'y="{base - max(h, 1)}" width="{bar_w}" height="{max(h, 1)}">'
                f"<title>{escape(series.name)}, {escape(chart.buckets[j])}: {n} failure(s)"
                "</title></rect>"
            )
        out.append(
            f'<text x="{label_w + len(chart.buckets) * (bar_w + gap) + 4}" y="{base - 4}">'
            f"{sum(series.counts)}</text>"
        )
    if chart.buckets:
        y = row_h * len(chart.series) + 16
        out.append(f'<text x="{label_w}" y="{y}">{escape(chart.buckets[0])}</text>')
        last_x = label_w + (len(chart.buckets) - 1) * (bar_w + gap) + bar_w
        out.append(
            f'<text x="{last_x}" y="{y}" text-anchor="end">{escape(chart.buckets[-1])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _html(listing: Listing) -> str:
    body = [f"<h1>{escape(listing.title)}</h1>"]
    if listing.chart is not None and listing.chart.series:
        body.append(chart_svg(listing.chart))
    if not listing.rows:
        body.append(f'<p class="muted">{escape(listing.empty)}</p>')
    else:
        head = "".join(
            f"<th{' class=n' if c.numeric else ''}>{escape(c.label)}</th>" for c in listing.columns
        )
        body.append(f"<table><tr>{head}</tr>")
        for row in listing.rows:
            cells = "".join(
                f"<td{' class=n' if c.numeric else ''}>{escape(cell(row.get(c.key)))}</td>"
                for c in listing.columns
            )
            body.append(f"<tr>{cells}</tr>")
        body.append("</table>")
    body += [f'<p class="muted">{escape(note)}</p>' for note in listing.notes]
    return page(listing.title, "\n".join(body))


def render_listing(
    listing: Listing, fmt: HistoryFormat, *, color: bool = False, width: int = 100
) -> str:
    """`listing` in `fmt`."""
    match fmt:
        case HistoryFormat.TERM:
            return _term(listing, color, width)
        case HistoryFormat.MD:
            return _md(listing)
        case HistoryFormat.JSON:
            return json.dumps(listing.document, indent=2, ensure_ascii=False, default=str) + "\n"
        case HistoryFormat.HTML:
            return _html(listing)
        case _:
            assert_never(fmt)
