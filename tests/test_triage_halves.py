"""A large triage's failures classified in two halves, the second in a forked process
(`poolctl.triage.halves`): the report is the one a single pass makes, the errors of patterns
that raise included, in the order one pass meets them.

Each case runs in an interpreter of its own, with `MIN_FAILURES` lowered so that the captures'
few failures are split (a fork from the test process, which runs threads, is not one poolctl
makes)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="poolctl forks on Linux only"
)
FIXTURES = Path(__file__).parent / "fixtures"

# the imports, a rule that raises on failures holding its word, the knowledge base as `kb`
BOOM = """\
import dataclasses, json, sys
import poolctl.forked, poolctl.triage.halves as halves
from poolctl.logs import read_logs
from poolctl.patterns import load_patterns
from poolctl.patterns.loader import Signal
from poolctl.triage.engine import Triage

class Boom:
    def __init__(self, word):
        self.pattern, self.word = "boom " + word, word
    def search(self, text):
        if self.word in text:
            raise RuntimeError(f"bad rule on {self.word}")
        return None

kb = load_patterns([])
"""
# the triage of argv[1:] split in halves and in one pass; argv[0] "boom" adds two patterns
# that raise on some failures (each on its own ones)
SPLIT_AND_WHOLE = (
    BOOM
    + """\
if sys.argv[1] == "boom":
    first, second, *rest = list(kb)
    first = dataclasses.replace(first, signals=(Signal("any", Boom("pool"), 0.9, "boom"),))
    second = dataclasses.replace(second, signals=(Signal("any", Boom("test"), 0.9, "boom"),))
    kb = dataclasses.replace(kb, patterns=(first, second, *rest))
forks = []
start = poolctl.forked.Forked.start
poolctl.forked.Forked.start = lambda self, work: (forks.append(1), start(self, work))[1]
halves.MIN_FAILURES = 2
split = Triage(kb, forks=True).report(read_logs(sys.argv[2:]))
whole = Triage(kb, forks=False).report(read_logs(sys.argv[2:]))
print(json.dumps({
    "same": split == whole, "forks": len(forks), "findings": len(whole.findings),
    "raised": [n for n in whole.notes if "raised an error" in n],
}))
"""
)


@pytest.mark.parametrize(
    ("logs", "failures"),
    [
        (["exunit/pool_suite.log"], 31),
        (["pytest/pool_suite_verbose.txt"], 22),
        (["junit/pytest_xunit2.xml", "exunit/pool_suite_seed_trace.log"], 53),
    ],
)
@pytest.mark.parametrize("boom", ["boom", "-"])
def test_a_triage_split_in_halves_reports_what_one_pass_reports(
    logs: list[str], failures: int, boom: str, processes: Processes
) -> None:
    paths = [str(FIXTURES / log) for log in logs]
    done = processes.run([sys.executable, "-c", SPLIT_AND_WHOLE, boom, *paths], timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["forks"] == 1 and seen["findings"] == failures
    assert seen["same"]
    if boom == "boom":  # both patterns raised, each on failures of both halves
        assert len(seen["raised"]) == 2, seen["raised"]


# what the classifier holds when the child is forked: the keys it has learnt, and the pattern
# errors it has kept (argv[0] "boom" as above)
AT_THE_FORK = (
    BOOM
    + """\
from poolctl.triage.normalize import any_key
if sys.argv[1] == "boom":
    first, *rest = list(kb)
    first = dataclasses.replace(first, signals=(Signal("any", Boom("pool"), 0.9, "boom"),))
    kb = dataclasses.replace(kb, patterns=(first, *rest))
halves.MIN_FAILURES = 2
job = Triage(kb, forks=True)
seen = {}
start = poolctl.forked.Forked.start
def noted(self, work):
    seen["known"] = sorted(job.classifier.known)
    seen["errors"] = dict(job.classifier.errors.by_pattern)
    start(self, work)
poolctl.forked.Forked.start = noted
parsed = read_logs(sys.argv[2:])
report = job.report(parsed)
keys = [any_key(f) for f in parsed.failures]
half = len(keys) // 2
seen["shared"] = sorted(set(keys[:half]) & set(keys[half:]))
seen["raised"] = [n for n in report.notes if "raised an error" in n]
print(json.dumps(seen))
"""
)


@pytest.mark.parametrize("boom", ["boom", "-"])
def test_the_keys_both_halves_hold_are_learnt_once_before_the_fork(
    boom: str, processes: Processes
) -> None:
    """The child inherits what the classifier learnt on the first failure of each key the
    halves share, instead of learning it again; learning it keeps no pattern error (each is
    met again, in order, when its failure's turn comes). Two captures of the same suite (one
    coloured): most of their failures say the same."""
    paths = [
        str(FIXTURES / log) for log in ("exunit/pool_suite.log", "exunit/pool_suite_color.log")
    ]
    done = processes.run([sys.executable, "-c", AT_THE_FORK, boom, *paths], timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["shared"], "the capture's halves share no key: the test shows nothing"
    assert set(seen["shared"]) <= set(seen["known"])
    assert seen["errors"] == {}
    if boom == "boom":
        assert len(seen["raised"]) == 1, seen["raised"]


def test_poolctl_forks_on_linux_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Elsewhere no parent-death signal would end a killed poolctl's child."""
    from poolctl.forked import can_fork

    monkeypatch.setattr(sys, "platform", "darwin")
    assert not can_fork()
