"""The diagnosis looks at a silent worker as its timeout left it, before it loads the knowledge
base and the hypotheses' modules: a process's first load (0.1 s of CPU on a quiet machine) took
16-21 s beside CPU hogs, and the stack dumped after it was the one the worker had once it had
answered (`header = sys.stdin.buffer.read(4)`, waiting for the next request), not the one it
was late in."""

from __future__ import annotations

import sys
import time

import pytest

from poolctl.diagnose.knowledge import no_answer_pattern
from poolctl.patterns.loader import Pattern, PatternSet
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, diagnose


def test_the_first_look_comes_before_the_knowledge_base_is_loaded(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def loaded_slowly(patterns: PatternSet | None = None) -> Pattern:
        time.sleep(4.0)  # a loaded machine's first load, past the worker's 2 s answer
        return no_answer_pattern(patterns)

    monkeypatch.setattr("poolctl.diagnose.engine.no_answer_pattern", loaded_slowly)
    late = str(WORKERS / "answers_late.py")
    d = diagnose(run_cli, "--timeout", "0.5", "--no-experiments", "--", sys.executable, late, "2")
    stacks = [e["text"] for e in d["evidence"] if e["text"].startswith("its Python stack is")]
    # before: `header := sys.stdin.buffer.read(4)`, where it waited for its next request
    assert stacks and "`time.sleep(float(sys.argv[1]))`" in stacks[0], d["evidence"]
