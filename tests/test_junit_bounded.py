"""A JUnit report with one huge token (an attribute, a start tag of many attributes, a comment,
a processing instruction) is read with the token closed early and the rest of it skipped
(poolctl/logs/junit_bounded.py): expat would hold it whole (a 200 MB `message` took 735 MB).
The memory itself is measured in bench/junit_memory.py; these tests check what is read.

Each report is the real capture tests/fixtures/junit/mocha_junit.xml (mocha-junit-reporter's,
whose `message` attribute is each failure's message) with a token in its first failure made huge."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from poolctl.logs import read_logs
from poolctl.logs.junit_bounded import MAX_DEPTH, MAX_PENDING
from poolctl.logs.scan import MAX_FIELD
from tests.conftest import RunCli

CAPTURE = Path(__file__).parent / "fixtures" / "junit" / "mocha_junit.xml"
ORIGINAL = read_logs([str(CAPTURE)])
MESSAGE = re.compile(rb'<failure message="([^"]*)"')
MESSAGE_END = b'<failure message="'


def _with(tmp_path: Path, where: bytes, inserted: bytes, after: bool = False) -> Path:
    """The capture with `inserted` put before (or after) the first `where` in it."""
    data = CAPTURE.read_bytes()
    at = data.index(where) + (len(where) if after else 0)
    if where == MESSAGE_END:  # the end of the first failure's `message` value
        at = data.index(b'"', at + len(where))
    path = tmp_path / "huge.xml"
    path.write_bytes(data[:at] + inserted + data[at:])
    return path


def _line_of(path: Path, text: bytes, nth: int = 0) -> int:
    data = path.read_bytes()
    at = -1
    for _ in range(nth + 1):
        at = data.index(text, at + 1)
    return data.count(b"\n", 0, at) + 1


def _same_failures_as_the_capture(path: Path) -> list[str]:
    """Every failure of the capture is read, named and typed as before, each starting on the
    line its test case starts on in `path`; returns the report's notes."""
    parsed = read_logs([str(path)])
    assert [(f.name, f.kind) for f in parsed.failures] == [
        (f.name, f.kind) for f in ORIGINAL.failures
    ]
    for n, failure in enumerate(parsed.failures):
        name = f"name={quoteattr(failure.name)}".encode()
        nth = [f.name for f in parsed.failures[:n]].count(failure.name)
        assert failure.line_start == _line_of(path, name, nth), failure.name
    assert [(s.failures, s.read) for s in parsed.summaries] == [
        (s.failures, s.read) for s in ORIGINAL.summaries
    ]
    return parsed.skipped


