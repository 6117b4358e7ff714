"""The knowledge base's regexes on RE2: a catastrophic regex costs nothing, a regex RE2 cannot
run is named when it loads and bounded when it runs, and the literal prefilter never hides a
match."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poolctl.cli import main
from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Failure, Unclassified
from poolctl.patterns import builtin_dir, builtin_patterns, load_patterns
from poolctl.patterns.loader import Signal
from poolctl.patterns.regex import BUDGET, _bounded, budget, compile_regex, required_literals
from poolctl.triage import triage
from poolctl.triage.classifier import first_hit
from poolctl.triage.fields import FailureView
from poolctl.yamlfile import key_path

CATASTROPHIC = "(a+)+$"  # 28 characters take Python's re 52 s, each one more doubles it
PATTERN = """\
id: {id}
number: 8
title: Runs of a
summary: A user pattern with a regex that backtracks.
signals:
  - regex: '{regex}'
    weight: 0.9
    why: the message is a run of a
remediation: Nothing to do.
"""
LOG = """\
  1) test a run of a (RunTest)
     test/run_test.exs:3
     ** (RuntimeError) {message}
     stacktrace:
       test/run_test.exs:4: (test)

Finished in 0.1 seconds
1 test, 1 failure
"""


def user_pattern(tmp_path: Path, regex: str, pattern_id: str = "runs-of-a") -> Path:
    folder = tmp_path / "kb"
    folder.mkdir(exist_ok=True)
    (folder / f"{pattern_id}.yaml").write_text(PATTERN.format(id=pattern_id, regex=regex))
    return folder


def test_the_builtin_regexes_run_on_re2_but_one_that_needs_a_backreference() -> None:
    kb = builtin_patterns()
    fallback = [(p.id, loc, r) for p in kb for loc, r in p.regexes() if r.engine != "re2"]
    assert [(pid, loc) for pid, loc, _ in fallback] == [
        ("adapter-misconfigured", ("causes", 1, "evidence_regex"))
    ]
    [note] = kb.engine_notes(builtin=True)
    path = builtin_dir() / "p6-adapter-misconfigured.yaml"
    line = next(
        n
        for n, text in enumerate(path.read_text().splitlines(), 1)
        if "evidence_regex: '\\btest_layer" in text
    )
    assert note.startswith(f"{path}:{line}: pattern adapter-misconfigured: ")
    assert "RE2 cannot run it (a lookahead or lookbehind and a backreference)" in note
    assert kb.engine_notes() == []  # builtin ones are not printed on every run


def test_a_catastrophic_user_regex_runs_on_re2_in_linear_time(tmp_path: Path) -> None:
    """`(a+)+$` on a run of 40 a's: Python's re would take days; RE2 answers at once (the
    test's own timeout guards it)."""
    kb = load_patterns([user_pattern(tmp_path, CATASTROPHIC)])
    regex = kb.get("runs-of-a").signals[0].regex
    assert regex is not None and regex.engine == "re2"
    assert regex.search("a" * 40 + "b") is None
    assert regex.search("b" + "a" * 10_000) is not None
    log = tmp_path / "run.log"
    log.write_text(LOG.format(message="a" * 40 + "!"))
    [finding] = triage(read_logs([str(log)]), kb).findings
    assert isinstance(finding.outcome, Unclassified)
    log.write_text(LOG.format(message="x" + "a" * 40))
    [finding] = triage(read_logs([str(log)]), kb).findings
    assert isinstance(finding.outcome, Diagnosis) and finding.outcome.pattern_id == "runs-of-a"


def test_a_regex_re2_refuses_is_named_and_stopped_at_its_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lookahead sends the same catastrophic regex to Python's re: the loader names it with
    file:line and the reason, and on a failure it is stopped at the budget and reported."""
    folder = user_pattern(tmp_path, "(?=a)" + CATASTROPHIC, "lookahead-runs")
    kb = load_patterns([folder])
    [note] = kb.engine_notes()
    assert note.startswith(f"{folder / 'lookahead-runs.yaml'}:6: pattern lookahead-runs: ")
    assert "signals[0].regex: RE2 cannot run it (a lookahead or lookbehind)" in note
    log = tmp_path / "run.log"
    log.write_text(LOG.format(message="a" * 40 + "!"))
    code = main(["triage", str(log), "--patterns", str(folder), "--format", "md"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith(f"poolctl: note: {note}")
    assert f"went past the {BUDGET * 1000:.0f} ms budget of a failure" in out
    assert "pattern lookahead-runs raised an error and was skipped for 1 failure(s)" in out


def test_a_budget_is_shared_by_the_regexes_of_one_failure() -> None:
    slow = compile_regex("(?=a)" + CATASTROPHIC)
    assert slow.engine == "re"
    with budget(0.0), pytest.raises(Exception, match="budget"):
        slow.search("a")  # nothing left: refused before it runs
    with budget():
        assert slow.search("aaa") is not None


def test_the_budget_counts_cpu_time_not_the_wait_of_a_loaded_machine(
    real_sleep: Callable[[float], None],
) -> None:
    """A fallback regex that waits for a CPU (here: a call that sleeps past the budget, as a
    regex descheduled on a loaded CI runner does) is not cut off: the budget is CPU time. On
    wall time its failure was classified otherwise than on a quiet machine (a loaded suite's run
    saw `(?=a)(a+)+$` refused on "aaa")."""

    def waits() -> str:
        real_sleep(BUDGET * 3)
        return "ran"

    with budget():
        assert _bounded("slept", waits) == "ran"


def test_patterns_test_prints_the_slowest_regexes(capsys: pytest.CaptureFixture[str]) -> None:
    log = Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log"
    code = main(["patterns", "test", "checkout-timeout-waiters", str(log)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Slowest regexes" not in out  # on standard error: the report stays the same
    table = err.partition("Slowest regexes (of ")[2]
    rows = [line.split() for line in table.splitlines()[1:]]
    assert 1 <= len(rows) <= 5 and all(row[1] == "ms" and row[7] == "re2" for row in rows)
    times = [float(row[0]) for row in rows]
    assert times == sorted(times, reverse=True)
    # each named by its pattern and its key path (a signal's `regex`, a fact's `unless`, …)
    places = {f"{p.id} {key_path(loc)}" for p in builtin_patterns() for loc, _ in p.regexes()}
    assert all(f"{row[8]} {row[9]}" in places for row in rows), rows


@pytest.mark.parametrize(
    ("pattern", "literals", "folded"),
    [
        (r":no_response\b", (":no_response",), False),
        (r"(?i)\bno (response|reply)s?\b", ("no reply", "no response"), True),
        (r"\bos_pid[:=]\s*\d+", ("os_pid:", "os_pid="), False),
        (r"^\s*(:[a-z_]\w*|[A-Z]\w*)\s*$", (), False),
        (
            r"timed out waiting for (a |an )?(free )?(worker|connection)",
            ("timed out waiting for ",),
            False,
        ),
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...], folded: bool) -> None:
    assert required_literals(pattern) == (literals, folded)


REGEXES = [r for p in builtin_patterns() for _, r in p.regexes() if r.engine == "re2"]
WORDS = sorted({lit for r in REGEXES for lit in r.literals} | {"a", " ", "\n", "1", ":", "{"})


@settings(max_examples=300)
@given(
    index=st.integers(0, len(REGEXES) - 1),
    parts=st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=12),
)
def test_the_prefilter_never_hides_a_match(index: int, parts: list[str]) -> None:
    """Wherever a builtin regex matches (on RE2 or on Python's re), its literals are found,
    and RE2 matches where Python's re does."""
    regex = REGEXES[index]
    text = "".join(parts)
    python = re.compile(regex.pattern).search(text)
    if python is not None and text.isascii():
        assert regex.may_match(text)
        found = regex.search(text)
        assert found is not None and found.span() == python.span()


def test_matches_read_groups_and_offsets_as_pythons_re() -> None:
    pattern = r"(?P<pool>test_pool_\d+)(?: \((?P<size>\d+)\))?"
    text = "é pool test_pool_42 (2) and test_pool_7"
    ours = compile_regex(pattern).finditer(text)
    mine = [(m.span(), m.group("pool"), m.group("size")) for m in ours]
    theirs = [(m.span(), m.group("pool"), m.group("size")) for m in re.finditer(pattern, text)]
    assert mine == theirs


def test_a_regex_object_without_the_prefilter_is_searched_as_it_is() -> None:
    class Plain:
        pattern = "shutdown"

        def search(self, text: str) -> re.Match[str] | None:
            return re.search(self.pattern, text)

    failure = Failure("exunit", "t", message="pool shutdown")
    signal = Signal("any", Plain(), 0.5, "why")  # type: ignore[arg-type]
    hit = first_hit(signal, FailureView(failure))
    assert hit is not None and hit.quote == "pool shutdown"
