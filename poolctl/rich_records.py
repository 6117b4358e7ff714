"""A log record that Python's rich logging (RichHandler) wrapped into columns: its time, its
level, its message and, right-aligned, the source line that logged it, the message going on in
lines indented to its column. mcp-server-tree-sitter 0.7.0 given `--config /nope/c.yaml` logs

    [12/03/26 23:45:19] ...
                        ERROR    Config file does not exist:           config.py:248
                                 /nope/c.yaml

and a reader of single lines sees the error without its path. The message is read whole here."""

from __future__ import annotations

import re

# a record's first line: its time in brackets or the blanks that stand for a time repeated, its
# level, two spaces or more, its message (with the source column at its end, cut below)
_FIRST = re.compile(
    r"^(?:\[[^\]\n]{4,40}\]\s+|\s+)?(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\s{2,}(?P<said>\S.*)$"
)
_SOURCE = re.compile(r"\s{2,}(?P<source>[\w.-]+\.py:\d+)\s*$")  # the right-aligned `config.py:248`


def rich_records(text: str) -> list[tuple[str, str]]:
    """Each (level, message) of the rich records in `text`, its wrapped lines joined and its
    source column cut; [] when no line is one of rich's. Rich wraps a message at its spaces and
    folds a word longer than its column (a long path) mid-word: a piece that fills the column is
    joined to the next without a space."""
    records: list[tuple[str, str]] = []
    column = width = 0  # where the last record's message begins, and its width; 0: none open
    folded = False  # the last piece filled the column: the next goes on its word
    for line in text.splitlines():
        first = _FIRST.match(line)
        source = _SOURCE.search(line)
        if first is not None and source is not None:
            column = first.start("said")
            width = source.start("source") - column - 1  # a space stands between the columns
            piece = line[column : source.start()].strip()
            records.append((first["level"], piece))
        elif column and line[:column].isspace() and line[column:].strip():
            piece = _SOURCE.sub("", line[column:]).strip()
            level, said = records[-1]
            records[-1] = (level, f"{said}{'' if folded else ' '}{piece}")
        else:
            column = 0
            continue
        folded = len(piece) == width and " " not in piece
    return records
