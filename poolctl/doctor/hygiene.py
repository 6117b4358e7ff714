"""Check 4, output hygiene: anything the worker writes to stdout before its first frame (a
banner, a stray `print`: in a length-prefixed framing its first bytes read as an absurd frame
length), and what it writes to stderr at start (harmless while stderr is kept apart, fatal to
the framing when it is merged into stdout, as Erlang's `:stderr_to_stdout` does)."""

from __future__ import annotations

from poolctl.framing import explain, get_framing, quote
from poolctl.model import Evidence
from poolctl.worker import StderrMode

from .probe import Probe
from .target import CheckList, first_lines

SECTION = "Output hygiene"
NOISE_KINDS = ("text", "binary")  # what `framing.explain` calls bytes that are no frame at all


def check_hygiene(probe: Probe, configured: StderrMode) -> CheckList:
    """Judge `probe` (a worker run with stderr captured); `configured` is the real stderr mode."""
    out = CheckList(SECTION)
    if probe.start_error:
        out.add("stdout", "fail", f"the worker did not start: {probe.start_error}")
        return out
    origin = f"workers/{probe.worker_id}.stdout.bin"
    framing = get_framing(probe.spec.framing)
    if probe.answered:
        noise = [s for s in probe.stray if "not JSON" in s or "not UTF-8" in s]
        if noise:
            out.add(
                "stdout",
                "fail",
                f"{len(noise)} line(s) on stdout before its answer that are not frames: {noise[0]}",
                "write logs and banners to stderr (print(..., file=sys.stderr)), never stdout",
                [Evidence(s, origin) for s in noise[:5]],
            )
        else:
            out.add("stdout", "ok", "nothing on stdout before its first frame")
    else:
        explained = explain(probe.stdout, framing)
        if probe.stdout and explained.kind in NOISE_KINDS:
            first = probe.stdout.split(b"\n", 1)[0]
            out.add(
                "stdout",
                "fail",
                f"it writes {quote(first, 60)} to stdout before any frame",
                "write logs and banners to stderr (print(..., file=sys.stderr)), never stdout",
                [Evidence(quote(probe.stdout, 60), origin, _cut(explained.text, 200))],
            )
        elif probe.stdout:
            out.add(
                "stdout",
                "ok",
                f"no stray text on stdout (what came is {explained.text}: see Framing)",
                evidence=[Evidence(quote(probe.stdout, 60), origin)],
            )
        else:
            out.add("stdout", "ok", "nothing on stdout before its first frame (nor any frame)")
    _stderr(probe, configured, out)
    return out


def _stderr(probe: Probe, configured: StderrMode, out: CheckList) -> None:
    lines = [ln for ln in probe.stderr.splitlines() if ln.strip()]
    origin = f"workers/{probe.worker_id}.stderr.log"
    if not lines:
        out.add("stderr", "ok", "nothing on stderr at start")
        return
    shown = [_cut(lines[0])] + ([_cut(lines[-1])] if len(lines) > 1 else [])
    said = f"{len(lines)} line(s) on stderr at start ({' … '.join(map(repr, shown))})"
    evidence = [Evidence(first_lines(probe.stderr, 8), origin)]
    if configured is StderrMode.MERGE:
        out.add(
            "stderr",
            "fail",
            f"{said}, and stderr is merged into stdout: they land on the framed stream",
            "keep stderr apart (scenario `stderr: capture`; in Erlang, drop :stderr_to_stdout), "
            "or silence what it prints",
            evidence,
        )
    else:
        out.add(
            "stderr",
            "ok",
            f"{said}: harmless while stderr is kept apart ({configured})",
            evidence=evidence,
        )


def _cut(line: str, limit: int = 70) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"
