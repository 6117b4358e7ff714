"""Work the triage does once per failure, not once per quote or per fact that asks for it: a
block's lines compared whitespace-squeezed (`BlockLines.locate`, `.printed`) and the lines naming
a failure's pool (`PoolActivity.naming`); and once per distinct input, not once per failure: a
remediation, for what it shows of the facts. The answers are those of the work done afresh."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from poolctl.logs.records import IdentifierIndex, LogLine, ParsedLog
from poolctl.model import ContextLine, Diagnosis, Failure
from poolctl.patterns import load_patterns
from poolctl.triage import classifier, facts, locate
from poolctl.triage.engine import Triage
from poolctl.triage.locate import BlockLines
from poolctl.triage.pools import PoolActivity

BLOCK = [
    (10, "  1) test checkout waits (PoolSuite.CheckoutTest)"),
    (11, "     test/pool_test.exs:42"),
    (12, ""),
    (13, "     ** (exit) exited in: GenServer.call(:test_pool_7,"),
    (14, "          {:checkout, #PID<0.406.0>}, 100)"),
    (15, "         ** (EXIT) time out"),
]


def failure(line_start: int, context: tuple[ContextLine, ...] = ()) -> Failure:
    return Failure(
        source="exunit",
        name="test checkout waits",
        input_file="run.log",
        line_start=line_start,
        line_end=line_start + 5,
        kind="exit",
        message="exited in: GenServer.call(:test_pool_7, {:checkout, #PID<0.406.0>}, 100)",
        context=context,
    )


def test_a_blocks_lines_are_squeezed_once_for_all_its_quotes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    squeezed: list[str] = []
    strip = locate._strip

    def counted(text: str) -> str:
        squeezed.append(text)
        return strip(text)

    f = failure(10)
    blocks = BlockLines().with_lines(f, list(BLOCK))
    monkeypatch.setattr(locate, "_strip", counted)
    assert blocks.locate(f, "** (EXIT) time out") == 15
    assert blocks.locate(f, "test/pool_test.exs:42") == 11
    assert blocks.locate(f, "no such line") is None
    joined = "exited in: GenServer.call(:test_pool_7, {:checkout, #PID<0.406.0>}, 100)"
    assert blocks.printed(f, joined, "GenServer.call") == (
        13,
        "** (exit) exited in: GenServer.call(:test_pool_7,",
    )
    assert blocks.printed(f, "** (EXIT) time out") is None  # a line holds it: `locate` places it
    assert blocks.said_at(f, "GenServer.call") is None  # the message is joined from two lines
    assert sorted(t for t in squeezed if t in dict(BLOCK).values()) == sorted(t for _, t in BLOCK)
    # a block given again (`with_lines`: a new list) is compared anew
    moved = [(n + 100, t) for n, t in BLOCK]
    blocks.with_lines(f, moved)
    assert blocks.locate(f, "** (EXIT) time out") == 115


def test_a_line_many_blocks_print_is_squeezed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a capture given twice: the second's blocks print the first's lines
    paths = [str(Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log")] * 2
    kb = load_patterns([])
    parsed = read_logs(paths)
    printed = {text for lines in parsed.blocks.values() for _, text in lines}
    squeezed: list[str] = []
    strip = locate._strip

    def counted(text: str) -> str:
        # an indented line as the block printed it (a quote, a match are stripped)
        squeezed.extend([text] if text in printed and text.startswith("  ") else [])
        return strip(text)

    monkeypatch.setattr(locate, "_strip", counted)
    report = Triage(kb).report(parsed)
    times = Counter(squeezed)
    assert times and max(times.values()) == 1, times.most_common(3)
    # each block's lines squeezed anew, as before: the same report
    monkeypatch.setattr(
        locate.BlockLines,
        "_rows_of",
        lambda self, f: locate._Rows(self.lines(f)),
    )
    assert Triage(kb).report(read_logs(paths)) == report


def test_the_lines_naming_a_failures_pool_are_gathered_once_per_failure() -> None:
    near: list[tuple[str, int]] = []

    class Parsed(ParsedLog):
        def near(self, f: Failure) -> Any:
            near.append((f.input_file, f.line_start))
            return super().near(f)

    index = IdentifierIndex()
    started = LogLine("run.log", 3, "[info] Pool :test_pool_7 started with 1 workers")
    index.add(":test_pool_7", started)
    before = ContextLine(
        8, "[debug] Attempting to checkout from pool: :test_pool_7", "before the header"
    )
    first, second = failure(10, (before,)), failure(40)
    parsed = Parsed(failures=[first, second], identifiers=index, indexed_to={"run.log": 5})
    pools = PoolActivity(parsed)
    fresh = PoolActivity(
        ParsedLog(failures=[first, second], identifiers=index, indexed_to={"run.log": 5})
    )
    wanted = fresh.naming(":test_pool_7", first)
    assert [ln.line for ln in wanted] == [3, 8]
    assert pools.naming(":test_pool_7", first) == wanted
    assert pools.activity(":test_pool_7", first) == fresh.activity(":test_pool_7", first)
    assert pools.naming(":test_pool_7", first) == wanted
    assert near == [("run.log", 10)]  # the activity and the second call asked no more
    assert pools.naming(":test_pool_7", second) == fresh.naming(":test_pool_7", second)
    assert near == [("run.log", 10), ("run.log", 40)]


def test_a_remediation_is_rendered_once_for_what_it_shows_of_the_facts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a capture given twice: the second's failures show the first's facts
    paths = [str(Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log")] * 2
    kb = load_patterns([])
    templates = {p.remediation for p in kb}
    rendered: list[str] = []
    render = classifier.render_template

    def counted(template: str, facts: dict[str, Any]) -> str:
        rendered.extend([template] if template in templates else [])
        return render(template, facts)

    monkeypatch.setattr(classifier, "render_template", counted)
    classifier._RENDERED.clear()
    report = Triage(kb).report(read_logs(paths))
    diagnosed = [f for f in report.findings if isinstance(f.outcome, Diagnosis)]
    assert diagnosed and len(rendered) <= len(diagnosed) // 2, (len(rendered), len(diagnosed))
    # each rendered anew, as before: the same report
    monkeypatch.setattr(
        classifier, "remediation_text", lambda t, f: classifier._SPACES.sub(" ", render(t, f))
    )
    assert Triage(kb).report(read_logs(paths)) == report


def test_a_remembered_remediation_is_told_apart_by_every_name_its_template_reads() -> None:
    # `{a|b|text}` tries its last alternative as a fact too; a condition reads its fact's truth
    template = "Use {pool|size|the pool}{?oversubscribed: with fewer callers}  {!pool:first}."
    cases: list[dict[str, Any]] = [
        {},
        {"pool": "p1"},
        {"pool": "p2"},
        {"size": 3},
        {"size": [3, 4]},
        {"the pool": "q"},
        {"pool": "", "size": 0},
        {"oversubscribed": True, "pool": "p1"},
        {"oversubscribed": False, "pool": "p1"},
    ]
    classifier._RENDERED.clear()
    for shown in cases * 2:
        fresh = classifier._SPACES.sub(" ", classifier.render_template(template, shown))
        assert classifier.remediation_text(template, shown) == fresh, shown


def test_two_key_names_are_compared_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a capture given twice: its key mismatches compare the same names again
    paths = [str(Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log")] * 2
    kb = load_patterns([])
    compared: list[tuple[str, str]] = []

    class Counted(difflib.SequenceMatcher[str]):
        def __init__(self, isjunk: Any, a: str, b: str) -> None:
            compared.append((a, b))
            super().__init__(isjunk, a, b)

    getattr(facts._likeness, "cache_clear", lambda: None)()  # names compared by other tests
    monkeypatch.setattr(difflib, "SequenceMatcher", Counted)
    report = Triage(kb).report(read_logs(paths))
    assert compared and len(compared) == len(set(compared)), compared
    facts._likeness.cache_clear()
    monkeypatch.setattr(facts, "_likeness", facts._likeness.__wrapped__)  # each compared anew
    assert Triage(kb).report(read_logs(paths)) == report
