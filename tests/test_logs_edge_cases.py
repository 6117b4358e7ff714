"""Parser edge cases on small inline inputs: numbering, glued headers, colours, bad bytes, XML."""

from __future__ import annotations

import io
import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poolctl.errors import InputError, UsageProblem
from poolctl.logs import PARSERS, detect_format, read_logs
from poolctl.logs.lines import ChunkReader, iter_lines
from poolctl.logs.records import ParsedLog
from tests.conftest import Processes

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


BLOCK = """{n}) test does a thing (My.AppTest)
     test/my_app_test.exs:12
     Assertion with == failed
     code:  assert 1 == 2
     left:  1
     right: 2
     stacktrace:
       test/my_app_test.exs:13: (test)
"""


# -- ExUnit ----------------------------------------------------------------------------------
def test_three_digit_numbering_and_the_result_closing_form(tmp_path: Path) -> None:
    blocks = "\n".join(BLOCK.format(n=f"{n:>3}") for n in (9, 10, 100))
    log = (
        f"{blocks}\nFinished in 0.1 seconds (0.00s async, 0.1s sync)\nResult: 3 failed, 97 passed\n"
    )
    parsed = read_logs([write(tmp_path, "run.log", log)])
    assert [f.details["counter"] for f in parsed.failures] == ["9", "10", "100"]
    assert [f.line_start for f in parsed.failures] == [1, 10, 19]
    assert all(f.kind == "assertion ==" and f.details["right"] == "2" for f in parsed.failures)
    [summary] = parsed.summaries
    assert (summary.failures, summary.tests, summary.inferred) == (3, 100, False)


def test_closing_lines_of_several_elixir_versions(tmp_path: Path) -> None:
    log = (
        BLOCK.format(n="  1")
        + "\n45 doctests, 563 tests, 17 failures, 11 skipped\n\n"
        + BLOCK.format(n="  1")
        + "\n3 tests, 1 failure (1 excluded)\n"
        + BLOCK.format(n="  1")
        + "\nFailed: 1 test\n"
    )
    parsed = read_logs([write(tmp_path, "runs.log", log)])
    assert [(s.tests, s.failures) for s in parsed.summaries] == [(608, 17), (3, 1), (None, 1)]
    assert len(parsed.failures) == 3


def test_header_glued_after_logger_text_and_dots(tmp_path: Path) -> None:
    log = (
        "21:39:02.341 [warning] Unexpected message during init, continuing to wait..."
        + BLOCK.format(n="  3")
        + "\n.....  4) test other thing (My.AppTest)\n     test/my_app_test.exs:20\n"
        "     ** (RuntimeError) boom\n     stacktrace:\n       test/my_app_test.exs:21: (test)\n"
    )
    parsed = read_logs([write(tmp_path, "glued.log", log)])
    first, second = parsed.failures
    assert (first.line_start, first.name, first.group) == (1, "test does a thing", "My.AppTest")
    glued = [c for c in first.context if c.why == "same line as the header"]
    assert glued[0].text.startswith("21:39:02.341 [warning] Unexpected message")
    assert (second.line_start, second.kind, second.message) == (10, "RuntimeError", "boom")


def test_logger_line_interleaved_inside_a_block(tmp_path: Path) -> None:
    log = (
        "  1) test slow checkout (PoolTest)\n"
        "     test/pool_test.exs:5\n"
        "     match (=) failed\n"
        "\n"
        "12:00:00.000 [error] Checkout failed on :test_pool_42\n"
        "     code:  assert {:ok, _} = Pool.checkout(:test_pool_42)\n"
        "     right: {:error, :timeout}\n"
        "     stacktrace:\n"
        "       test/pool_test.exs:6: (test)\n"
        "\n"
        "12:00:01.000 [info] next test\n"
    )
    [failure] = read_logs([write(tmp_path, "inter.log", log)]).failures
    assert failure.details["right"] == "{:error, :timeout}"
    assert (failure.line_start, failure.line_end) == (1, 9)
    inside = [c for c in failure.context if c.why == "inside the block"]
    assert [c.line for c in inside] == [5]