def test_a_huge_message_attribute_is_kept_to_the_cap_and_the_rest_skipped(
    tmp_path: Path,
) -> None:
    first = MESSAGE.search(CAPTURE.read_bytes())
    assert first is not None
    # 3 MB more of the message, with raw newlines in it (XML reads them as spaces): the lines
    # after it still count them
    more = (b" and again&#10;" + first.group(1) + b"\n") * (3 * MAX_PENDING // len(first.group(1)))
    path = _with(tmp_path, MESSAGE_END, more)
    notes = _same_failures_as_the_capture(path)
    huge = read_logs([str(path)]).failures[0]
    said = ORIGINAL.failures[0].message
    assert huge.message.startswith(said) and len(huge.message) == MAX_FIELD
    assert huge.message.endswith("…")
    line = _line_of(path, b"<failure ")
    size = (len(first.group(0)) - len(b'<failure message="') + len(more)) / 1e6
    [note] = [n for n in notes if "skipped" in n and "MB" in n]
    assert re.fullmatch(
        rf"{re.escape(str(path))}:{line}: the `message` attribute of <failure> is "
        rf"{size:.1f} MB: its first \d\.\d MB read, the rest skipped \(expat holds a token "
        r"whole: the report stays in bounded memory\)",
        note,
    ), note


@pytest.mark.parametrize("pad", range(9))
def test_a_value_cut_inside_a_character_or_an_entity_is_cut_after_it(
    tmp_path: Path, pad: int
) -> None:
    """The value is closed where expat stopped, after the character or `&…;` it was reading:
    at one of nine offsets the chunk's end falls inside a 4-byte character or an entity."""
    more = b" " * pad + "😀&amp;".encode() * (3 * MAX_PENDING // 9)
    path = _with(tmp_path, MESSAGE_END, more)
    notes = _same_failures_as_the_capture(path)
    assert any("the `message` attribute of <failure> is " in n for n in notes)
    huge = read_logs([str(path)]).failures[0]
    assert huge.message.endswith("😀&…") or huge.message.endswith("&😀…")


def test_a_start_tag_of_many_attributes_keeps_the_first_ones(tmp_path: Path) -> None:
    """A `<testcase>` whose attributes go on for 1.6 MB: its own (the first) are read, the rest
    skipped; a self-closing tag (`<skipped/>`) so made is closed too."""
    extra = b"".join(b' x%d="%d"' % (i, i) for i in range(3 * MAX_PENDING // 12))
    path = _with(tmp_path, b' time="0.207"', extra, after=True)
    data = path.read_bytes()
    skipped = data.index(b"<skipped") + len(b"<skipped")
    path.write_bytes(data[:skipped] + extra + data[skipped:])
    notes = _same_failures_as_the_capture(path)
    said = [n.split(": ", 1)[1].split(" is ")[0] for n in notes if " MB: its first " in n]
    assert said == [
        "the start tag <testcase> (its attributes)",
        "the start tag <skipped> (its attributes)",
    ]


@pytest.mark.parametrize(
    ("opening", "closing", "said"),
    [(b"<!--", b"-->", "a comment"), (b"<?huge ", b"?>", "a processing instruction")],
)
def test_a_huge_comment_or_processing_instruction_is_skipped(
    tmp_path: Path, opening: bytes, closing: bytes, said: str
) -> None:
    body = b"a line of a comment, <tags> & all -\n" * (3 * MAX_PENDING // 36)
    path = _with(tmp_path, b"</failure>", opening + body + closing, after=True)
    notes = _same_failures_as_the_capture(path)
    line = _line_of(path, opening)
    size = (len(opening + body + closing)) / 1e6
    assert any(n.startswith(f"{path}:{line}: {said} is {size:.1f} MB: its first ") for n in notes)


def test_a_report_nested_deeper_than_any_junit_is_one_line_and_exit_2(
    tmp_path: Path, cli: RunCli
) -> None:
    """expat keeps every open element (200 MB of `<a>` took 3.7 GB): past MAX_DEPTH the report
    is refused, not read on."""
    path = _with(tmp_path, b"</failure>", b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1))
    code, out, err = cli("triage", str(path), "--no-history", "--format", "json")
    line = _line_of(path, b"<a>")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"poolctl: error: {path}:{line}: JUnit XML nested more than {MAX_DEPTH:,} elements "
        "deep: not a JUnit report; 1 test case(s), 0 failing, read before it"
    ]


@pytest.mark.parametrize(
    ("kept", "unchecked"), [(2, "1 test case(s) from line 12"), (1, "3 test case(s) from line 10")]
)
def test_names_past_the_cap_are_counted_as_not_checked(
    monkeypatch: pytest.MonkeyPatch, kept: int, unchecked: str
) -> None:
    """Each test case's name is kept to find another with the same (for the history): past
    MAX_NAMES names (3,000,000 test cases of their own names took 655 MB) a new name is not
    kept, and the note says how many were not checked, from where. A name kept is still found
    again: the real capture tests/fixtures/junit/jest_same_titles.xml names one failing test
    on lines 4 and 20."""
    monkeypatch.setattr("poolctl.logs.junit_names.MAX_NAMES", kept)
    path = Path(__file__).parent / "fixtures" / "junit" / "jest_same_titles.xml"
    [note] = read_logs([str(path)]).skipped
    assert note.startswith(
        f"{path}: 1 test name(s) are on more than one test case, one failing, with no file to "
        "tell them apart: 'reports pool checks out a worker' (lines 4, 20); "
    )
    assert note.endswith(
        f"; {unchecked} on, past the first {kept} names, were not checked for a name another "
        "test case has (each name is kept to check it: bounded memory)"
    )


def test_names_past_the_cap_alone_are_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("poolctl.logs.junit_names.MAX_NAMES", 0)
    path = Path(__file__).parent / "fixtures" / "junit" / "jest_same_titles.xml"
    assert read_logs([str(path)]).skipped == [
        f"{path}:4: 5 test case(s) from line 4 on, past the first 0 names, were not checked "
        "for a name another test case has (each name is kept to check it: bounded memory)"
    ]
