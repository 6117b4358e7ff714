"""Generated hostile workers (tests/workers/behaves.py driven by a behaviour spec) and the
invariants every `ping` of one must keep, for tests/test_generated_workers.py.

A `Behaviour` knows what its worker writes and what `ping`'s verdict must say of it; `check`
reads a run (the exit code, the JSON report, the bytes each process of the worker wrote, the
processes still carrying the run's marker) and returns every invariant broken.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shlex
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.conftest import live_with_env

BEHAVES = Path(__file__).resolve().parent / "workers" / "behaves.py"
MARKER = "BEHAVES_RUN"  # in every process of a run's worker (and its experiments), to find them
FRAMINGS = ("packet-4", "packet-2", "packet-1", "line", "content-length")
SIGNALS = ("SIGKILL", "SIGTERM", "SIGSEGV", "SIGABRT", "SIGINT")
README_EXIT_CODES = {0, 1}  # 2 bad usage, 3 internal error: never for a worker's behaviour
NOT_A_CRASH = ("No hypothesis was confirmed", "stuck in initialization", "is still running")
HELD = 30.0  # seconds a holder child sleeps: longer than any run, so a leftover is seen


@dataclass(frozen=True)
class Behaviour:
    """What the worker does (`steps` for behaves.py, then `then`), how poolctl talks to it,
    and what the verdict must be: `answers` (a round trip), or one of `confirms`."""

    kind: str
    steps: tuple[tuple[Any, ...], ...]
    framing: str = "packet-4"
    then: str = "loop"
    timeout: float = 1.0
    experiments: bool = True
    holder: str = ""  # "", "child", "setsid": a process left holding the pipes
    count: int = 1  # pings sent
    stderr: str = "capture"  # poolctl's --stderr: capture, merge, discard
    protocol: str = "dspex"
    unsaid: tuple[str, ...] = ()  # words the verdict's cause must not hold
    answers: bool = False
    confirms: frozenset[str] = frozenset()  # one of these is confirmed (empty: not checked)
    never: frozenset[str] = frozenset()  # none of these is confirmed
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)

    def all_steps(self) -> list[tuple[Any, ...]]:
        first: list[tuple[Any, ...]] = []
        if self.holder:
            first.append(("fork", self.holder == "setsid", HELD))
        return [*first, *self.steps]

    def ping_argv(self) -> list[str]:
        argv = ["--json", "--timeout", str(self.timeout), "--framing", self.framing]
        argv += ["--env", f"{MARKER}={self.marker}", "--unset-env", "PYTHONUNBUFFERED"]
        if not self.experiments:
            argv.append("--no-experiments")
        if self.count > 1:
            argv += ["--count", str(self.count)]
        if self.stderr != "capture":
            argv += ["--stderr", self.stderr]
        if self.protocol != "dspex":
            argv += ["--protocol", self.protocol]
        worker = [sys.executable, str(BEHAVES), json.dumps(self.all_steps()), "--then", self.then]
        return [*argv, "--", *worker]

    def worker_argv(self) -> list[str]:
        argv = self.ping_argv()
        return argv[argv.index("--") + 1 :]

    def scenario(self, log: Path) -> str:
        """A one-worker scenario of one ping (JSON, which is YAML) for this worker."""
        env = {MARKER: self.marker, "BEHAVES_LOG": str(log)}
        worker: dict[str, Any] = {"command": self.worker_argv(), "framing": self.framing}
        worker["protocol"] = self.protocol
        worker |= {"env": env, "init_timeout": self.timeout, "unset_env": ["PYTHONUNBUFFERED"]}
        pool = {"size": 1, "checkout_timeout": self.timeout + 1, "request_timeout": self.timeout}
        steps = [{"request": {"command": "ping"}}]
        return json.dumps({"name": self.kind, "worker": worker, "pool": pool, "steps": steps})


# --- the behaviours ---------------------------------------------------------------------------

framings = st.sampled_from(FRAMINGS)
texts = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40)
raw = st.binary(min_size=8, max_size=200)  # shorter: maybe less than a header


@st.composite
def answers(draw: st.DrawFn) -> Behaviour:
    """Reads, waits less than half the timeout, answers right: a round trip."""
    f = draw(framings)
    delay = draw(st.sampled_from((0.0, 0.2, 0.4)))
    return Behaviour(
        "answers",
        (("read", f), ("sleep", delay), ("answer", f, "ok", 0)),
        f,
        timeout=1.5,
        answers=True,
    )


@st.composite
def other_framing(draw: st.DrawFn) -> Behaviour:
    """Reads the request right, answers in another framing."""
    f, g = draw(st.permutations(FRAMINGS))[:2]
    steps = (("read", f), ("answer", g, "ok", 0))
    return Behaviour("other-framing", steps, f, then="hang", never=frozenset({"stuck-in-init"}))


@st.composite
def wrong_length(draw: st.DrawFn) -> Behaviour:
    """Reads right, answers with a length header off by `delta` (over: a partial frame)."""
    f = draw(st.sampled_from(("packet-4", "packet-2", "content-length")))
    delta = draw(st.sampled_from((-5, -1, 1, 7)))
    steps = (("read", f), ("answer", f, "ok", delta))
    return Behaviour("wrong-length", steps, f, then="hang", confirms=frozenset({"framing"}))


@st.composite
def text_first(draw: st.DrawFn) -> Behaviour:
    """A line of text on stdout before its right answer."""
    f = draw(framings)
    line = draw(texts).encode() + draw(st.sampled_from((b"\n", b"")))  # its newline, or none
    steps = (("write", "out", line.hex()), ("read", f), ("answer", f, "ok", 0))
    return Behaviour(
        "text-first",
        steps,
        f,
        then="hang",
        never=frozenset({"stuck-in-init", "crashed", "buffered"}),
    )


@st.composite
def random_bytes(draw: st.DrawFn) -> Behaviour:
    """Random bytes on stdout, then silence (reading its input)."""
    f = draw(framings)
    steps = (("write", "out", draw(raw).hex()), ("read", f))
    return Behaviour("random-bytes", steps, f, then="hang", confirms=frozenset({"stdout-text"}))


@st.composite
def never_reads(draw: st.DrawFn) -> Behaviour:
    """Sleeps past any wait, its request unread."""
    f = draw(framings)
    return Behaviour("never-reads", (("sleep", HELD),), f, confirms=frozenset({"stuck-in-init"}))


@st.composite
def reads_then_waits(draw: st.DrawFn) -> Behaviour:
    """Reads the request and waits for more input, answering nothing."""
    f = draw(framings)
    return Behaviour(
        "reads-then-waits",
        (("read", f),),
        f,
        then="hang",
        confirms=frozenset({"waiting-for-input"}),
        never=frozenset({"stuck-in-init", "crashed", "buffered", "framing"}),
    )


@st.composite
def exits(draw: st.DrawFn) -> Behaviour:
    """Exits with a code, before or after reading, with or without a word on stderr."""
    f = draw(framings)
    steps: list[tuple[Any, ...]] = [("read", f)] if draw(st.booleans()) else []
    if draw(st.booleans()):
        steps.append(("write", "err", (draw(texts) + "\n").encode().hex()))
    steps.append(("exit", draw(st.sampled_from((0, 1, 2, 70, 255)))))
    return Behaviour("exits", tuple(steps), f, confirms=frozenset({"crashed"}), unsaid=NOT_A_CRASH)


@st.composite
def killed(draw: st.DrawFn) -> Behaviour:
    """Killed by a signal, before or after reading."""
    f = draw(framings)
    steps: list[tuple[Any, ...]] = [("read", f)] if draw(st.booleans()) else []
    steps.append(("kill", draw(st.sampled_from(SIGNALS))))
    return Behaviour("killed", tuple(steps), f, confirms=frozenset({"crashed"}), unsaid=NOT_A_CRASH)


@st.composite
def answers_on_stderr(draw: st.DrawFn) -> Behaviour:
    """Reads, and writes its right answer to stderr."""
    f = draw(framings)
    steps = (("read", f), ("answer-err", f))
    return Behaviour(
        "answers-on-stderr", steps, f, then="hang", confirms=frozenset({"answers-on-stderr"})
    )


@st.composite
def flood(draw: st.DrawFn) -> Behaviour:
    """Floods stdout with megabytes that are no frame, never reading."""
    f = draw(framings)
    size = draw(st.sampled_from((1 << 20, 16 << 20)))
    steps = (("flood", "out", size),)
    return Behaviour("flood", steps, f, then="hang", confirms=frozenset({"stdout-text"}))


@st.composite
def answers_late_in_time(draw: st.DrawFn) -> Behaviour:
    """Answers right past half its timeout, yet within it: a round trip all the same, though
    the experiments begin beside it."""
    f = draw(framings)
    delay = draw(st.sampled_from((0.9, 1.1)))
    steps = (("read", f), ("sleep", delay), ("answer", f, "ok", 0))
    return Behaviour("answers-late-in-time", steps, f, timeout=2.0, answers=True)


@st.composite
def answers_slowly(draw: st.DrawFn) -> Behaviour:
    """Writes its right answer in four parts, over less than the timeout (a round trip) or
    more (a slow worker: no text, no framing fault, no crash)."""
    f = draw(framings)
    seconds = draw(st.sampled_from((0.6, 3.0)))
    steps = (("read", f), ("answer-slowly", f, seconds))
    if seconds < 1:  # and on, request after request (a pool asks its init first)
        return Behaviour("answers-slowly", steps, f, timeout=1.5, answers=True)
    never = frozenset({"stdout-text", "stderr-merged", "stuck-in-init", "crashed", "framing"})
    return Behaviour("answers-slowly", steps, f, then="hang", timeout=1.5, never=never)


@st.composite
def answers_askew(draw: st.DrawFn) -> Behaviour:
    """Answers at once, framed right, with another id or without `success`."""
    f = draw(framings)
    variant = draw(st.sampled_from(("wrong-id", "no-success")))
    steps = (("read", f), ("answer", f, variant, 0))
    return Behaviour(
        "answers-askew",
        steps,
        f,
        then="hang",
        never=frozenset({"stuck-in-init", "crashed", "buffered", "stdout-text"}),
    )


@st.composite
def stops_itself(draw: st.DrawFn) -> Behaviour:
    """Stops itself (SIGSTOP), before or after reading."""
    f = draw(framings)
    steps: list[tuple[Any, ...]] = [("read", f)] if draw(st.booleans()) else []
    steps.append(("kill", "SIGSTOP"))
    return Behaviour(
        "stops-itself",
        tuple(steps),
        f,
        never=frozenset({"crashed", "buffered", "waiting-for-input"}),
    )


@st.composite
def closes_a_pipe(draw: st.DrawFn) -> Behaviour:
    """Closes its stdin or its stdout, then sleeps."""
    f = draw(framings)
    fd = draw(st.sampled_from((0, 1)))
    steps = (("close", fd), ("sleep", HELD))
    return Behaviour("closes-a-pipe", steps, f, confirms=frozenset({"crashed"}))


def unheld(b: Behaviour) -> bool:
    """Whether only the worker holds its pipes: a child forked first holds its stdin open
    after the worker closed it (its request then unread in a pipe a process of it holds)."""
    return not b.holder or b.kind != "closes-a-pipe"


@st.composite
def cut_short(draw: st.DrawFn) -> Behaviour:
    """Writes part of its answer (a header over the bytes sent), then exits."""
    f = draw(st.sampled_from(("packet-4", "packet-2")))
    steps = (
        ("read", f),
        ("write", "out", "0000002a7b226964"[-8 - 2 * int(f[-1]) :]),
        ("exit", draw(st.sampled_from((0, 1)))),
    )
    return Behaviour("cut-short", steps, f, confirms=frozenset({"crashed"}))


@st.composite
def daemonizes(draw: st.DrawFn) -> Behaviour:
    """Leaves a child (or a setsid grandchild) holding its pipes, and exits."""
    f = draw(framings)
    setsid = draw(st.booleans())
    steps = (("fork", setsid, HELD), ("exit", draw(st.sampled_from((0, 3)))))
    return Behaviour("daemonizes", steps, f, confirms=frozenset({"crashed"}))


@st.composite
def floods_stderr(draw: st.DrawFn) -> Behaviour:
    """Floods stderr with megabytes, then answers right."""
    f = draw(framings)
    size = draw(st.sampled_from((1 << 20, 8 << 20)))
    steps = (("flood", "err", size), ("read", f), ("answer", f, "ok", 0))
    return Behaviour("floods-stderr", steps, f, timeout=5.0, answers=True)


@st.composite
def answers_then_fails(draw: st.DrawFn) -> Behaviour:
    """Answers its first ping right, then exits, dies or writes junk on the second."""
    f = draw(framings)
    then, confirms = draw(
        st.sampled_from(
            (
                (("exit", 0), "crashed"),
                (("exit", 1), "crashed"),
                (("kill", "SIGKILL"), "crashed"),
                (("kill", "SIGSEGV"), "crashed"),
                (("write", "out", b"Traceback? no: a log line\n".hex()), "stdout-text"),
            )
        )
    )
    steps = (("read", f), ("answer", f, "ok", 0), ("read", f), then)
    return Behaviour(
        "answers-then-fails",
        steps,
        f,
        then="hang",
        count=2,
        confirms=frozenset({confirms}),
        unsaid=("before its first message", "before answering"),
    )


@st.composite
def stderr_noise(draw: st.DrawFn) -> Behaviour:
    """Writes to stderr (a line, text without its newline, or binary), then answers right:
    a round trip while stderr is kept apart, stderr merged when poolctl merges it."""
    f = draw(framings)
    noise = draw(st.one_of(texts.map(lambda t: t.encode() + b"\n"), texts.map(str.encode), raw))
    mode = draw(st.sampled_from(("capture", "merge", "discard")))
    steps = (("write", "err", noise.hex()), ("read", f), ("answer", f, "ok", 0))
    if mode != "merge":
        return Behaviour("stderr-noise", steps, f, timeout=1.5, answers=True, stderr=mode)
    return Behaviour(
        "stderr-noise", steps, f, then="hang", stderr=mode, confirms=frozenset({"stderr-merged"})
    )


def behaves_argv(steps: tuple[tuple[Any, ...], ...], then: str = "loop") -> list[str]:
    """The command line of behaves.py running `steps`: another program to exec or spawn."""
    return [sys.executable, str(BEHAVES), json.dumps(steps), "--then", then]


def serves(f: str) -> tuple[tuple[Any, ...], ...]:
    return (("read", f), ("answer", f, "ok", 0))


# wrappers that keep its pipes as they are, each around the worker's command line
KEEPING = (
    lambda argv: ["sh", "-c", "exec " + shlex.join(argv)],
    lambda argv: ["sh", "-c", shlex.join(argv)],
    lambda argv: ["sh", "-c", shlex.join(argv) + "; exit $?"],  # a shell that waits for it
    lambda argv: ["timeout", "60", *argv],
    lambda argv: ["setsid", *argv],  # a session leader already: setsid(1) forks, and exits
    lambda argv: ["stdbuf", "-o0", *argv],
    lambda argv: ["nohup", *argv],
    lambda argv: ["env", "-u", "NOTHING", *argv],
)


@st.composite
def wrapped(draw: st.DrawFn) -> Behaviour:
    """Execs a wrapper (a shell, timeout, setsid, stdbuf, nohup) that keeps its pipes, around
    a worker that answers right: a round trip."""
    f = draw(framings)
    wrap = draw(st.sampled_from(KEEPING))
    steps = (("exec", wrap(behaves_argv(serves(f)))),)
    return Behaviour("wrapped", steps, f, timeout=2.0, answers=True)


@st.composite
def wrapper_redirects(draw: st.DrawFn) -> Behaviour:
    """Execs a shell that starts the worker with one of its pipes sent elsewhere: its stdin
    from /dev/null (it reads end of input and exits), its stdout to /dev/null or a file (its
    answer lost), or its stderr into stdout."""
    f = draw(framings)
    redirect, confirms = draw(
        st.sampled_from(
            (
                ("</dev/null", "crashed"),
                (">/dev/null", "crashed"),
                ("2>&1", "stderr-merged"),
                ("0<&-", "crashed"),
            )
        )
    )
    inner = (("write", "err", b"starting\n".hex()), *serves(f))
    steps = (("exec", ["sh", "-c", f"{shlex.join(behaves_argv(inner))} {redirect}; exit $?"]),)
    return Behaviour(
        "wrapper-redirects",
        steps,
        f,
        confirms=frozenset({confirms} if confirms else ()),
        never=frozenset({"stuck-in-init"}),
    )


@st.composite
def execs_after_answering(draw: st.DrawFn) -> Behaviour:
    """Answers its first ping, then execs another program (sleep, or behaves.py that only
    sleeps): the second gets no answer. The exec is seen only when /proc, read as the answer
    comes, still shows the program that answered: not always (a race poolctl may lose), so
    no hypothesis is required, and its start-up is over."""
    f = draw(framings)
    other = draw(st.sampled_from((["sleep", "60"], behaves_argv((("sleep", HELD),)))))
    steps = (*serves(f), ("exec", other))
    never = frozenset({"stuck-in-init"})
    return Behaviour("execs-after-answering", steps, f, count=2, never=never)


@st.composite
def detaches(draw: st.DrawFn) -> Behaviour:
    """Forks and exits, its child (maybe in a session or process group of its own) answering
    in its place: a round trip, and no process left once ping returns."""
    f = draw(framings)
    setsid = draw(st.booleans())
    extra: tuple[tuple[Any, ...], ...] = (
        () if setsid else draw(st.sampled_from(((), (("setpgid",),))))
    )
    steps = (("detach", setsid), *extra, *serves(f))
    return Behaviour("detaches", steps, f, timeout=2.0, answers=True)


@st.composite
def child_answers(draw: st.DrawFn) -> Behaviour:
    """A child (maybe in a session of its own) reads and answers; the worker waits for it,
    or sleeps: a round trip."""
    f = draw(framings)
    setsid = draw(st.booleans())
    after = draw(st.sampled_from((("wait",), ("sleep", HELD))))
    steps = (("spawn", setsid, serves(f), "loop"), after)
    return Behaviour("child-answers", steps, f, timeout=2.0, answers=True)


@st.composite
def reads_late(draw: st.DrawFn) -> Behaviour:
    """Sleeps past its timeout before it reads, then answers: stuck in initialization, its
    start-up measured."""
    f = draw(framings)
    delay = draw(st.sampled_from((2.0, 3.0)))
    steps = (("sleep", delay), *serves(f))
    return Behaviour(
        "reads-late", steps, f, confirms=frozenset({"stuck-in-init"}), unsaid=NOT_A_CRASH[:1]
    )


TREE_KINDS = (
    wrapped,
    wrapper_redirects,
    execs_after_answering,
    detaches,
    child_answers,
    reads_late,
)

KINDS = (
    answers,
    other_framing,
    wrong_length,
    text_first,
    random_bytes,
    never_reads,
    reads_then_waits,
    exits,
    killed,
    answers_on_stderr,
    flood,
    answers_late_in_time,
    answers_askew,
    stops_itself,
    closes_a_pipe,
    cut_short,
    daemonizes,
    floods_stderr,
    answers_then_fails,
    stderr_noise,
    answers_slowly,
    *TREE_KINDS,
)


@st.composite
def behaviours(draw: st.DrawFn) -> Behaviour:
    """A behaviour of any kind, maybe with a child holding its pipes, maybe ignoring SIGTERM,
    maybe diagnosed without experiments."""
    b: Behaviour = draw(st.one_of(*(k() for k in KINDS)))
    prefix: tuple[tuple[Any, ...], ...] = ()
    if draw(st.booleans()) and ("kill", "SIGTERM") not in b.steps:  # else it would not die
        prefix = ((draw(st.sampled_from(("ignore", "block"))), "SIGTERM"),)
    holder = draw(st.sampled_from(("", "", "child", "setsid")))
    # JSON-RPC 2.0 too (behaves.py answers in the envelope it was asked in); but a JSON-RPC
    # answer has no `success` to leave out
    jsonrpc = b.kind != "answers-askew" and draw(st.booleans())
    return dataclasses.replace(
        b,
        steps=prefix + b.steps,
        experiments=draw(st.booleans()) or b.answers,
        holder=holder,
        protocol="jsonrpc" if jsonrpc else "dspex",
    )


# --- the invariants ---------------------------------------------------------------------------


def marked(marker: str) -> list[str]:
    """The live (not zombie) processes whose environment carries the run's marker."""
    return live_with_env(MARKER, marker)