def test_failure_number_sections_and_setup_all(tmp_path: Path) -> None:
    log = (
        "  1) test two errors (PoolTest)\n"
        "     test/pool_test.exs:5\n"
        "     Failure #1\n"
        "     ** (RuntimeError) first\n"
        "     stacktrace:\n"
        "       test/pool_test.exs:6: (test)\n"
        "\n"
        "     Failure #2\n"
        "     ** (exit) shutdown\n"
        "\n"
        "  2) PoolTest: failure on setup_all callback, all tests have been invalidated\n"
        "     ** (exit) exited in: GenServer.call(My.Bridge, :reset, 5000)\n"
        "         ** (EXIT) no process\n"
    )
    first, second = read_logs([write(tmp_path, "multi.log", log)]).failures
    assert (first.kind, first.message, first.details["failures"]) == ("RuntimeError", "first", "2")
    assert first.details["failure #2"] == "** (exit) shutdown"
    assert (second.group, second.details["callback"], second.kind) == (
        "PoolTest",
        "setup_all",
        "exit",
    )
    assert "** (EXIT) no process" in second.message


def test_two_pasted_runs_without_closing_line(tmp_path: Path) -> None:
    log = BLOCK.format(n="  1") + "\n" + BLOCK.format(n="  2") + "\n" + BLOCK.format(n="  1")
    parsed = read_logs([write(tmp_path, "pasted.log", log)])
    assert [f.line_start for f in parsed.failures] == [1, 10, 19]
    assert [(s.inferred, s.failures) for s in parsed.summaries] == [(True, 2), (True, 1)]


def test_ansi_colours_are_removed(tmp_path: Path) -> None:
    log = (
        "\x1b[31m  1) test red (ColourTest)\x1b[0m\n"
        "\x1b[36m     test/colour_test.exs:3\x1b[0m\n"
        "     \x1b[31m** (KeyError) key :pool_pid not found\x1b[0m\n"
        "\x1b[0m\n10 tests, 1 failure\n"
    )
    parsed = read_logs([write(tmp_path, "colour.log", log)])
    [failure] = parsed.failures
    assert (failure.name, failure.location, failure.kind) == (
        "test red",
        "test/colour_test.exs:3",
        "KeyError",
    )
    assert failure.message == "key :pool_pid not found"


def test_worker_tracebacks_and_crash_reports(tmp_path: Path) -> None:
    log = (
        "12:00:00.000 [error] GenServer :test_pool_7 terminating\n"
        "** (RuntimeError) worker crashed\n"
        "    (pool 0.1.0) lib/pool.ex:10: Pool.handle_call/3\n"
        "Last message: :checkout\n"
        "\n"
        "Traceback (most recent call last):\n"
        '  File "worker.py", line 3, in <module>\n'
        "    main()\n"
        "KeyError: 'program_id'\n"
        "\n"
        "10 tests, 0 failures\n"
    )
    parsed = read_logs([write(tmp_path, "crash.log", log)])
    crash, python = parsed.tracebacks
    assert (crash.line_start, crash.line_end) == (1, 4)
    assert crash.exception == "** (RuntimeError) worker crashed"
    assert (python.line_start, python.line_end, python.exception) == (
        6,
        9,
        "KeyError: 'program_id'",
    )
    assert parsed.failures == []


def test_identifier_context_from_later_lines(tmp_path: Path) -> None:
    log = (
        "  1) test pool (PoolTest)\n"
        "     test/pool_test.exs:5\n"
        "     right: {:error, {:shutdown, {NimblePool, :checkout, [:test_pool_8962]}}}\n"
        "\n"
        + "filler\n" * 100
        + "12:00:00.000 [info] Pool :test_pool_8962 terminating (os_pid: 1925679)\n"
    )
    [failure] = read_logs([write(tmp_path, "ids.log", log)]).failures
    assert [(c.line, c.why) for c in failure.context] == [(105, "names :test_pool_8962")]


