"""Pools built from OTP's own parts (tests/fixtures/exunit/otp_pools.log, captured by
src/capture_exunit_otp_pools.sh): a worker called through a Registry by a via tuple that no
worker registered under is named by the whole tuple, not by its first element."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Unclassified
from poolctl.patterns import load_patterns
from poolctl.triage import triage

OTP_POOLS = str(Path(__file__).parent / "fixtures" / "exunit" / "otp_pools.log")
VIA = "{:via, Registry, {Pools.Registry, :w2}}"


def _outcomes() -> dict[str, object]:
    report = triage(read_logs([OTP_POOLS]), load_patterns())
    return {f.failure.name: f.outcome for f in report.findings}


def test_a_via_tuple_is_the_process_named_and_its_call_the_next_argument() -> None:
    said = _outcomes()["test a job to a worker id the registry does not hold"]
    assert isinstance(said, Diagnosis)
    assert said.pattern_id == "dependency-not-started"
    assert said.facts["process"] == VIA
    assert said.facts["call"] == "{:job, :ping}"
    assert said.remediation.startswith(f"Start `{VIA}` before the test calls it")


def test_a_plain_name_keeps_its_facts_beside_the_via_tuple() -> None:
    said = _outcomes()["test a task on a supervisor name nobody started"]
    assert isinstance(said, Diagnosis)
    assert said.facts["process"] == "Pools.OtherTasks"
    assert said.facts["call"].startswith("{:start_task, [")


def test_a_global_name_is_the_process_named_in_an_umbrella_app() -> None:
    """`{:global, :jobs_pool}` (tests/fixtures/exunit/umbrella_pools.log, an umbrella's run)."""
    log = str(Path(OTP_POOLS).with_name("umbrella_pools.log"))
    report = triage(read_logs([log]), load_patterns())
    said = {f.failure.name: f.outcome for f in report.findings}[
        "test checks out of a global pool nobody started"
    ]
    assert isinstance(said, Diagnosis)
    assert (said.facts["process"], said.facts["call"]) == ("{:global, :jobs_pool}", ":checkout")


def test_a_call_through_erlangs_gen_server_to_a_name_is_read_as_elixirs() -> None:
    """`:gen_server.call(:erl_pool, …)` (tests/fixtures/exunit/erlang_calls.log): no word
    boundary comes before its colon, so a signal that asked for one never fired on it."""
    log = str(Path(OTP_POOLS).with_name("erlang_calls.log"))
    report = triage(read_logs([log]), load_patterns())
    said = {f.failure.name: f.outcome for f in report.findings}[
        "test a checkout through the erlang call"
    ]
    assert isinstance(said, Diagnosis)
    assert said.pattern_id == "dependency-not-started"
    assert said.facts["process"] == ":erl_pool"


def test_a_pool_named_by_a_via_tuple_stopped_in_checkout_is_pattern_2() -> None:
    """(tests/fixtures/exunit/via_pool.log) `GenServer.call({:via, Registry, {Pools.Registry,
    :stopping_pool}}, {:checkout, true}, 1000)` then `** (EXIT) shutdown`, as a pool named by an
    atom is: the pool is the name registered in the tuple."""
    log = str(Path(OTP_POOLS).with_name("via_pool.log"))
    report = triage(read_logs([log]), load_patterns())
    said = {f.failure.name: f.outcome for f in report.findings}[
        "test the registered pool stopped while a caller waits in checkout"
    ]
    assert isinstance(said, Diagnosis)
    assert said.pattern_id == "pool-shutdown-during-checkout"
    assert said.facts["pool"] == "stopping_pool"


def test_a_pool_named_by_a_via_tuple_whose_checkout_timed_out_is_named() -> None:
    log = str(Path(OTP_POOLS).with_name("via_pool.log"))
    report = triage(read_logs([log]), load_patterns())
    said = {f.failure.name: f.outcome for f in report.findings}[
        "test two callers on a pool of one registered through a Registry"
    ]
    assert isinstance(said, Diagnosis)
    assert said.pattern_id == "checkout-timeout-waiters"
    assert said.facts["pool"] == "hand_pool"


def test_a_pool_at_its_max_children_refusing_a_worker_is_pattern_3() -> None:
    """A DynamicSupervisor of max_children 2 asked for a third worker (`{:ok, pid} =
    DynamicSupervisor.start_child(…)`: `{:error, :max_children}`), a Task.Supervisor at its cap
    (tests/fixtures/exunit/max_children.log, src/capture_exunit_max_children.sh; and otp_pools.log):
    its callers outnumber its workers, as when a checkout times out, and the fix names the cap.
    They were unclassified, otp_pools.log's nearest reason 'the call that never returned is a
    checkout' for a call that returned `{:error, :max_children}`; a worker id started twice
    (`{:already_started, pid}`) is no cap reached."""
    log = str(Path(OTP_POOLS).with_name("max_children.log"))
    said: dict[str, object] = {
        f.failure.name: f.outcome for f in triage(read_logs([log]), load_patterns()).findings
    }
    said["otp_pools"] = _outcomes()["test a third worker past max_children"]
    capped = {name: outcome for name, outcome in said.items() if "twice" not in name}
    assert len(capped) == 5
    for outcome in capped.values():
        assert isinstance(outcome, Diagnosis)
        assert outcome.pattern_id == "checkout-timeout-waiters"
        assert outcome.facts["capped"] == "max_children"
        assert "raise max_children" in outcome.remediation
        assert "checkout timeout" not in outcome.remediation
        ruled_out = {h.id for h in outcome.hypotheses if h.status == "ruled-out"}
        assert ruled_out == {"slow-or-lazy-init", "timeout-too-short"}
    assert not isinstance(said["test a worker id started twice"], Diagnosis)


def test_a_genserver_call_past_its_timeout_is_no_answer_within_it_and_no_more() -> None:
    """`GenServer.call(…, {:job, :slow}, 100)` `** (EXIT) time out` to a GenServer slow in its
    handle_call (no port, no OS process): the exit says no answer came within the timeout, which
    pattern 1's nearest reason said 'nothing shows'. It is pattern 1's evidence that far (0.1,
    as the request call's 0.5 is now 0.1 + 0.4): still unclassified, the reason true."""
    said = _outcomes()["test a slow job past the call's timeout"]
    assert isinstance(said, Unclassified)
    assert (said.nearest, said.score) == ("port-no-response", 0.3)
    assert "only no answer arrived within the timeout ('exited in: GenServer.call(" in said.why
    assert "nothing shows that no answer arrived" not in said.why
    # a request call's time out weighs what it weighed: a port worker's answer, pattern 1
    held = str(Path(OTP_POOLS).with_name("port_pool.log"))
    for finding in triage(read_logs([held]), load_patterns()).findings:
        if "{:request, " in finding.failure.message and "time out" in finding.failure.message:
            assert isinstance(finding.outcome, Diagnosis)
            assert finding.outcome.pattern_id == "port-no-response"


def test_a_task_awaited_past_its_timeout_is_no_answer_within_it_quoted_once() -> None:
    """`Task.await(task, 100)` `** (EXIT) time out`: as a GenServer.call's, the exit says no
    answer came within the timeout, which pattern 1's nearest reason said 'nothing shows'; the
    two claims read on the one line share its quote (0.1 + 0.2: what the task's time out alone
    weighed)."""
    said = _outcomes()["test a task awaited past its timeout"]
    assert isinstance(said, Unclassified)
    assert (said.nearest, said.score) == ("port-no-response", 0.2)
    assert (
        "only no answer arrived within the timeout and a task awaiting an answer timed out (a "
        "request to a worker, often) ('exited in: Task.await(" in said.why
    ), said.why
    assert said.why.count("'exited in: Task.await(") == 1
    assert "nothing shows that no answer arrived" not in said.why
