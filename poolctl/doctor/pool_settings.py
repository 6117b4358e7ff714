"""Check 7, pool settings: size plus overflow against the scenario's peak concurrency; lazy or
eager, and what that means for the first callers; the checkout timeout against the measured
init time; and every `pool:` key the pool does not know, reported with its line and the nearest
known key or the library whose option it is, rather than refused.

`load_for_doctor` reads the scenario once: unknown `pool:` keys become findings, and the rest of
its data is validated as any scenario is (errors still name the lines of the user's file).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from poolctl import redact
from poolctl.model import Evidence
from poolctl.patterns import PatternSet
from poolctl.scenario import PoolSection, Scenario, read_scenario
from poolctl.yamlfile import did_you_mean, load_yaml

from .target import CheckList, seconds_text

SECTION = "Pool settings"
MARGIN = 2.0

# Options of other pool libraries (and worker keys put under `pool:`), and what poolctl calls
# them: (the poolctl key or None, whose option it is and what to do).
FOREIGN: dict[str, tuple[str | None, str]] = {
    "pool_size": ("size", "SQLAlchemy's and NimblePool's name for the pool size"),
    "maximumPoolSize": ("size", "HikariCP's name for the pool size"),
    "max_size": ("size", "psycopg_pool's and asyncpg's name for the pool size"),
    "maxsize": ("size", "aiopg's name for the pool size"),
    "workers": ("size", "the number of workers"),
    "overflow": ("max_overflow", "poolboy calls it max_overflow too"),
    "maxOverflow": ("max_overflow", "the overflow count"),
    "pool_timeout": ("checkout_timeout", "SQLAlchemy's checkout timeout"),
    "connectionTimeout": ("checkout_timeout", "HikariCP's checkout timeout"),
    "timeout": ("checkout_timeout", "psycopg_pool's checkout timeout"),
    "checkout_timeout_ms": ("checkout_timeout", "a timeout in milliseconds; poolctl's is seconds"),
    "pre_warm": ("lazy", "`lazy: false` starts every worker with the pool"),
    "prewarm": ("lazy", "`lazy: false` starts every worker with the pool"),
    "eager": ("lazy", "`lazy: false` is poolctl's eager pool"),
    "minimumIdle": (None, "HikariCP's; poolctl keeps `size` workers (`lazy: false` starts them)"),
    "min_size": (None, "psycopg_pool's and asyncpg's; poolctl keeps `size` workers"),
    "max_waiting": (
        None,
        "psycopg_pool's queue bound; poolctl queues every caller, bounded by checkout_timeout",
    ),
    "strategy": (None, "poolboy's lifo/fifo hand-out order; poolctl hands out idle workers FIFO"),
    "worker": (None, "NimblePool's worker module; a scenario's worker is the top-level `worker:`"),
    "worker_idle_timeout": (None, "NimblePool's; poolctl does not retire idle workers"),
    "idleTimeout": (None, "HikariCP's; poolctl does not retire idle workers"),
    "max_idle": (None, "psycopg_pool's; poolctl does not retire idle workers"),
    "maxLifetime": (None, "HikariCP's; poolctl does not recycle workers"),
    "max_lifetime": (None, "psycopg_pool's; poolctl does not recycle workers"),
    "pool_recycle": (None, "SQLAlchemy's; poolctl does not recycle workers"),
    "pool_pre_ping": (None, "SQLAlchemy's; poolctl pings every worker at init (init_timeout)"),
}
WORKER_KEYS = ("command", "framing", "stderr", "env", "unset_env", "cwd", "init_timeout")


@dataclass(frozen=True)
class UnknownSetting:
    """A `pool:` key the pool does not know, where it is, and what it probably means."""

    key: str
    line: int
    file: str
    value: str
    means: str | None  # the poolctl key it stands for
    why: str  # whose option it is, or the nearest known key


def known_pool_keys() -> list[str]:
    return list(PoolSection.model_fields)


def explain_unknown(key: str) -> tuple[str | None, str]:
    """The poolctl key `key` stands for (if any) and why."""
    if key in FOREIGN:
        return FOREIGN[key]
    if key in WORKER_KEYS:
        return None, "a worker setting: it belongs under `worker:`, not `pool:`"
    hint = did_you_mean(key, known_pool_keys())
    if hint:
        nearest = hint.split("'")[1]
        return nearest, f"a typo for {nearest}?"
    return None, f"not a pool setting (known: {', '.join(known_pool_keys())})"


def load_for_doctor(
    path: str | Path, patterns: PatternSet | None = None
) -> tuple[Scenario, tuple[UnknownSetting, ...]]:
    """The scenario, with unknown `pool:` keys (block or flow style) set aside as findings
    instead of errors.

    The file is parsed once; any other problem is an `InputError` naming its file and line.
    `patterns` is the knowledge base the scenario's expected patterns must name.
    """
    doc = load_yaml(Path(path))
    data = doc.data
    pool = data.get("pool") if isinstance(data, dict) else None
    if not isinstance(pool, dict):
        return read_scenario(doc, patterns, check_commands=False), ()
    known = known_pool_keys()
    unknown = [k for k in pool if str(k) not in known]
    found = tuple(
        UnknownSetting(
            str(key),
            doc.line_of(("pool", str(key))),
            str(doc.path),
            _short(pool[key]),
            *explain_unknown(str(key)),
        )
        for key in unknown
    )
    kept = {k: v for k, v in pool.items() if k not in unknown}
    return read_scenario(doc, patterns, check_commands=False, data={**data, "pool": kept}), found


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else redact.environment().cut(text, 37) + "…"


def check_pool(
    scenario: Scenario | None,
    unknown: tuple[UnknownSetting, ...],
    init_s: float | None,
) -> CheckList:
    """Judge the pool settings against the peak concurrency and the measured init time."""
    out = CheckList(SECTION)
    for u in unknown:
        remedy = (
            f"rename {u.key} to {u.means}"
            if u.means
            else f"remove {u.key} (poolctl has no such setting)"
        )
        if u.why.startswith("a worker setting"):
            remedy = f"move {u.key} under `worker:`"
        out.add(
            "unknown",
            "fail",
            f"pool.{u.key} ({u.file}:{u.line}) is not a pool setting: {u.why}",
            remedy,
            [Evidence(f"{u.key}: {u.value}", f"{u.file}:{u.line}")],
        )
    if scenario is None:
        return out
    if not unknown:
        out.add("unknown", "ok", "every pool setting is known")
    pool = scenario.pool
    _capacity(pool, scenario.peak_concurrency(), out)
    _start_mode(pool, scenario.peak_concurrency(), init_s, scenario.worker.init_timeout, out)
    return out


def _capacity(pool: PoolSection, peak: int, out: CheckList) -> None:
    cap = pool.size + pool.max_overflow
    workers = f"size {pool.size} + max_overflow {pool.max_overflow}"
    evidence = [
        Evidence(f"peak concurrency {peak} (the largest `concurrency:` of its steps)", "scenario")
    ]
    if peak <= pool.size:
        out.add(
            "capacity",
            "ok",
            f"{peak} caller(s) at most, {pool.size} worker(s): nobody waits for a worker",
            evidence=evidence,
        )
        return
    if peak <= cap:
        out.add(
            "capacity",
            "ok",
            f"{peak} callers at most: {pool.size} workers and {peak - pool.size} overflow "
            f"worker(s) started on demand ({workers})",
            evidence=evidence,
        )
        return
    waiting = peak - cap
    turns = math.ceil(waiting / cap)
    per_request = pool.checkout_timeout / turns
    out.add(
        "capacity",
        "warn",
        f"{peak} callers at once, {cap} worker(s) ({workers}): {waiting} wait for a busy one, "
        f"up to {turns} turn(s) within checkout_timeout {pool.checkout_timeout:g} s",
        f"raise size to {peak} (or max_overflow to {peak - pool.size}), or keep every request "
        f"under {per_request:.2g} s",
        evidence,
    )


def _start_mode(
    pool: PoolSection, peak: int, init_s: float | None, init_timeout: float, out: CheckList
) -> None:
    ct = pool.checkout_timeout
    measured = f"{seconds_text(init_s)} measured" if init_s is not None else "not measured"
    evidence = [
        Evidence(f"init (spawn to first answer): {measured}", "Start-up"),
        Evidence(f"checkout_timeout {ct:g} s, init_timeout {init_timeout:g} s", "scenario"),
    ]
    cores = os.cpu_count() or 1
    if pool.lazy:
        first = min(peak, pool.size)
        waits = (
            f"lazy: workers start on first demand, so the first {first} caller(s) each wait an init"
        )
        if init_s is not None and first > cores:  # their starts share the machine's CPUs
            rounds = math.ceil(first / cores)
            waits += (
                f"; {first} starting at once share {cores} CPU(s), so the last may wait up to "
                f"{rounds} inits"
            )
            init_s *= rounds
        remedy = (
            f"set checkout_timeout above {MARGIN * (init_s or 0):.1f} s, "
            "or lazy: false (workers start with the pool)"
        )
    elif pool.max_overflow > 0 and peak > pool.size:
        waits = (
            f"eager: {pool.size} workers start with the pool, but overflow callers each wait "
            "for an overflow worker's init"
        )
        remedy = (
            f"set checkout_timeout above {MARGIN * (init_s or 0):.1f} s, or raise size to {peak}"
        )
    else:
        out.add(
            "start",
            "ok",
            f"eager: {pool.size} worker(s) start and init with the pool ({measured}); "
            "the first callers find them ready",
            evidence=evidence,
        )
        return
    if ct < init_timeout:
        evidence.append(
            Evidence(
                f"checkout_timeout {ct:g} s < init_timeout {init_timeout:g} s: a checkout gives "
                "up before a slow init would",
                "scenario",
            )
        )
    if init_s is None:
        out.add(
            "start",
            "warn",
            f"{waits}, and the init time is not measured (the worker gave no answer)",
            "see Start-up and Framing",
            evidence,
        )
    elif init_s >= ct and not pool.lazy:
        # an overflow caller takes the first worker checked in, busy or new: a short request
        # hands its worker on before a slow init ends (measured: such a run passes)
        out.add(
            "start",
            "warn",
            f"{waits} ({seconds_text(init_s)}), over checkout_timeout {ct:g} s: they time out "
            "unless a busy worker is checked in first (requests shorter than the timeout)",
            remedy,
            evidence,
        )
    elif init_s >= ct:
        out.add(
            "start",
            "fail",
            f"{waits} ({seconds_text(init_s)}), over checkout_timeout {ct:g} s: they time out",
            remedy,
            evidence,
        )
    elif init_s * MARGIN > ct:
        out.add(
            "start",
            "warn",
            f"{waits} ({seconds_text(init_s)}): checkout_timeout {ct:g} s leaves a margin "
            f"of {ct / init_s:.1f}x, under {MARGIN:g}x",
            remedy,
            evidence,
        )
    else:
        out.add(
            "start",
            "ok",
            f"{waits} ({seconds_text(init_s)}), well within checkout_timeout {ct:g} s",
            evidence=evidence,
        )
