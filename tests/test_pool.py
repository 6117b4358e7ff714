"""The pool with real reference workers: waiters, sessions, overflow, death, shutdown, timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from poolctl.errors import FramingError
from poolctl.events import Trace
from poolctl.pool import CheckoutTimedOut, Pool, PoolConfig, PoolGaveUp, PoolShuttingDown
from poolctl.rundir import RunDir, create_run_dir
from poolctl.worker import Answer, NoAnswer, WorkerSpec
from tests.conftest import REFERENCE, Processes

T = TypeVar("T")


class WithPool(Protocol):
    def __call__(
        self, body: Callable[[Pool], Awaitable[T]], *switches: str, **config: Any
    ) -> tuple[T, Trace]: ...


@pytest.fixture
def with_pool(tmp_path: Path, processes: Processes) -> WithPool:
    """Run `body` against a started pool, then shut it down; returns its result and the trace."""

    def with_started_pool(
        body: Callable[[Pool], Awaitable[T]], *switches: str, **config: Any
    ) -> tuple[T, Trace]:
        run: RunDir = create_run_dir("pool", base=tmp_path)
        trace = Trace(run.events)

        async def main() -> T:
            pool = Pool(WorkerSpec((*REFERENCE, *switches)), PoolConfig(**config), run, trace)
            try:
                await pool.start()
                return await body(pool)
            finally:
                await pool.shutdown("abort", 0.5)
                pool.stop_now()

        result = asyncio.run(main())
        trace.close()
        return result, trace

    return with_started_pool


def types(trace: Trace, kind: str) -> list[Any]:
    return list(trace.of_type(kind))


def test_eager_pool_starts_every_worker_in_parallel(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> float:
        return pool.stats().idle

    idle, trace = with_pool(body, "--init-delay", "0.5", size=4)
    assert idle == 4
    starts, ends = types(trace, "init_start"), types(trace, "init_end")
    assert len(ends) == 4 and all(e.data["ok"] for e in ends)
    # not one after another: every worker began its init before the first one finished its
    assert len(starts) == 4 and max(s.t for s in starts) < min(e.t for e in ends)
    assert all(e.data["reported"]["worker_id"] == e.worker for e in ends)


def test_lazy_pool_spawns_on_first_demand(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> tuple[int, Any]:
        before = len(pool.workers)
        return before, await pool.call("c1", "ping")

    (before, answer), trace = with_pool(body, size=2, lazy=True)
    assert before == 0
    assert isinstance(answer, Answer)
    assert len(types(trace, "spawn")) == 1


def test_waiters_are_served_first_in_first_out(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> list[str]:
        order: list[str] = []

        async def caller(name: str, delay: float) -> None:
            await asyncio.sleep(delay)
            worker = await pool.checkout(name)
            order.append(name)
            await asyncio.sleep(0.05)
            pool.checkin(worker, name)

        await asyncio.gather(*(caller(f"c{i}", i * 0.01) for i in range(5)))
        return order

    order, _ = with_pool(body, size=1)
    assert order == ["c0", "c1", "c2", "c3", "c4"]


def test_a_session_returns_to_the_worker_that_served_it(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> list[str]:
        served = []
        for session in ["alice", "bob", "alice", "alice", "bob"]:
            worker = await pool.checkout(f"c-{session}", session=session)
            served.append(f"{session}:{worker.id}")
            pool.checkin(worker, f"c-{session}")
        return served

    served, _ = with_pool(body, size=3)
    alice = {s for s in served if s.startswith("alice")}
    bob = {s for s in served if s.startswith("bob")}
    assert len(alice) == 1 and len(bob) == 1


def test_overflow_workers_are_spawned_when_busy_and_retired_at_checkin(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> list[tuple[str, bool, Answer | NoAnswer]]:
        # c0 holds the one pooled worker until c1 and c2 both have theirs: each of them waits
        # for an overflow worker of its own, however long it takes to start, and no worker can
        # serve twice (a fixed-length request raced the overflow workers' start-up)
        first = await pool.checkout("c0")
        second, third = await asyncio.gather(pool.checkout("c1"), pool.checkout("c2"))
        held = [("c0", first), ("c1", second), ("c2", third)]
        answers = [
            (
                worker.id,
                worker.overflow,
                await worker.request(worker.process.ids.request("echo"), 5),
            )
            for _, worker in held
        ]
        for caller, worker in held:
            pool.checkin(worker, caller)
        return answers

    answers, trace = with_pool(body, size=1, max_overflow=2, checkout_timeout=30)
    assert all(isinstance(answer, Answer) for _, _, answer in answers)
    assert len({worker for worker, _, _ in answers}) == 3
    assert [overflow for _, overflow, _ in answers] == [False, True, True]
    spawns = types(trace, "spawn")
    assert [e.data["overflow"] for e in spawns] == [False, True, True]
    retired = {e.worker for e in types(trace, "retire")}
    assert retired == {worker for worker, overflow, _ in answers if overflow}


def test_an_overflow_worker_retired_at_checkin_serves_no_caller_while_it_stops(
    with_pool: WithPool,
) -> None:
    """An overflow worker checked in with nobody waiting is retired; a call that came before
    the retirement's task ran took it, idle, and the stop cut its request short: found in a
    scenario (size 4, max_overflow 2, 8 callers) as a `retire` while w5 served s1c7, whose
    answer came as the worker stopped."""

    async def body(pool: Pool) -> tuple[str, Answer | NoAnswer]:
        held = await pool.checkout("c0")  # the pooled worker, busy throughout
        overflow = await pool.checkout("c1")
        assert overflow.overflow
        pool.checkin(overflow, "c1")  # retired: nobody waits
        answer = await pool.call("c2", "sleep", {"seconds": 0.3}, timeout=5)
        pool.checkin(held, "c0")
        return overflow.id, answer

    (retired, answer), trace = with_pool(body, size=1, max_overflow=1, checkout_timeout=30)
    assert isinstance(answer, Answer), answer
    served = [e.worker for e in types(trace, "request") if e.caller == "c2"]
    assert served and retired not in served


def test_checkout_timeout_explains_itself(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> list[Any]:
        async def caller(i: int) -> Any:
            try:
                return await pool.call(f"c{i}", "sleep", {"seconds": 1.0})
            except CheckoutTimedOut as exc:
                return exc

        return await asyncio.gather(*(caller(i) for i in range(4)))

    results, trace = with_pool(body, size=2, checkout_timeout=0.3)
    errors = [r for r in results if isinstance(r, CheckoutTimedOut)]
    assert len(errors) == 2
    assert errors[0].stats.busy == 2 and errors[0].stats.idle == 0
    assert (
        "checkout timed out after 0.3 s: total=2, busy=2, idle=0, starting=0" in errors[0].message
    )
    event = types(trace, "checkout_timeout")[0]
    assert event.data["busy"] == 2 and event.data["waiting"] >= 1


def test_checkout_timeout_names_the_last_init_failure(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> CheckoutTimedOut:
        with pytest.raises(CheckoutTimedOut) as info:
            await pool.checkout("c1", timeout=2.5)
        return info.value

    error, _ = with_pool(
        body,
        "--crash-on-start",
        "3",
        size=1,
        lazy=True,
        init_timeout=10,  # the crash, not the init timeout, even on a loaded machine
        diagnose_init_failures=False,
        max_failed_starts=1000,  # the checkout times out before the pool would give up
    )
    assert error.cause is not None and "exited with code 3" in error.cause
    assert "last init failure: worker w" in error.message


def test_a_pool_whose_every_start_crashes_gives_up_and_fails_its_callers_at_once(
    with_pool: WithPool,
) -> None:
    """Every worker exits in its init: after five starts in a row crashed the pool gives up,
    as a supervisor past its restart intensity. The callers waiting fail with the last crash
    (each waited its 60 s checkout timeout out: 200 requests took 251 s), and a later one
    fails at once without another start."""

    async def body(pool: Pool) -> tuple[list[BaseException], int, BaseException]:
        calls = [pool.call(f"c{i}", "ping") for i in range(6)]
        failed = await asyncio.gather(*calls, return_exceptions=True)
        spawned = len(pool.all_workers)
        with pytest.raises(PoolGaveUp) as later:
            await pool.call("late", "ping")
        assert len(pool.all_workers) == spawned  # no start for it
        return [f for f in failed if isinstance(f, BaseException)], spawned, later.value

    (failed, spawned, later), trace = with_pool(
        body,
        "--crash-on-start",
        "3",
        size=2,
        checkout_timeout=60,
        init_timeout=10,
        diagnose_init_failures=False,
    )
    assert len(failed) == 6 and all(isinstance(f, PoolGaveUp) for f in failed), failed
    assert "gave up after 5 worker starts in a row failed" in str(failed[0])
    assert "exited with code 3" in str(failed[0]) and "exited with code 3" in str(later)
    [gave_up] = types(trace, "pool_gave_up")
    assert gave_up.data["failed_starts"] == 5 and gave_up.data["waiting"] == 6
    crashed = [e for e in types(trace, "init_end") if not e.data["ok"]]
    # no start after it gave up but the one under way, whose crash may come after it (loaded)
    assert len(crashed) in (5, spawned) and spawned <= 6
    assert types(trace, "checkout_timeout") == []


def test_a_slow_start_is_not_a_crash_the_pool_gives_up_on(with_pool: WithPool) -> None:
    """Inits that time out may yet succeed (a slow import): the pool keeps starting workers
    for its callers, and they time out waiting, as the pool is configured."""

    async def body(pool: Pool) -> list[BaseException]:
        calls = [pool.call(f"c{i}", "ping") for i in range(3)]
        failed = await asyncio.gather(*calls, return_exceptions=True)
        return [f for f in failed if isinstance(f, BaseException)]

    failed, trace = with_pool(
        body,
        "--init-delay",
        "30",
        size=1,
        init_timeout=0.2,
        checkout_timeout=1.5,
        max_failed_starts=1,
        diagnose_init_failures=False,
    )
    assert len(failed) == 3 and all(isinstance(f, CheckoutTimedOut) for f in failed), failed
    assert types(trace, "pool_gave_up") == []


def test_worker_death_is_noticed_at_once_and_replaced(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> tuple[Any, float]:
        started = time.monotonic()
        call = asyncio.ensure_future(pool.call("c1", "sleep", {"seconds": 10}))
        await asyncio.sleep(0.3)
        pool.kill("any")
        outcome = await call
        elapsed = time.monotonic() - started
        # the replacement's init, however long a loaded machine takes to start it
        deadline = time.monotonic() + 30
        while pool.stats().idle < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return outcome, elapsed

    (outcome, elapsed), trace = with_pool(body, size=1, request_timeout=20)
    assert isinstance(outcome, NoAnswer) and outcome.reason == "exited"
    assert "worker w1" in outcome.detail and "killed by SIGKILL" in outcome.detail
    assert elapsed < 5  # long before the 10 s request or the 20 s timeout
    assert types(trace, "worker_exit")[0].data["exit"] == "killed by SIGKILL (9)"
    assert len(types(trace, "replace")) == 1
    assert sum(1 for e in types(trace, "init_end") if e.data["ok"]) == 2


def test_request_timeout(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> Any:
        return await pool.call("c1", "sleep", {"seconds": 3}, timeout=0.3)

    outcome, _ = with_pool(body, size=1)
    assert isinstance(outcome, NoAnswer) and outcome.reason == "timeout"


def test_drain_lets_work_in_flight_finish(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> tuple[list[Any], Any]:
        calls = [
            asyncio.ensure_future(pool.call(f"c{i}", "sleep", {"seconds": 0.4})) for i in range(2)
        ]
        await asyncio.sleep(0.1)
        await pool.shutdown("drain", grace=5)
        try:
            await pool.checkout("late")
        except PoolShuttingDown as exc:
            late: Any = exc
        return list(await asyncio.gather(*calls)), late

    (answers, late), trace = with_pool(body, size=2)
    assert all(isinstance(a, Answer) and a.response.success for a in answers)
    assert (
        isinstance(late, PoolShuttingDown) and "while this caller was checking out" in late.message
    )
    begun = types(trace, "shutdown_begun")[0]
    assert begun.data == {"mode": "drain", "waiting": 0, "in_flight": 2}


def test_abort_fails_waiters_and_callers_in_flight_with_counts(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> list[Any]:
        async def caller(i: int) -> Any:
            try:
                return await pool.call(f"c{i}", "sleep", {"seconds": 2})
            except PoolShuttingDown as exc:
                return exc

        calls = [asyncio.ensure_future(caller(i)) for i in range(5)]
        await asyncio.sleep(0.3)
        await pool.shutdown("abort", grace=0.5)
        return list(await asyncio.gather(*calls))

    results, _ = with_pool(body, size=2)
    assert all(isinstance(r, PoolShuttingDown) for r in results)
    phases = sorted(r.phase for r in results)
    assert phases == ["in flight"] * 2 + ["waiting for a worker"] * 3
    assert all(r.waiting == 3 and r.in_flight == 2 for r in results)
    assert "3 caller(s) waiting and 2 in flight" in results[0].message


def test_workers_ignoring_sigterm_are_killed_at_shutdown(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> list[int]:
        return [w.process.pid for w in pool.workers.values()]

    pids, trace = with_pool(body, "--ignore-sigterm", "--hang-on-eof", size=2, stop_grace=0.3)
    exits = types(trace, "shutdown_done")[0].data["exits"]
    assert set(exits.values()) == {"killed by SIGKILL (9)"}
    for pid in pids:
        assert (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
        )


def test_events_file_has_every_event_with_monotonic_times(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> None:
        await asyncio.gather(
            *(pool.call(f"c{i}", "echo", {"i": i}, session=f"s{i}") for i in range(20))
        )

    _, trace = with_pool(body, size=2)
    kinds = [e.type for e in trace.events]
    for kind in (
        "pool_start",
        "spawn",
        "init_start",
        "init_end",
        "checkout_requested",
        "checkout_granted",
        "request",
        "response",
        "checkin",
        "shutdown_begun",
        "shutdown_done",
    ):
        assert kind in kinds, kind
    times = [e.t for e in trace.events]
    assert times == sorted(times)
    request = next(trace.of_type("request"))
    assert request.caller and request.session and request.worker


def test_a_checked_in_worker_goes_straight_to_the_next_waiter(with_pool: WithPool) -> None:
    """One worker, three callers: each answer is followed at once, in the same pass of the
    loop, by the next waiter's checkout and request (traced in their order)."""

    async def body(pool: Pool) -> list[Answer | NoAnswer]:
        return list(await asyncio.gather(*(pool.call(f"c{i}", "echo", {"i": i}) for i in range(3))))

    answers, trace = with_pool(body, size=1)
    assert all(isinstance(a, Answer) and a.response.success for a in answers)
    served = [
        e for e in trace.events if e.type in ("response", "checkin", "checkout_granted", "request")
    ]
    kinds = [(e.type, e.caller) for e in served]
    for previous, following in (("c0", "c1"), ("c1", "c2")):
        at = kinds.index(("response", previous))
        assert kinds[at : at + 4] == [
            ("response", previous),
            ("checkin", previous),
            ("checkout_granted", following),
            ("request", following),
        ], kinds
        assert served[at + 3].seq == served[at].seq + 3  # nothing in between