def written(log: Path, run_dir: Path | None) -> bytes:
    """Everything every process of the run wrote (stdout and stderr), one blob per file, and
    each one's stderr then stdout (merged); the stderr logs of the run folder too, as the
    interpreter writes a traceback itself."""
    files = sorted(log.glob("*.*"))
    if run_dir is not None:
        files += sorted(run_dir.glob("workers/*.stderr.log"))
    blobs = [p.read_bytes() for p in files]
    for err in log.glob("*.err"):  # stderr merged into stdout: its stderr came first here
        out = err.with_suffix(".out")
        blobs.append(err.read_bytes() + (out.read_bytes() if out.exists() else b""))
    return b"\0\0".join(blobs)


# a frame of poolctl's own code (the worker's traceback is quoted as evidence, and may be)
POOLCTL_FRAME = re.compile(r'File \\?"[^"\\]*/poolctl/(?!tests/)[^"\\]*\.py\\?"')
QUOTE = re.compile(r"""(?<![\w'])(b?'(?:[^'\\\n]|\\.)*'|b?"(?:[^"\\\n]|\\.)*")""")


def quoted(text: str) -> list[tuple[bytes, ...]]:
    """The byte strings a piece of evidence quotes, as Python literals ('…' or b'…'): each as
    the forms it may stand for (bytes that are not UTF-8 are quoted a code point a byte, as
    Latin-1 reads them; a line may be quoted without its newline)."""
    found = []
    for literal in QUOTE.findall(text):
        try:
            value = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, bytes):
            forms = [value]
        elif len(value) >= 4 and not value.isidentifier():  # a word: poolctl's as likely
            forms = [value.encode("utf-8", "surrogateescape")]
            if max(value) <= "\xff":
                forms.append(value.encode("latin-1"))
        else:
            continue
        found.append(tuple(f for form in forms for f in (form, form.rstrip(b"\n"))))
    return found


