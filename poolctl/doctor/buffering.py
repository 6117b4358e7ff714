"""Check 6, buffering: whether the worker flushes each frame, tested on a pipe with every
unbuffering aid removed (`PYTHONUNBUFFERED`, `-u`), then compared with a pseudo-terminal and with
`PYTHONUNBUFFERED=1`. An aid that is in effect hides a worker that never flushes: it works in
tests and hangs in a pool that starts it without the aid.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

from poolctl.diagnose.pty_probe import PtyRun, run_on_pty
from poolctl.framing import get_framing
from poolctl.model import Evidence
from poolctl.protocol import RequestIds
from poolctl.rundir import RunDir
from poolctl.worker import WorkerSpec

from .probe import run_probe
from .target import CheckList, Target

SECTION = "Buffering"
UNBUFFERED_ENV = "PYTHONUNBUFFERED"


def aids_in_effect(target: Target) -> list[str]:
    """The unbuffering aids the worker runs with, and where each comes from."""
    aids = []
    if target.env.get(UNBUFFERED_ENV):
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


def check_buffering(target: Target, run_dir: RunDir, timeout: float) -> CheckList:
    """Ping on a pipe without aids; if no answer, compare a terminal and `PYTHONUNBUFFERED=1`."""
    out = CheckList(SECTION)
    aids = aids_in_effect(target)
    plain = without_aids(target)
    evidence = [Evidence(aid, "environment" if "=" in aid else "command") for aid in aids]
    py = target.python
    if py is not None and py.shebang and py.unbuffered_flag():
        evidence.append(Evidence(py.shebang, "shebang", "-u cannot be removed to test without it"))
    pipe = run_probe(plain, run_dir, "buffering-pipe", timeout, diagnose=False)
    removed = " and ".join(a.split(" (")[0].split("=")[0] for a in aids)
    if pipe.response is not None:
        summary = "flushes each frame: answers on a pipe"
        if aids:
            summary += f" without {removed} (in effect here, it hides nothing)"
        out.add("flush", "ok", summary, evidence=evidence)
        return out
    assert pipe.no_answer is not None or pipe.start_error
    detail = pipe.start_error or (pipe.no_answer.detail if pipe.no_answer else "")
    evidence.append(
        Evidence(f"on a pipe{' without ' + removed if aids else ''}: {detail}", "probe")
    )
    if pipe.no_answer is None or pipe.no_answer.reason != "timeout":
        out.add(
            "flush",
            "warn",
            f"not tested: no answer on a pipe ({detail}); see Framing",
            evidence=evidence,
        )
        return out
    helped_spec = dataclasses.replace(
        plain,
        env={**plain.env, UNBUFFERED_ENV: "1"},
        unset_env=tuple(k for k in plain.unset_env if k != UNBUFFERED_ENV),
    )
    with ThreadPoolExecutor(max_workers=2) as pool:
        on_tty = pool.submit(_pty, plain, run_dir, timeout)
        helped = pool.submit(
            run_probe, helped_spec, run_dir, "buffering-unbuffered", timeout, diagnose=False
        )
        tty, unbuffered = on_tty.result(), helped.result()
    tty_detail = tty.detail or f"no answer within {timeout:g} s"
    evidence.append(Evidence(f"stdout on a pseudo-terminal: {tty_detail}", "pty probe"))
    unbuf_detail = (
        f"answered in {(unbuffered.round_trip or 0) * 1000:.2f} ms"
        if unbuffered.response is not None
        else (unbuffered.no_answer.detail if unbuffered.no_answer else unbuffered.start_error)
    )
    evidence.append(Evidence(f"with {UNBUFFERED_ENV}=1: {unbuf_detail}", "probe"))
    answered_by = []
    if tty.answer_after is not None:
        answered_by.append(f"on a pseudo-terminal ({tty_detail})")
    if unbuffered.response is not None:
        answered_by.append(f"with {UNBUFFERED_ENV}=1 ({unbuf_detail})")
    if not answered_by:
        out.add(
            "flush",
            "warn",
            f"not tested: no answer on a pipe, a pseudo-terminal, or with {UNBUFFERED_ENV}=1 "
            "(see Framing)",
            evidence=evidence,
        )
        return out
    remedy = "flush stdout after every frame (sys.stdout.flush(), or flush=True; in C, fflush)"
    but = " and ".join(answered_by)
    if aids:
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
            f"it does not flush each frame: no answer on a pipe within {timeout:g} s, "
            f"but one {but}",
            remedy,
            evidence,
        )
    return out


def _pty(spec: WorkerSpec, run_dir: RunDir, timeout: float) -> PtyRun:
    framing = get_framing(spec.framing)
    request = RequestIds().request("ping", {})
    return run_on_pty(
        spec,
        framing,
        framing.encode(request.to_json()),
        request.id,
        timeout,
        run_dir.workers,
        "buffering-pty",
    )
