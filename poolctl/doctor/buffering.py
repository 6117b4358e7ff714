"""Check 6, buffering: whether the worker flushes each frame, tested on a pipe with every
unbuffering aid removed (`PYTHONUNBUFFERED`, `-u`). When no answer comes, the no-answer engine
judges it, as `ping` does: closing stdin flushes a buffered answer, and a pseudo-terminal,
`PYTHONUNBUFFERED=1` or many requests get answers from a fresh process. An aid that is in effect
hides a worker that never flushes: it works in tests and hangs in a pool that starts it
without the aid.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from poolctl.diagnose.hypotheses import buffered
from poolctl.diagnose.outcomes import (
    BUFFER_EXPERIMENTS,
)
from poolctl.languages import running_language
from poolctl.model import Evidence
from poolctl.patterns.loader import PatternSet
from poolctl.rundir import RunDir
from poolctl.worker_types import WorkerSpec

from .language import flush_remedy, worker_language
from .probe import Probe, run_probe
from .target import CheckList, Target

SECTION = "Buffering"
UNBUFFERED_ENV = "PYTHONUNBUFFERED"
# What the pipe's diagnosis may start: the `buffered` judgement, all this check reads of it,
# rests on these alone. The probe as configured runs the rest (other framings, protocols) for
# Framing; run again here, each fresh server cost a start (an `import mcp`: 0.5 s of CPU).
JUDGES_BUFFERING = frozenset({"replay", *BUFFER_EXPERIMENTS})


def aids_in_effect(target: Target) -> list[str]:
    """The unbuffering aids the worker runs with, and where each comes from. PYTHONUNBUFFERED
    counts unless the worker's language is known and not Python (a script may `exec` Python)."""
    aids = []
    language = worker_language(target)
    if target.env.get(UNBUFFERED_ENV) and (language is None or language.reads_pythonunbuffered):
        where = (
            "set for the worker"
            if UNBUFFERED_ENV in target.spec.env
            else "inherited from poolctl's environment"
        )
        aids.append(f"{UNBUFFERED_ENV}={target.env[UNBUFFERED_ENV]} ({where})")
    py = target.python
    if py is not None and py.unbuffered_flag():
        aids.append(f"-u ({'in its shebang' if py.shebang else 'in the command'})")
    return aids


def _drop_u(option: str) -> str:
    """`-u` → ``, `-uB` → `-B`: the option without its `u` flag."""
    if option.startswith("-") and not option.startswith("--") and option[1:2] not in "WXcm":
        rest = option[1:].replace("u", "")
        return "-" + rest if rest else ""
    return option


def without_aids(target: Target) -> WorkerSpec:
    """The worker's spec with `PYTHONUNBUFFERED` unset and `-u` dropped from the command."""
    spec = target.spec
    env = {k: v for k, v in spec.env.items() if k != UNBUFFERED_ENV}
    unset = (*spec.unset_env, UNBUFFERED_ENV)
    argv = spec.argv
    py = target.python
    if py is not None and not py.shebang and py.unbuffered_flag():
        n = len(py.options)
        options = [o for o in (_drop_u(o) for o in argv[1 : 1 + n]) if o]
        argv = (argv[0], *options, *argv[1 + n :])
    return dataclasses.replace(spec, env=env, unset_env=unset, argv=argv)


