"""Check 5, framing: a ping in the configured framing. When no answer comes, the no-response
engine's verdict (it ran on the live process), and the framing that does get an answer: from
the engine's experiments, or by trying each framing in a fresh process (`ping --framing auto`).
"""

from __future__ import annotations

import json

from poolctl import redact
from poolctl.auto_framing import framing_trials
from poolctl.diagnose.hypotheses import crashed, stderr_merged, stdout_text, stuck_in_init
from poolctl.diagnose.hypotheses import framing as framing_mismatch
from poolctl.model import CheckStatus, Diagnosis, Evidence, FramingTrial
from poolctl.protocol.init_asked import init_option_fix
from poolctl.protocol.missing_program import missing_program_fix
from poolctl.protocol.server_version import version_shown
from poolctl.rundir import RunDir
from poolctl.strict_json import strict_refusals
from poolctl.units import fmt_limit

from .probe import Probe
from .target import CheckList, seconds_text

SECTION = "Framing"
# verdicts no framing can cure
NO_FRAMING_HELPS = (crashed.ID, stderr_merged.ID, stdout_text.ID)


def check_framing(probe: Probe, run_dir: RunDir, timeout: float) -> CheckList:
    out = CheckList(SECTION)
    framing = probe.spec.framing
    if probe.start_error:
        out.add("ping", "fail", f"the worker did not start: {probe.start_error}")
        return out
    if probe.response is not None:
        rt = probe.round_trip or 0.0
        ready = f"first {seconds_text(probe.ready_s)} after spawn, " if probe.ready_s else ""
        summary = f"answers a ping in {framing} ({ready}then in {rt * 1000:.2f} ms)"
        answer = redact.environment().cut(json.dumps(probe.response.raw), 300)
        evidence = [Evidence(answer, "its answer")]
        if probe.steps:
            summary = _handshake(probe, framing)
            evidence += [
                Evidence(
                    f"{s.method}: {s.detail}"
                    + (f" in {s.ms:.1f} ms" if s.ms is not None else "")
                    + (f", {s.at_s:.3f} s after spawn" if s.at_s is not None else ""),
                    "the handshake",
                )
                for s in probe.steps
            ]
        if not probe.response.success:
            summary += f" (with an error: {probe.response.error_message})"
        failed = [s for s in probe.steps if not s.ok]
        if failed:  # a client stops there: no tools, or a server left running at every close
            step = failed[0]
            said = f"{step.method}: {step.detail}" if step.method != "(process)" else step.detail
            fix = (
                "Make the server answer every step of its protocol's handshake: a client goes no "
                "further than the step it fails"
                + (
                    "; after `shutdown` and `exit` a language server ends with code 0"
                    if step.method == "(process)"
                    else ""
                )
                + "."
            )
            out.add("ping", "fail", f"{summary}; but {said}", fix, evidence=evidence)
            return out
        raw = probe.response.raw
        mcp = probe.server if probe.spec.protocol == "mcp" else None
        if strict := strict_refusals(raw, jsonrpc="jsonrpc" in raw, mcp_server=mcp):
            said, fix = strict[0]  # a strict client stops there
            out.add("ping", "warn", f"{summary}; but {said}", fix, evidence=evidence)
            return out
        if probe.shown_errors:  # an editor pops it up: the handshake's ✓ would hide it
            method, said = probe.shown_errors[0]
            evidence += [Evidence(said, f"its {method}", "the error it showed")]
            summary += f"; but it showed its user an error: {said!r} ({method})"
            fix = f"Mend what it reports ({said!r}): a client or an editor shows it as an error."
            out.add("ping", "warn", summary, fix, evidence=evidence)
            return out
        out.add("ping", "ok", summary, evidence=evidence)
        return out
    diagnosis = probe.diagnosis
    assert probe.no_answer is not None
    if diagnosis is None:
        detail = probe.no_answer.detail
        # a refused opening whose session found what the server speaks (`…: speak mcp to it
        # (…)`) is told so, as ping tells it
        _, found, speak = detail.partition(": speak ")
        fix = f"Speak {speak}." if found else ""
        if detail.startswith("the server refused"):  # an answer, an error: no "no answer"
            given = probe.spec.init_options
            asked = init_option_fix(detail, given) if probe.spec.protocol == "lsp" else None
            lacking = missing_program_fix(detail, probe.spec.environment())
            out.add("ping", "fail", f"in {framing}, {detail}", asked or lacking or fix)
            return out
        out.add("ping", "fail", f"no answer in {framing}: {detail}", fix)
        return out
    if probe.is_confirmed(stuck_in_init.ID):  # a slow start says nothing of the framing
        out.add(*_not_started(probe, diagnosis, timeout))
        return out
    works, tried = working_framings(diagnosis, probe, run_dir, timeout)
    confirmed = [h.id for h in diagnosis.hypotheses if h.status == "confirmed"]
    found = ""
    # an error reply is an answer, not a working framing (an MCP server refuses LSP's
    # initialize read whole in line: -32602)
    refused = set(refused_framings(diagnosis, probe))
    fine = [name for name in works if name not in refused]
    if works and framing not in works:
        if fine:
            found = f"; it answers in {' and '.join(fine)}"
        else:
            found = f"; in {' and '.join(works)} it answers only with an error"
    elif tried and not works and (not confirmed or confirmed[0] == framing_mismatch.ID):
        found = f"; no framing got an answer in its time ({', '.join(tried)} tried)"
    remedy = diagnosis.remediation
    if fine and framing not in works:
        remedy = remedy or f"use framing {fine[0]} on both sides"
    evidence = engine_evidence(diagnosis)
    out.add("ping", "fail", f"no answer in {framing}: {diagnosis.cause}{found}", remedy, evidence)
    return out


