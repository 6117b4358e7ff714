"""The classifier's memo of what each regex did on a field's texts (poolctl/triage/hits.py)
is bounded by what its entries cost, not by their texts alone: 200,000 failures of one short
line each (pytest) held 4,000,000 characters' worth of entries, each with its answers, in
55 MB more than 400,000 did. The memory itself is measured with /usr/bin/time; this test checks
when the memo forgets."""

from __future__ import annotations

from poolctl.model import Failure
from poolctl.patterns import builtin_patterns
from poolctl.triage.fields import FailureView
from poolctl.triage.hits import ENTRY_CHARS, HitMemo


def _view(message: str) -> FailureView:
    return FailureView(Failure(source="pytest", name="test_checkout", message=message))


def test_an_entry_counts_what_it_costs_besides_its_texts() -> None:
    regex = next(s.regex for p in builtin_patterns() for s in p.signals if s.regex is not None)
    memo = HitMemo(max_chars=10 * ENTRY_CHARS)
    first = memo.answers(_view("E0"), "message")
    first[regex] = None  # what the regex did: it did not fire
    for n in range(1, 9):  # nine entries in all: under the cap
        memo.answers(_view(f"E{n}"), "message")
    assert memo.answers(_view("E0"), "message") is first
    memo.answers(_view("E9"), "message")  # the tenth: its cost with the others' passes the cap
    memo.answers(_view("E10"), "message")
    assert regex not in memo.answers(_view("E0"), "message")