# -- pytest ----------------------------------------------------------------------------------
def test_pytest_cut_summary_lines_only(tmp_path: Path) -> None:
    log = (
        "============================= test session starts ==============================\n"
        "collected 3 items\n\n"
        "t.py FF.\n\n"
        "=========================== short test summary info ============================\n"
        "FAILED t.py::test_a - KeyError: 'pool_...\n"
        "FAILED t.py::TestPool::test_b[x - y] - poolkit.CheckoutTimeout: timed out\n"
        "========================= 2 failed, 1 passed in 0.12s ==========================\n"
    )
    parsed = read_logs([write(tmp_path, "tbno.txt", log)])
    first, second = parsed.failures
    assert (first.name, first.group, first.kind, first.line_start) == (
        "test_a",
        "t.py",
        "KeyError",
        7,
    )
    assert first.message == "KeyError: 'pool_..."
    assert (second.name, second.group) == ("TestPool.test_b[x - y]", "t.py::TestPool")
    assert second.kind == "CheckoutTimeout"
    [summary] = parsed.summaries
    assert (summary.tests, summary.failures) == (3, 2)


def test_pytest_tb_line_mode(tmp_path: Path) -> None:
    log = (
        "=================================== FAILURES ===================================\n"
        "E   KeyError: 'pool_pid'\n"
        "/tmp/pt/test_a.py:3: KeyError: 'pool_pid'\n"
        "=========================== short test summary info ============================\n"
        "FAILED test_a.py::test_one - KeyError: 'pool_pid'\n"
        "1 failed in 0.50s\n"
    )
    parsed = read_logs([write(tmp_path, "tbline.txt", log)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.line_start, failure.line_end) == (
        "test_one",
        "KeyError",
        2,
        3,
    )
    assert failure.location == "/tmp/pt/test_a.py:3"
    assert [s.failures for s in parsed.summaries] == [1]


def test_pytest_passes_section_is_not_failures(tmp_path: Path) -> None:
    log = (
        "============================= test session starts ==============================\n"
        "==================================== PASSES ====================================\n"
        "_________________________________ test_fine __________________________________\n"
        "------------------------------ Captured log call -------------------------------\n"
        "INFO     pool:pool.py:1 started 'pool_ok'\n"
        "============================== 1 passed in 0.01s ===============================\n"
    )
    parsed = read_logs([write(tmp_path, "passes.txt", log)])
    assert parsed.failures == [] and parsed.summaries[0].failures == 0


# -- JUnit -----------------------------------------------------------------------------------
SUREFIRE = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.PoolTest" tests="2" failures="1" errors="1">
  <testcase name="checkoutTimesOut" classname="com.example.PoolTest" time="5.01">
    <failure message="expected:&lt;ok&gt; but was:&lt;timeout&gt;"
             type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError
	at com.example.PoolTest.checkoutTimesOut(PoolTest.java:42)</failure>
    <system-out>pool 'pool_a' queued 3 callers</system-out>
  </testcase>
  <testcase name="workerDies" classname="com.example.PoolTest">
    <error type="java.io.IOException">Broken pipe</error>
  </testcase>
  <testcase name="skipped" classname="com.example.PoolTest"><skipped/></testcase>
</testsuite>
"""


def test_generic_surefire_junit(tmp_path: Path) -> None:
    parsed = read_logs([write(tmp_path, "TEST-PoolTest.xml", SUREFIRE)])
    assert parsed.formats[str(tmp_path / "TEST-PoolTest.xml")] == "junit"
    first, second = parsed.failures
    assert (first.source, first.name, first.group) == (
        "junit",
        "checkoutTimesOut",
        "com.example.PoolTest",
    )
    assert first.kind == "org.opentest4j.AssertionFailedError"
    assert first.message == "expected:<ok> but was:<timeout>"
    assert first.details["system-out"] == "pool 'pool_a' queued 3 callers"
    assert (first.line_start, first.line_end) == (3, 8)
    assert (second.kind, second.message, second.details["outcome"]) == (
        "java.io.IOException",
        "Broken pipe",
        "error",
    )


def test_xunit1_lines_are_one_based_and_xunit2_has_none(tmp_path: Path) -> None:
    xunit1 = (
        '<?xml version="1.0"?><testsuites><testsuite name="pytest">'
        '<testcase classname="t" name="test_a" file="t.py" line="4">'
        '<failure message="assert 0">E   assert 0\n\nt.py:6: AssertionError</failure>'
        "</testcase></testsuite></testsuites>"
    )
    xunit2 = xunit1.replace(' file="t.py" line="4"', "")
    one = read_logs([write(tmp_path, "x1.xml", xunit1)]).failures[0]
    two = read_logs([write(tmp_path, "x2.xml", xunit2)]).failures[0]
    assert one.location == "t.py:5"  # pytest writes the 0-based `def` line
    assert two.location == "t.py:6"  # the failing line, from the traceback text
    assert one.kind == two.kind == "AssertionError"


def test_doctype_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<testsuite><testcase name="x"><failure message="&lol2;"/></testcase></testsuite>\n'
    )
    path = write(tmp_path, "bomb.xml", bomb)
    with pytest.raises(InputError):
        read_logs([path])
    parsed = read_logs([path, write(tmp_path, "ok.log", BLOCK.format(n="  1"))])
    assert any("DOCTYPE refused" in note for note in parsed.skipped)
    assert len(parsed.failures) == 1


def test_cut_junit_xml_is_read_up_to_its_place(tmp_path: Path) -> None:
    """A JUnit file cut short is read up to the cut, noted with its place and its suite's count
    marked partial, never "fewer failures" unsaid, even beside a good input (it was refused)."""
    xml = SUREFIRE.split('<testcase name="workerDies"')[0]
    cut = write(tmp_path, "cut.xml", xml)
    place = f"{cut}:{xml.count(chr(10)) + 1}:{len(xml.rsplit(chr(10), 1)[-1]) + 1}"
    for inputs in ([cut], [write(tmp_path, "ok.log", BLOCK.format(n="  1")), cut]):
        parsed = read_logs(inputs)
        assert [f.name for f in parsed.failures if f.input_file == cut] == ["checkoutTimesOut"]
        [note] = [n for n in parsed.skipped if cut in n]
        assert note.startswith(f"{place}: JUnit XML cut short (no element found)")
        assert "1 test case(s) whole, 1 failing" in note
        [suite] = [s for s in parsed.summaries if s.file == cut]
        assert (suite.source, suite.failures, suite.read) == ("cut short", 2, 1)


def test_junit_documents_written_one_after_another_are_each_read(tmp_path: Path) -> None:
    """`cat reports/*.xml > all.xml`: each document is read, its lines counted on from the
    ones before it, and each suite's count kept."""
    junit = Path(__file__).parent / "fixtures" / "junit"
    first, second = (
        (junit / "pytest_xunit2.xml").read_text(),
        (junit / "jest_junit.xml").read_text(),
    )
    both = write(tmp_path, "all.xml", first + "\n" + second)
    alone = [read_logs([str(junit / n)]) for n in ("pytest_xunit2.xml", "jest_junit.xml")]
    parsed = read_logs([both])
    offset = first.count("\n") + 1
    want = [(f.name, f.line_start) for f in alone[0].failures] + [
        (f.name, f.line_start + offset) for f in alone[1].failures
    ]
    assert [(f.name, f.line_start) for f in parsed.failures] == want
    assert [(s.failures, s.read) for s in parsed.summaries] == [
        (s.failures, s.read) for a in alone for s in a.summaries
    ]
    # the second one cut short: read up to the cut, at its own place, the first one whole
    cut = write(tmp_path, "cut.xml", first + second[: len(second) // 2])
    parsed = read_logs([cut])
    [note] = [n for n in parsed.skipped if "JUnit XML cut short" in n]
    assert int(note.split(":")[1]) > offset
    assert parsed.summaries[0] == replace(alone[0].summaries[0], file=cut)
    assert parsed.summaries[-1].source == "cut short"


def test_junit_suites_declare_the_failures_they_hold(tmp_path: Path) -> None:
    parsed = read_logs([write(tmp_path, "TEST-PoolTest.xml", SUREFIRE)])
    [suite] = parsed.summaries
    assert (suite.failures, suite.read, suite.tests, suite.source) == (2, 2, 2, "suite attributes")
    assert suite.text == '<testsuite name="com.example.PoolTest" tests="2" failures="1" errors="1">'
    assert (suite.start, suite.line) == (2, 13)


# -- bytes, sizes, inputs --------------------------------------------------------------------
def test_binary_junk_lines_are_skipped_and_numbering_kept(tmp_path: Path) -> None:
    data = (
        b"12:00:00.000 [info] start\n"
        + b"\x00\x01\x02\xff\xfe binary\n" * 3
        + BLOCK.format(n="  1").encode()
        + b"\x00junk\n"
    )
    parsed = read_logs([write(tmp_path, "junk.log", data)])
    [failure] = parsed.failures
    assert failure.line_start == 5
    name = str(tmp_path / "junk.log")
    assert f"{name}:2-4: binary data skipped (3 lines)" in parsed.skipped
    assert f"{name}:13: binary data skipped (1 line)" not in parsed.skipped  # text after a NUL
    assert f"{name}:13: NUL bytes dropped (here first)" in parsed.skipped


def test_nul_bytes_glued_to_log_lines_do_not_hide_the_failure(tmp_path: Path) -> None:
    """A NUL after each line (a log with ANSI colours and NULs) was read as 25 lines of binary
    data: `0 failures`, exit 0, for a log whose app failed to start. The text is kept now."""
    clean = (FIXTURES / "exunit" / "app_start_failed.log").read_bytes()
    expected = read_logs([write(tmp_path, "clean.log", clean)])
    dirty = clean.replace(b"\n", b"\x1b[31m\x00\n")
    parsed = read_logs([write(tmp_path, "nul.log", dirty)])
    assert [f.name for f in parsed.failures] == [f.name for f in expected.failures] != []
    assert [f.line_start for f in parsed.failures] == [f.line_start for f in expected.failures]
    name = str(tmp_path / "nul.log")
    assert parsed.skipped[0] == f"{name}:1: NUL bytes dropped (here first)"
    assert not [n for n in parsed.skipped if "binary data skipped" in n]


def test_invalid_utf8_is_replaced_and_noted_once(tmp_path: Path) -> None:
    data = (
        b"caf\xe9 one\n" + BLOCK.format(n="  1").encode().replace(b"does", b"d\xf6es") + b"\xe9\n"
    )
    parsed = read_logs([write(tmp_path, "latin1.log", data)], fmt="exunit")
    notes = [n for n in parsed.skipped if "invalid UTF-8" in n]
    assert notes == [
        f"{tmp_path / 'latin1.log'}:1: invalid UTF-8, decoded with replacement characters"
    ]
    assert parsed.failures[0].name == "test d\ufffdes a thing"


def test_a_100_mb_line_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    block = b"x" * (1 << 20)
    with path.open("wb") as out:
        out.write(b"12:00:00.000 [info] before\n")
        for _ in range(100):
            out.write(block)
        out.write(b"\n" + BLOCK.format(n="  1").encode())
    parsed = read_logs([str(path)], fmt="exunit")
    assert [f.line_start for f in parsed.failures] == [3]
    assert parsed.skipped == [f"{path}:2: line of {100 << 20:,} bytes cut to its first {1 << 20:,}"]


def test_long_line_cut_at_a_utf8_boundary() -> None:
    notes: list[str] = []
    data = "é" * 20 + "\nnext\n"
    reader = ChunkReader(io.BytesIO(data.encode()), "s", notes, max_line=9)
    assert list(iter_lines(iter(reader))) == [(1, "éééé"), (2, "next")]
    assert notes == ["s:1: line of 40 bytes cut to its first 9"]


def test_empty_unreadable_and_unknown_inputs(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.log", "")
    unknown = write(tmp_path, "notes.txt", "just some prose\nwith no test output\n")
    missing = str(tmp_path / "missing.log")
    with pytest.raises(InputError) as error:
        read_logs([empty, unknown, missing])
    message = str(error.value)
    assert "empty input" in message and "format not recognised" in message
    assert "No such file" in message
    parsed = read_logs([empty, unknown, missing, write(tmp_path, "ok.log", BLOCK.format(n="  1"))])
    assert len(parsed.skipped) == 3 and len(parsed.failures) == 1
    with pytest.raises(InputError, match="no ExUnit output found in it"):
        read_logs([unknown], fmt="exunit")  # an explicit format finds none of its lines there


def test_unknown_format_name_is_a_usage_problem() -> None:
    with pytest.raises(UsageProblem):
        read_logs(["x"], fmt="tap")


def test_stdin_and_several_inputs_each_with_its_format(tmp_path: Path) -> None:
    stdin = io.BytesIO(BLOCK.format(n="  1").encode())
    parsed = read_logs(
        ["-", write(tmp_path, "r.xml", SUREFIRE), "-"],
        stdin=stdin,
    )
    assert parsed.formats == {"<stdin>": "exunit", str(tmp_path / "r.xml"): "junit"}
    assert [f.source for f in parsed.failures] == ["exunit", "junit", "junit"]
    assert parsed.failures[0].input_file == "<stdin>"
    assert any("standard input named twice" in note for note in parsed.skipped)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b'<?xml version="1.0"?>\n<testsuites>', "junit"),
        (b"<testsuite name='x'>", "junit"),
        (b"===== test session starts =====\nplatform linux\n", "pytest"),
        (b"____ test_a ____\n\n    def test_a():\n>       assert 0\nE       assert 0\n", "pytest"),
        (b"Compiling 2 files (.ex)\n  1) test a (ATest)\n     test/a_test.exs:3\n", "exunit"),
        (b"12:00:00.000 [debug] Starting pool\n", "exunit"),
        (b"Finished in 0.1 seconds\n3 tests, 0 failures\n", "exunit"),
        (b"\x1b[32m.\x1b[0m\nFinished in 0.1 seconds\n", "exunit"),
        (b"hello world\n", None),
        (b"\x00\x01\x02", None),
    ],
)
def test_detect_format(head: bytes, fmt: str | None) -> None:
    assert detect_format(head) == fmt


# -- robustness ------------------------------------------------------------------------------
_LINES = st.sampled_from(
    [
        "  1) test x (M)",
        " 10) test y (M.N)",
        "     test/x.exs:1",
        "     ** (EXIT from #PID<0.1.0>) shutdown",
        "     code: x",
        "     left: %{",
        "     stacktrace:",
        "       lib/x.ex:1: X.y/1",
        "Traceback (most recent call last):",
        '  File "x.py", line 1',
        "ValueError: x",
        "12:00:00.000 [error] GenServer :pool_1 terminating",
        "** (RuntimeError) boom",
        "=== FAILURES ===",
        "___ test_a ___",
        "E   KeyError: 'pool_x'",
        "x.py:1: KeyError",
        "FAILED x.py::test_a - KeyError",
        "3 tests, 1 failure",
        "== 1 failed in 0.1s ==",
        "",
        "<testsuite><testcase name='a'><failure>",
    ]
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), lines=st.lists(st.one_of(_LINES, st.text(max_size=40))))
def test_arbitrary_input_never_crashes_a_parser(data: bytes, lines: list[str]) -> None:
    for payload in (data, "\n".join(lines).encode("utf-8", "surrogatepass")):
        for name, parse in PARSERS.items():
            out = ParsedLog()
            try:
                parse(io.BytesIO(payload[7:]), name, out, payload[:7])
            except InputError as refused:  # a clean refusal names the place (XML that is not)
                assert name == "junit" and refused.where and refused.where.startswith("junit")
                continue
            for failure in out.failures:
                assert 1 <= failure.line_start <= failure.line_end