def _not_started(
    probe: Probe, diagnosis: Diagnosis, timeout: float
) -> tuple[str, CheckStatus, str, str, list[Evidence]]:
    """The ping of a worker still starting when its timeout came: the framing is judged by the
    answer that came while the diagnosis kept waiting, else it is untested (Start-up judges
    the start)."""
    assert probe.no_answer is not None
    method, framing = probe.no_answer.request.command, probe.spec.framing
    evidence = engine_evidence(diagnosis)
    late = diagnosis.facts.get("answered_after_s")
    if late is not None:
        summary = (
            f"answers {method} in {framing} once started: its answer came {late:.2f} s after "
            f"spawn, past the {fmt_limit(timeout)} timeout (the start is judged under Start-up)"
        )
        return "ping", "ok", summary, "", evidence
    gave_up = diagnosis.facts.get("gave_up_at_s")
    waited = (
        f"; doctor gave up waiting for its answer {gave_up:.1f} s after spawn" if gave_up else ""
    )
    summary = (
        f"not tested: the worker had not read the {method} request at the {fmt_limit(timeout)} "
        f"timeout, still starting{waited} (see Start-up)"
    )
    fix = "Run doctor again with a --timeout above its start-up to test its framing."
    return "ping", "warn", summary, fix, evidence


def engine_evidence(diagnosis: Diagnosis) -> list[Evidence]:
    """The engine's evidence, its judgement of each hypothesis, and its evidence files."""
    evidence = list(diagnosis.evidence)
    for h in diagnosis.hypotheses:
        evidence.append(Evidence(f"{h.status}: {h.title}", "hypothesis", h.reason))
    files = diagnosis.facts.get("evidence_files") or []
    if files:
        evidence.append(Evidence(", ".join(files), "evidence files"))
    return evidence


def working_framings(
    diagnosis: Diagnosis, probe: Probe, run_dir: RunDir, timeout: float
) -> tuple[list[str], list[str]]:
    """The framings a fresh process answered in, and those tried."""
    confirmed = {h.id for h in diagnosis.hypotheses if h.status == "confirmed"}
    experiments = diagnosis.facts.get("experiments") or []
    tried: list[str] = []
    works: list[str] = []
    let_go = False  # a framing not waited for once a protocol's opening named the server
    for exp in experiments:
        eid = str(exp.get("id", ""))
        name = probe.spec.framing if eid == "replay" else eid.removeprefix("framing-")
        if eid == "replay" or eid.startswith("framing-"):
            if str(exp.get("detail", "")).startswith("not waited for"):
                let_go = True
                continue
            tried.append(name)
            if exp.get("answered"):
                works.append(name)
    if tried or let_go or confirmed & set(NO_FRAMING_HELPS):
        return works, tried
    trials: tuple[FramingTrial, ...] = framing_trials(probe.spec, None, {}, timeout, run_dir)[0]
    return [t.framing for t in trials if t.answered], [t.framing for t in trials]


def refused_framings(diagnosis: Diagnosis, probe: Probe) -> list[str]:
    """The framings a fresh process answered in with an error reply."""
    names = []
    for exp in diagnosis.facts.get("experiments") or []:
        eid = str(exp.get("id", ""))
        if exp.get("answered") and ", with an error: " in str(exp.get("detail", "")):
            names.append(probe.spec.framing if eid == "replay" else eid.removeprefix("framing-"))
    return names


def _handshake(probe: Probe, framing: str) -> str:
    """`answers the mcp handshake in line: initialize 512.3 ms, ping 0.4 ms… (server 'x' 1.0)`."""
    steps = [s for s in probe.steps if s.method != "(process)"]
    timed = ", ".join(f"{s.method} {s.ms:.1f} ms" if s.ms is not None else s.method for s in steps)
    ended = [s.detail for s in probe.steps if s.method == "(process)"]  # after `exit`
    said = f"answers the {probe.spec.protocol} handshake in {framing}: {timed}"
    said += f" ({ended[0]})" if ended else ""
    name, version = probe.server.get("name"), version_shown(probe.server.get("version"))
    if not name:  # a server need not say who it is (serverInfo is optional)
        return said
    return said + f" (server {name!r} {version or ''})".replace(" )", ")")
