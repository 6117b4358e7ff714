"""Logs as log collectors store them, one JSON object a line (real runs, wrapped as each
collector does: tests/fixtures/src/capture_collector_jsonl.sh): Docker's json-file driver, a
Kubernetes node's fluent-bit, Loki's `logcli --output jsonl`, and `journalctl -o json` of a
journal file systemd-journal-remote made (its coloured lines' MESSAGE a list of bytes). Before,
each was "format not recognised" (exit 2). Each is now read as the text it holds, and read as
that text is: the same failures and patterns, at the same line numbers, which are the wrapped
file's (each record one line), and every quote is the text of its record."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

WRAPPED = Path(__file__).parent / "fixtures" / "mixed" / "collector_jsonl"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _record_text(line: str) -> str:
    """The runner's line a record holds, as the collector's documentation says it is stored."""
    record = json.loads(line)
    for field in ("log", "MESSAGE", "line"):
        value = record.get(field)
        if isinstance(value, list):
            value = bytes(value).decode("utf-8")
        if isinstance(value, str):
            return value.removesuffix("\n")
    assert "__CURSOR" in record  # a journal entry of an empty line
    return ""


def _triaged(cli: RunCli, path: Path) -> dict[str, Any]:
    code, out, err = cli("triage", str(path), "--no-history", "-f", "json")
    assert code == 1, err
    report: dict[str, Any] = json.loads(out)
    return report


def _outcomes(report: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return [
        (
            f["failure"]["name"],
            f["outcome"].get("pattern_id") or "unclassified",
            f["failure"]["line_start"],
            f["failure"]["line_end"],
        )
        for f in report["findings"]
    ]


@pytest.mark.parametrize(
    ("log", "failures"),
    [
        ("docker_pytest.jsonl", 22),
        ("loki_pytest_q.jsonl", 22),
        ("k8s_node_spec.jsonl", 4),
        ("journal_mix_color.jsonl", 13),
    ],
)
def test_a_collectors_json_lines_read_as_the_text_they_hold(
    cli: RunCli, tmp_path: Path, log: str, failures: int
) -> None:
    wrapped = WRAPPED / log
    lines = wrapped.read_text("utf-8").splitlines()
    plain = tmp_path / "plain.log"
    plain.write_text("".join(f"{_record_text(line)}\n" for line in lines), "utf-8")
    report = _triaged(cli, wrapped)
    assert report["summary"]["failures"] == failures
    assert report["summary"]["unread"] == 0
    assert _outcomes(report) == _outcomes(_triaged(cli, plain))
    quoted = 0
    for finding in report["findings"]:
        for evidence in finding["outcome"].get("evidence", []):
            file, _, line = evidence["origin"].rpartition(":")
            if file == str(wrapped) and line.isdigit():
                record = _ANSI.sub("", _record_text(lines[int(line) - 1]))
                assert evidence["text"].strip()[:60] in record, (evidence, record)
                quoted += 1
    assert quoted > 0


def test_a_line_that_is_no_record_is_read_as_it_is(cli: RunCli, tmp_path: Path) -> None:
    """A blank line and a record the collector cut (no closing brace) among the records: the
    chunk is read line by line, each line still one line, the records' text unwrapped."""
    lines = (WRAPPED / "docker_pytest.jsonl").read_text("utf-8").splitlines()
    mixed = [*lines[:40], "", lines[40][:30], *lines[41:]]
    path = tmp_path / "cut.jsonl"
    path.write_text("".join(f"{line}\n" for line in mixed), "utf-8")
    plain = tmp_path / "plain.log"
    texts = [_record_text(line) for line in lines]
    plain.write_text("".join(f"{t}\n" for t in [*texts[:40], "", lines[40][:30], *texts[41:]]))
    assert _outcomes(_triaged(cli, path)) == _outcomes(_triaged(cli, plain))