def test_format_is_found_past_a_huge_first_line(tmp_path: Path) -> None:
    """A file whose first MiB is one line still gets its format from what follows."""
    log = tmp_path / "long-first-line.log"
    with log.open("wb") as f:
        f.write(b"x" * (3 * 1024 * 1024) + b"\n")
        f.write(
            b"  1) test checkout (PoolTest)\n"
            b"     test/pool_test.exs:12\n"
            b"     ** (exit) exited in: GenServer.call(:pool, :checkout, 5000)\n"
            b"         ** (EXIT) no process\n\n"
            b"Finished in 0.1 seconds\n1 test, 1 failure\n"
        )
    parsed = read_logs([str(log)])
    assert parsed.formats == {str(log): "exunit"}
    assert [f.line_start for f in parsed.failures] == [2]
    assert any(":1:" in note or "line 1" in note for note in parsed.skipped), parsed.skipped


def test_pytest_blocks_from_stdin_keep_their_text(tmp_path: Path) -> None:
    """From standard input the block cannot be read back, so its text travels with it."""
    text = (
        b"==== FAILURES ====\n"
        b"____ test_pool ____\n"
        b"file /x/test_pool.py, line 3\n"
        b"  def test_pool(pool_pid):\n"
        b"E       fixture 'pool_pid' not found\n"
        b">       available fixtures: cache, pid, pool_name\n"
        b"\n/x/test_pool.py:3\n"
        b"==== 1 error in 0.01s ====\n"
    )
    parsed = read_logs(["-"], stdin=io.BytesIO(text))
    [failure] = parsed.failures
    assert "available fixtures: cache, pid, pool_name" in failure.details["text"]