def check_buffering(
    target: Target,
    run_dir: RunDir,
    timeout: float,
    configured: Future[Probe],
    patterns: PatternSet | None = None,
) -> CheckList:
    """Ping on a pipe without aids (the `configured` probe when none is in effect); on no answer,
    the no-answer engine's `buffered` judgement (its stdin-close probe and its experiments: a
    terminal, `PYTHONUNBUFFERED=1`, many requests) is the verdict."""
    out = CheckList(SECTION)
    aids = aids_in_effect(target)
    evidence = [Evidence(aid, "environment" if "=" in aid else "command") for aid in aids]
    py = target.python
    if py is not None and py.shebang and py.unbuffered_flag():
        evidence.append(Evidence(py.shebang, "shebang", "-u cannot be removed to test without it"))
    if aids:
        pipe = run_probe(
            without_aids(target),
            run_dir,
            "buffering-pipe",
            timeout,
            diagnose=True,
            budget=timeout + 3.0,
            patterns=patterns,
            only=JUDGES_BUFFERING,
            configured=configured,
        )
    else:
        pipe = configured.result()
    aids, evidence = _aids_to_its_process(target, pipe, aids, evidence)
    removed = " and ".join(a.split(" (")[0].split("=")[0] for a in aids)
    if pipe.response is not None:
        summary = "flushes each frame: answers on a pipe"
        if aids:
            summary += f" without {removed} (in effect here, it hides nothing)"
        out.add("flush", "ok", summary, evidence=evidence)
        return out
    detail = pipe.start_error or (pipe.no_answer.detail if pipe.no_answer else "")
    without = f" without {removed}" if aids else ""
    evidence.append(Evidence(f"on a pipe{without}: {detail}", f"workers/{pipe.worker_id}"))
    judged = pipe.judged(buffered.ID)
    if judged is None or pipe.diagnosis is None:
        out.add("flush", "warn", f"not tested: no answer on a pipe ({detail})", evidence=evidence)
        return out
    late = pipe.diagnosis.facts.get("answered_after_s")
    if judged.status != "confirmed" and late is not None:  # a slow start, not a held answer
        out.add(
            "flush",
            "ok",
            f"flushes each frame: its answer reached the pipe{without} once it had started, "
            f"{late:.2f} s after spawn, past the {timeout:g} s timeout, its stdin still open "
            "(the start is judged under Start-up)",
            evidence=[*evidence, *judged.evidence],
        )
        return out
    if judged.status != "confirmed":
        ruled_out = judged.status == "ruled-out"
        why = "buffering is not why" if ruled_out else "buffering untested"
        # ruled out, buffering is no issue of its own: the fault is Framing's (a crash, a
        # framing it does not speak), which counts it once; untested, it may still be one
        out.add(
            "flush",
            "ok" if ruled_out else "warn",
            f"not tested: no answer on a pipe{without} ({detail}); {why}: {judged.reason} "
            "(see Framing)",
            evidence=[*evidence, *judged.evidence],
        )
        return out
    but = " and ".join(_what_released_it(pipe.diagnosis.facts)) or "another way (see Framing)"
    remedy = flush_remedy(worker_language(target) or running_language(_running(pipe)))
    evidence += judged.evidence
    # the aid hides the fault only when the worker, run as configured, did answer
    if aids and configured.result().response is not None:
        out.add(
            "flush",
            "warn",
            f"it answers only thanks to {removed}: without it, no answer on a pipe within "
            f"{timeout:g} s, but one {but}",
            remedy + f"; a pool that starts it without {removed} hangs",
            evidence,
        )
    else:
        out.add(
            "flush",
            "fail",
            f"it does not flush each frame: no answer on a pipe within {timeout:g} s"
            + (f" (nor with {removed}, as configured)" if aids else "")
            + f", but one {but}",
            remedy,
            evidence,
        )
    return out


def _running(pipe: Probe) -> str:
    """The program the worker's process ran (/proc/PID/exe), as the diagnosis saw it or as it
    answered: a start script's exec'd server."""
    return pipe.running_program


def _aids_to_its_process(
    target: Target, pipe: Probe, aids: list[str], evidence: list[Evidence]
) -> tuple[list[str], list[Evidence]]:
    """The aids left once its running process is seen: a start script that `exec`s Ruby names
    no language, so PYTHONUNBUFFERED counted until then; it is no aid to a process in a
    language that does not read it, and the summary does not speak of it."""
    live = running_language(_running(pipe)) if worker_language(target) is None else None
    if live is None or live.reads_pythonunbuffered:
        return aids, evidence
    kept = [a for a in aids if not a.startswith(UNBUFFERED_ENV + "=")]
    note = f"no aid to its running process {_running(pipe)} ({live.name}): it does not read it"
    shown = [
        dataclasses.replace(e, note=note) if e.text.startswith(UNBUFFERED_ENV + "=") else e
        for e in evidence
    ]
    return kept, shown


_RELEASED_BY = {
    "unbuffered": f"with {UNBUFFERED_ENV}=1",
    "pty": "on a pseudo-terminal",
    "many": "with many requests at once",
}


def _what_released_it(facts: Mapping[str, Any]) -> list[str]:
    """What got an answer out in the engine's probes: closing stdin, and its experiments."""
    found = []
    closed = facts.get("stdin_closed") or {}
    if closed.get("answer_flushed"):
        found.append("when its stdin closed (it flushed as it exited)")
    for exp in facts.get("experiments") or []:
        words = _RELEASED_BY.get(str(exp.get("id")))
        if words and exp.get("answered"):
            found.append(f"{words} ({exp.get('detail')})")
    return found
