"""The `timeout` in a worker's command line, read with its options (coreutils' own syntax)."""

from __future__ import annotations

from poolctl.diagnose.timeout_wrapper import ran_out


def test_its_duration_is_read_past_its_options_and_their_values() -> None:
    found = ran_out(["/usr/bin/timeout", "-k", "5", "--foreground", "2m", "server", "-v"], 124)
    assert found is not None
    assert (found.duration, found.command) == ("2 min", "/usr/bin/timeout -k 5 --foreground 2m")
    found = ran_out(["timeout", "--signal=KILL", "1.5", "server"], 124)
    assert found is not None and found.duration == "1.5 s"


def test_another_code_or_program_is_no_timeout() -> None:
    assert ran_out(["timeout", "5", "server"], 1) is None
    assert ran_out(["server", "5"], 124) is None
    assert ran_out(["timeout", "--help"], 124) is None