def test_a_long_line_of_progress_marks_is_sniffed_in_a_single_pass(tmp_path: Path) -> None:
    """A regex requiring an F among the marks backtracked over every split of the run: a 64 KB
    line of them took 40 s to sniff. Read as what it is: pytest's progress (`-qq`)."""
    log = tmp_path / "marks.log"
    log.write_text("F" * 65_000 + " [100%]\n" + "F" * 65_000 + "y\n")
    parsed = read_logs([str(log)])
    assert parsed.formats == {str(log): "pytest"}
    [run] = parsed.summaries
    assert run.failures == 65_000 and run.read == 0


def test_binary_data_after_an_undecidable_head_is_not_sniffed(tmp_path: Path) -> None:
    """Random bytes (with NULs) are refused without sniffing each chunk of them (4 MB/s)."""
    junk = tmp_path / "junk.bin"
    junk.write_bytes(random.Random(7).randbytes(3 * 1024 * 1024))
    with pytest.raises(InputError, match="format not recognised"):
        read_logs([str(junk)])


def test_a_named_format_reads_the_bytes_a_fruitless_sniff_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undecidable head is sniffed further on (a file only); when that finds nothing either
    and the format is named, the parser goes on from the head's end: the bytes the sniff read
    are read again, so no line is lost and every line number stays true."""
    import poolctl.logs as logs

    monkeypatch.setattr(logs, "SNIFF_CHUNKS", 2)  # 128 KiB past the 1 MiB head
    prose = "".join(f"step {i} of the build\n" for i in range(20_000))  # about 450 KB
    text = "a" * (1_100_000) + "\n" + prose + "\n" + BLOCK.format(n=1)
    path = write(tmp_path, "late.log", text)
    with pytest.raises(InputError, match="format not recognised"):
        read_logs([path])
    [failure] = read_logs([path], "exunit").failures
    assert failure.line_start == text.splitlines().index("1) test does a thing (My.AppTest)") + 1


def test_a_logger_crash_report_after_a_failure_block_is_not_part_of_it() -> None:
    """ExUnit prints a failure when its test ends; the Logger reports after the block (`**
    (stop) …` at column 0, then indented lines) are a later test's: the block ends at its
    stacktrace (real capture: tests/fixtures/src/capture_exunit_wpool.sh)."""
    log = Path(__file__).parent / "fixtures" / "exunit" / "wpool_suite.log"
    lines = log.read_text().splitlines()
    parsed = read_logs([str(log)])
    (worker_supervisor,) = [f for f in parsed.failures if f.name.endswith("starts a worker")]
    assert lines[worker_supervisor.line_end - 1].strip() == "test/dependency_test.exs:13: (test)"
    assert not any("Task #PID" in c.text for c in worker_supervisor.context)


@pytest.mark.parametrize(
    ("log", "said"),
    [
        ("exunit/wpool_max_failures.log", "mix test stopped at --max-failures"),
        ("pytest/stopped_early_x.txt", "pytest stopped after 1 failure(s) (-x or --maxfail)"),
        # `--sw`: `!!!! Interrupted: Test failed, continuing from this test next run. !!!!`
        ("pytest/stopped_early_sw.txt", "pytest stopped at the first failure (--sw, stepwise)"),
        ("pytest/stopped_early_sw_skip.txt", "pytest stopped at the first failure (--sw"),
        ("pytest/procpool/last_failed.txt", "pytest --lf reran only the 8 test(s) that failed"),
    ],
)
def test_a_run_stopped_early_says_the_rest_did_not_run(log: str, said: str) -> None:
    """`mix test --max-failures 3`, `pytest -x` and `pytest --sw` stop the run at a failure,
    and `pytest --lf` runs only the last run's failures: the closing line counts only the tests
    that ran, and the report says the rest are not triaged (real captures: tests/fixtures/src/
    capture_stopped_early.sh, capture_procpool.sh, capture_stepwise.sh; `--sw` was said
    nothing of)."""
    path = Path(__file__).parent / "fixtures" / log
    lines = path.read_text().splitlines()
    parsed = read_logs([str(path)])
    (note,) = [s for s in parsed.skipped if said in s]
    at = int(note.split(":")[1])
    assert lines[at - 1].startswith(("--max-failures reached", "!!!", "run-last-failure: "))
    assert "did not run, and are not triaged" in note
    assert parsed.failures  # what ran is triaged


def test_last_failed_says_the_rest_did_not_run_and_failed_first_does_not(
    tmp_path: Path, processes: Processes
) -> None:
    """Real runs of a small suite: after a failed run, `pytest --lf` prints `rerun previous 1
    failure (skipped 1 file)` and runs that test alone; `pytest --ff` prints `rerun previous 1
    failure first` and runs every test, so nothing is said of tests not run."""
    (tmp_path / "test_a.py").write_text(
        "def test_ok():\n    assert True\n\n\ndef test_bad():\n    assert 1 == 2\n"
    )
    (tmp_path / "test_b.py").write_text("def test_fine():\n    assert True\n")

    def pytest_run(*options: str) -> Path:
        out = processes.run(
            [sys.executable, "-m", "pytest", "-p", "no:randomly", *options],
            timeout=120,
            cwd=tmp_path,
        )
        log = tmp_path / f"run{len(list(tmp_path.glob('run*.txt')))}.txt"
        log.write_text(out.stdout)
        return log

    pytest_run()
    last_failed, failed_first = (
        read_logs([str(pytest_run("--lf"))]),
        read_logs([str(pytest_run("--ff"))]),
    )
    assert [f.name for f in last_failed.failures] == ["test_bad"]
    (note,) = [s for s in last_failed.skipped if "--lf" in s]
    assert "reran only the 1 test(s) that failed last time" in note
    assert [f.name for f in failed_first.failures] == ["test_bad"]
    assert not [s for s in failed_first.skipped if "--lf" in s]


def _marks_searched(text: str) -> tuple[int, int]:
    """Every mark searched, none skipped: what the literal gate must agree with."""
    from poolctl.logs import _EXUNIT_MARKS, _PYTEST_MARKS

    return (
        sum(1 for m in _PYTEST_MARKS if m.search(text)),
        sum(1 for m in _EXUNIT_MARKS if m.search(text)),
    )


def test_the_literal_gate_of_the_format_marks_skips_only_what_cannot_match() -> None:
    """A mark is not searched in a text holding none of its required literals (a 400 MB archive
    member of `x` lines was sniffed at 5 MB/s): on the head of every captured log and on lines
    made of the marks' own pieces, the gated count is the searched one."""
    from poolctl.logs import _marks_found

    fixtures = Path(__file__).parent / "fixtures"
    heads = [
        p.read_bytes()[:65536].decode("utf-8", "replace")
        for d in ("exunit", "pytest", "junit", "mixed", "unittest")
        for p in sorted((fixtures / d).rglob("*"))
        if p.is_file()
    ]
    assert len(heads) > 150
    pieces = ["===== ", "FAILED ", "t.py::x", "1) test a (M)", " 3 passed in 0.1s", "%]", "\n"]
    rng = random.Random(7)
    made = ["".join(rng.choice(pieces) for _ in range(12)) for _ in range(500)]
    for text in heads + made:
        assert _marks_found(text) == _marks_searched(text), text[:200]
    assert _marks_found("x\n" * 1000) == (0, 0)
