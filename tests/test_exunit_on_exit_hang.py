"""A module's pool stopped in setup_all's on_exit, after the module's last test, that never
stops: the run is killed there, its last output the last test's result (`--trace`), its
failure block, or the progress dots. The run stopped after a test's end, in no test: the
report says where it may be, the module's on_exit callbacks among them, and the stop counts as
one failure not read. Real captures: `tests/fixtures/src/capture_exunit_on_exit_hang.sh` (see
the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.conftest import RunCli

HANG = Path(__file__).parent / "fixtures" / "exunit" / "on_exit_hang"
ON_EXIT = "or in a module's setup_all on_exit callbacks, run after its last test)"


@pytest.mark.parametrize(
    ("capture", "failed", "said"),
    [
        ("trace.log", [], "its last line is a test's result under --trace: it stops after that"),
        (
            "failed_trace.log",
            ["test a second checkout"],
            "its last lines are a failure block, after the run's progress",
        ),
    ],
)
def test_a_run_killed_in_a_modules_on_exit_says_where_it_may_be(
    run_cli: RunCli, capture: str, failed: list[str], said: str
) -> None:
    parsed = read_logs([str(HANG / capture)])
    assert [f.name for f in parsed.failures] == failed
    [run] = parsed.summaries
    assert (run.failures, run.read) == (len(failed) + 1, len(failed))
    assert said in run.text and run.text.endswith(ON_EXIT), run.text
    code, out, _ = run_cli("triage", str(HANG / capture), "--no-history")
    assert code == 1 and "setup_all on_exit callbacks" in out


def test_its_dots_alone_read_as_exunit_count_the_stop(run_cli: RunCli) -> None:
    """Without `--trace` the log is its dots alone: no format shows in them (`--log-format
    exunit` names it), and read so the stop is counted."""
    code, _, err = run_cli("triage", str(HANG / "dots.log"), "--no-history")
    assert code == 2 and "format not recognised" in err
    parsed = read_logs([str(HANG / "dots.log")], "exunit")
    [run] = parsed.summaries
    assert (run.failures, run.read) == (1, 0) and run.text.endswith(ON_EXIT)