def test_stdout_transcripts_reach_disk_while_the_pool_runs(with_pool: WithPool) -> None:
    async def body(pool: Pool) -> tuple[bytes, bytes]:
        for i in range(20):
            assert isinstance(await pool.call("c", "echo", {"i": i}), Answer)
        (worker,) = pool.workers.values()
        on_disk = b""
        for _ in range(250):  # written by the loop within 0.1 s of each read
            on_disk = worker.process.stdout_path.read_bytes()
            if len(on_disk) == len(worker.process.transcript.data):
                break
            await asyncio.sleep(0.02)
        return on_disk, bytes(worker.process.transcript.data)

    (on_disk, kept), _ = with_pool(body, size=1)
    assert on_disk == kept and kept.count(b'"success":true') == 21  # the init ping and 20


def test_a_request_too_large_for_its_framing_fails_its_caller_only(
    tmp_path: Path, processes: Processes
) -> None:
    """packet-1 frames hold 255 bytes: the caller asking more gets the framing error, its
    worker is checked in again and serves the next caller."""
    run = create_run_dir("pool", base=tmp_path)
    trace = Trace(run.events)
    spec = WorkerSpec((*REFERENCE, "--framing", "packet-1"), framing="packet-1")

    async def main() -> tuple[BaseException | Answer | NoAnswer, ...]:
        pool = Pool(spec, PoolConfig(size=1), run, trace)
        try:
            await pool.start()
            calls = [pool.call("big", "echo", {"x": "y" * 300}), pool.call("small", "echo")]
            return tuple(await asyncio.gather(*calls, return_exceptions=True))
        finally:
            await pool.shutdown("abort", 0.5)
            pool.stop_now()

    big, small = asyncio.run(main())
    trace.close()
    assert isinstance(big, FramingError) and "packet-1" in big.message
    assert isinstance(small, Answer) and small.response.success
    kinds = [(e.type, e.caller) for e in trace.events if e.caller == "big"]
    assert [k for k, _ in kinds] == [
        "checkout_requested", "checkout_granted", "request", "checkin"
    ]  # fmt: skip


def test_a_caller_served_by_a_worker_fresh_from_its_init_is_traced(with_pool: WithPool) -> None:
    """A lazy pool hands a worker to a waiting caller as its init ends: that caller's grant and
    request are events too, or a timeline shows it waiting to the end."""

    async def body(pool: Pool) -> list[Any]:
        calls = [pool.call(f"c{i}", "ping") for i in range(4)]
        return list(await asyncio.gather(*calls))

    answers, trace = with_pool(body, size=2, lazy=True)
    assert all(isinstance(a, Answer) for a in answers)
    granted = {e.caller for e in types(trace, "checkout_granted")}
    requested = {e.caller for e in types(trace, "request")}
    answered = {e.caller for e in types(trace, "response")}
    assert granted == requested == answered == {"c0", "c1", "c2", "c3"}
