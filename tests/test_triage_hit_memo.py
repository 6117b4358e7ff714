"""The classifier remembers what a regex did on a field's exact texts (`poolctl.triage.hits`):
a repeated code line is searched once, and a text that differs by one digit has its own answer;
and the decision on a failure past the cap, by all that decides it (`poolctl.triage.decisions`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from poolctl.model import Failure
from poolctl.patterns import load_patterns
from poolctl.patterns.regex import timing
from poolctl.triage.engine import Classifier
from poolctl.triage.facts import FactContext
from poolctl.triage.fields import FailureView
from poolctl.triage.locate import BlockLines
from poolctl.triage.normalize import any_key, strip_volatile

KB = load_patterns()
PING = (  # port-no-response's signal on `details.code`
    r"(?i)\b(ping|request|send_request|call_worker)\w*\(|\b\w*(port|worker)\w*\.\w+\("
    r"|Port\.command\("
)
EXIT_STATUS = r"^\s*\{:error,\s*\{:exit_status,\s*[1-9]\d*\}\}\s*$"


def failure(line: int, right: str, code: str = "assert {:ok, _} = Pool.ping(pool)") -> Failure:
    return Failure(
        source="exunit",
        name=f"test at {line}",
        input_file="run.log",
        line_start=line,
        line_end=line + 5,
        kind="match (=) failed",
        message="match (=) failed",
        details={"code": code, "left": "{:ok, _}", "right": right},
    )


def fired(classifier: Classifier, f: Failure) -> set[str]:
    """The regexes of port-no-response that fire on `f`, as a failure past the cap sees them."""
    scores = classifier.scores(FailureView(f), FactContext(), any_key(f), cited=False)
    (port,) = [s for s in scores if s.pattern.id == "port-no-response"]
    return {h.rule.regex.pattern for h in port.hits if h.rule.regex is not None}


def test_a_code_line_many_failures_share_is_searched_once() -> None:
    classifier = Classifier(KB)
    with timing() as spent:
        for n in range(5):
            assert PING in fired(classifier, failure(10 * n, f"{{:error, :timeout{n}}}"))
    assert spent[PING].calls == 1  # the four others asked the memo


def test_texts_that_differ_by_a_digit_have_their_own_answers() -> None:
    """`exit_status, 0` and `exit_status, 1` normalize alike, and only one is a crash."""
    crashed, clean = "{:error, {:exit_status, 1}}", "{:error, {:exit_status, 0}}"
    assert strip_volatile(crashed) == strip_volatile(clean)
    classifier = Classifier(KB)
    seen = [
        EXIT_STATUS in fired(classifier, failure(n, r)) for n, r in enumerate([crashed, clean] * 2)
    ]
    assert seen == [True, False, True, False]
    # and a quoted hit is still this failure's own line
    view = FailureView(failure(99, crashed))
    (port,) = [
        s
        for s in classifier.scores(view, FactContext(), None)
        if s.pattern.id == "port-no-response"
    ]
    (hit,) = [
        h for h in port.hits if h.rule.regex is not None and h.rule.regex.pattern == EXIT_STATUS
    ]
    assert hit.quote == crashed and hit.field == "details.right"


def test_a_quoted_hit_on_a_shared_code_line_is_searched_once() -> None:
    """Each failure's hit quotes its own block's line (its own line number), from the memo's
    answer: the regex ran on the first failure only."""
    code = "assert {:ok, _} = Pool.ping(pool)"
    blocks = BlockLines()
    failures = []
    for n in range(5):
        f = failure(100 * n + 1, f"{{:error, :timeout{n}}}", code)
        blocks.with_lines(f, [(f.line_start, f"  {n}) {f.name}"), (f.line_start + 2 + n, code)])
        failures.append(f)
    classifier = Classifier(KB)
    origins = []
    with timing() as spent:
        for f in failures:
            scores = classifier.scores(FailureView(f, blocks), FactContext(), any_key(f))
            (port,) = [s for s in scores if s.pattern.id == "port-no-response"]
            (hit,) = [h for h in port.hits if h.rule.regex and h.rule.regex.pattern == PING]
            assert (hit.quote, hit.field) == (code, "details.code")
            origins.append(hit.origin)
    assert spent[PING].calls == 1
    assert origins == [f"run.log:{100 * n + 3 + n}" for n in range(5)]


# --- the decision on a failure past the cap (`poolctl.triage.decisions`) -----------------------
def counted(classifier: Classifier, failures: list[tuple[Failure, list[tuple[int, str]]]]) -> int:
    """How many of `failures` were scored, each decided as a failure past the cap."""
    calls = 0
    scores = classifier.scores

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return scores(*args, **kwargs)

    classifier.scores = counting  # type: ignore[method-assign]
    decided = set()
    for f, lines in failures:
        view = FailureView(f, BlockLines.of_one(f, lines))
        decided.add(classifier.pattern_of(view, FactContext(), any_key(f)))
    assert len(decided) == 1  # each decided alike
    return calls


def block(f: Failure, *body: str) -> tuple[Failure, list[tuple[int, str]]]:
    header = f"  {f.line_start}) {f.name} (PoolTest)"
    return f, list(enumerate([header, *body], start=f.line_start))


def test_failures_past_the_cap_that_differ_only_in_their_block_header_are_scored_once() -> None:
    repeated = [block(failure(n, "{:error, :timeout}"), "     match (=) failed") for n in range(4)]
    assert counted(Classifier(KB), repeated) == 1


def test_a_rule_on_block_that_fires_on_one_block_only_has_it_decided_apart() -> None:
    plain = block(failure(1, "{:error, :timeout}"), "     match (=) failed")
    decoding = block(failure(2, "{:error, :timeout}"), "     frame = json.loads(line)")
    assert counted(Classifier(KB), [plain, decoding, plain]) == 2


def test_a_decision_that_read_facts_is_remembered_with_its_fact_signals() -> None:
    """fixture-key-mismatch extracts the test context's keys: facts read the whole failure, and
    the decision is kept with which of its fact signals fire on the failure's own facts."""
    keys = dataclasses.replace(
        failure(1, ""),
        kind="FunctionClauseError",
        message='no function clause matching in PoolV2Test."test pool starts"/1',
        details={
            "arguments": "# 1\n%{async: false, line: 50, module: PoolV2Test, registered: %{}, "
            'test: :"test pool starts", pool_size: 2, pool_name: :p_pool}',
            "code": 'test "pool starts", %{',
        },
    )
    assert counted(Classifier(KB), [block(keys), block(keys)]) == 1