def outcome(report: dict[str, Any]) -> dict[str, Any]:
    findings = report.get("findings") or []
    return dict(findings[0]["outcome"]) if findings else {}


def check(
    b: Behaviour, code: int, out: str, err: str, log: Path, run_dir: Path | None = None
) -> list[str]:
    """Every invariant the run broke, each in a line."""
    broken = []
    if code not in README_EXIT_CODES:
        broken.append(f"exit code {code}, not in the README's set for a worker's behaviour")
    if "Traceback (most recent call last)" in err or POOLCTL_FRAME.search(out):
        broken.append("a traceback of poolctl's in what it printed")
    try:
        report = json.loads(out)
    except ValueError:
        return [*broken, f"stdout is not one JSON report: {out[:200]!r}"]
    if b.answers and code != 0:
        broken.append(f"it answered within the timeout, yet exit code {code}")
    d = outcome(report)
    broken += [f"a blank note: {n!r}" for n in report.get("notes", ()) if not n.strip()]
    confirmed = {h["id"] for h in d.get("hypotheses", ()) if h["status"] == "confirmed"}
    if b.confirms and unheld(b) and not confirmed & b.confirms:
        broken.append(f"confirmed {sorted(confirmed)}, none of {sorted(b.confirms)}")
    if confirmed & b.never:
        broken.append(f"confirmed {sorted(confirmed & b.never)}: this behaviour is not that")
    broken += [f"the cause says {w!r}: {d['cause']!r}" for w in b.unsaid if w in d.get("cause", "")]
    wrote = written(log, run_dir)
    for e in _evidence(d):
        if "stdout.bin" in e["origin"] or "stderr.log" in e["origin"]:
            for forms in quoted(e["text"]):
                if not any(form in wrote for form in forms):
                    broken.append(
                        f"quotes {forms[0][:60]!r}, which no process wrote ({e['origin']})"
                    )
    if run_dir is not None:
        broken += [m for e in _evidence(d) if (m := misplaced(e, run_dir))]
    if not b.experiments:
        for h in d.get("hypotheses", ()):
            said = json.dumps(h)
            if h["status"] == "ruled-out" and "-exp-" in said:
                broken.append(f"{h['id']} ruled out by an experiment that did not run")
    return broken


SPAN = re.compile(r"(\S+) bytes (\d+)-(\d+)")  # an origin naming bytes of a file


def misplaced(e: dict[str, Any], run_dir: Path) -> str:
    """How evidence quoting bytes at an offset of a file (`workers/w1.stdout.bin bytes 7-65542`)
    misplaces them ("" when its first quote is the file's bytes there): in repetitive output
    an earlier repeat of the same bytes is not where they were."""
    span = SPAN.fullmatch(e["origin"])
    forms = quoted(e["text"])
    if span is None or not forms or not (run_dir / span[1]).is_file():
        return ""
    start, end = int(span[2]), int(span[3])
    there = (run_dir / span[1]).read_bytes()[start : end + 1]
    if any(there.startswith(form) for form in forms[0]):
        return ""
    return f"quotes {forms[0][0][:40]!r} at {e['origin']}, which holds {there[:40]!r}"


def _evidence(d: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(d.get("evidence", ()))
    for h in d.get("hypotheses", ()):
        found += h.get("evidence", ())
    return found
