"""Serves a socket: the worker listens on a TCP port or a Unix socket (a language server's
`--tcp`, a `--port` option, a web app) and never reads its stdin, so the request on the pipe is
never read, and no start-up is under way to wait for. Or it was told to talk over another
channel that needs no listening socket (VS Code's `--node-ipc`, a `--socket=N` it connects to):
it idles in an event loop that does not watch its stdin.

The socket may be a debugger's instead: node's inspector listens on a port of its own, and with
`--inspect-brk` (in the command or in NODE_OPTIONS) the process waits there for a debugger before
its first line runs; its stderr says `Debugger listening on ws://…`."""

from __future__ import annotations

import re
import shlex

from poolctl.model import Evidence

from ..asks import asked_for
from ..experiments import STDIO_EXPERIMENT, Experiment, Outcome, stdio_experiment
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations
from ..outcomes import experiment_evidence, result
from ..readings import channel_fix, ended, live_origin, request_unread, transport_option
from ..transport_help import channel_value

ID = "serves-socket"


def listens_by_default(obs: Observations) -> tuple[Experiment, ...]:
    """For a handshake server that listens on a socket though no option of its command asks
    it to, and never read its request: the same command with `--stdio`, asked its opening in a
    fresh process. The MCP Apps example servers (@modelcontextprotocol/server-system-monitor
    2.0.3, server-pdf 2.0.4) serve HTTP on port 3001 unless given `--stdio`."""
    spec, live = obs.worker.spec, obs.live
    if live is None or not live.listening or request_unread(obs) is not True:
        return ()
    if not obs.worker.protocol.handshake or "--stdio" in spec.argv or transport_option(obs):
        return ()
    return (stdio_experiment(spec),)


def serves_now(obs: Observations) -> bool:
    """Whether the worker listens on a socket with its request unread and none of it running
    or waiting for a CPU: its start-up is over (see stuck in init), so a longer wait for that
    start shows nothing more (context7-mcp `--transport http` was waited 6.5 s more)."""
    live = obs.live
    return (
        live is not None
        and bool(live.listening)
        and request_unread(obs) is True
        and (not live.runnable())
    )


_INSPECTOR = re.compile(r"Debugger listening on ws://(?P<address>[^/\s]+)\S*")


@hypothesis(ID)
def serves_socket(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    live = obs.live
    if live is None:
        return untested("the live process could not be inspected")
    option = transport_option(obs)
    idle = live.idle_elsewhere() if option else ""
    if not live.listening and idle and request_unread(obs) is True:
        return _other_channel(obs, option, idle)
    if not live.listening:
        return ruled_out("no process of the worker listens on a socket")
    channel = channel_value(obs.worker.spec.argv)  # `--transport sse`: it serves there, asked to
    unread = request_unread(obs) is True
    if not unread and channel is None:
        return ruled_out("it listens on a socket, and it read the request from its stdin")
    process, fd, address = live.listening[0]
    size = len(obs.request_frame)
    inspector = _INSPECTOR.search(obs.stderr_text)
    if inspector is not None and address.rsplit(":", 1)[-1] in inspector["address"]:
        return _paused_for_debugger(obs, inspector[0], address, process.pid, size)
    read = "was never read" if unread else "was read from its stdin but answered nothing there"
    verdict = (
        f"The worker serves on {address}, not on its stdin and stdout: pid {process.pid} "
        f"({process.comm}) listens there, and the {size}-byte request {read}"
    )
    fix = (
        "Start it in stdio mode: drop the option that makes it listen (`--tcp`, `--port`, "
        "`--socket`, `--listen`) or give the one that selects stdio (`--stdio`); a pool's "
        "worker speaks on the pipes it was started with."
    )
    named: list[Evidence] = []
    if channel is not None:  # `--transport http`
        fix, named = channel_fix(obs, channel.given)
        if not unread:  # nx-mcp 0.25.0 with `--transport sse` reads its stdin all the same
            verdict += f"; its command's `{channel.given}` asks it to serve there"
    elif given := _listen_option(obs.worker.spec.argv, option, address):
        # `playwright-mcp --port 8931` (@playwright/mcp 0.0.83) serves HTTP there; without the
        # option it serves stdio: the option is named, not a list of ones it might be
        verdict += f"; its command's `{given}` asks it to listen"
        fix = (
            f"Start it in stdio mode: drop `{given}` from its command line, which makes it "
            "listen; a pool's worker speaks on the pipes it was started with."
        )
        named = [Evidence(f"`{given}` in its command", "the worker's command")]
    tried, spec = result(obs, STDIO_EXPERIMENT), obs.worker.spec
    if tried is not None and tried.answered and tried.response and "error" not in tried.response:
        argv = shlex.join([*obs.worker.spec.argv, "--stdio"])
        verdict += (
            ", though no option of its command asked it to listen: it listens unless told "
            "otherwise, and the same command with `--stdio` answered in a fresh process"
        )
        fix = (
            f"Start it with `--stdio` (`{argv}`), as the fresh process was: without it, this "
            "server listens on a socket and never reads its stdin; a pool's worker speaks on "
            "the pipes it was started with."
        )
        named = experiment_evidence(obs, STDIO_EXPERIMENT)
    elif tried is not None and (exit_said := _exit_with_stdio(tried, spec.argv)) is not None:
        verdict, fix = verdict + exit_said[0], exit_said[1]  # figma-developer-mcp with no key
        named = [
            *experiment_evidence(obs, STDIO_EXPERIMENT),
            Evidence(exit_said[2], f"workers/{tried.worker_id}.stderr.log", "what it said"),
        ]
    ev = [
        Evidence(
            f"pid {process.pid} ({process.comm}) listens on {address} (fd {fd})",
            live_origin(obs),
            "/proc/net of the socket its fd points to",
        ),
        Evidence(
            f"{live.stdin_unread} of {size} request bytes still in its stdin pipe",
            "FIONREAD on the stdin pipe",
            "it never read the request" if unread else "it read the request",
        ),
        *named,
    ]
    return confirmed(verdict, fix, *ev)


def _exit_with_stdio(tried: Outcome, argv: tuple[str, ...]) -> tuple[str, str, str] | None:
    """For a server that listens unless told otherwise, whose copy with `--stdio` exited at
    start-up saying what it lacks (figma-developer-mcp 0.13.2 with no key: `Either FIGMA_API_KEY
    or FIGMA_OAUTH_TOKEN is required (via CLI argument or .env file)`, its HTTP server needing
    none as it starts): the verdict's clause, the fix, the line it said; None otherwise."""
    if tried.answered or not tried.detail.startswith("exited"):
        return None
    lines = [ln.strip() for ln in tried.stderr_head.splitlines() if ln.strip()]
    asked = asked_for(tried.stderr_head)
    said = asked.line if asked is not None else lines[-1][:300] if lines else ""
    if not said:
        return None
    command = shlex.join([*argv, "--stdio"])
    clause = (
        ", though no option of its command asked it to listen: it listens unless told otherwise, "
        f"and the same command with `--stdio` {tried.detail} in a fresh process, saying `{said}`"
    )
    if asked is not None and asked.variables:
        joined = " or " if asked.either else " and "
        give = f"set {joined.join(asked.variables)} in its environment (`--env NAME=VALUE`; in a "
        give += "pool, the worker's `env`)"
    else:
        give = "give it what that says it lacks"
    fix = (
        f"Start it with `--stdio` (`{command}`) and {give}: so started, a fresh process did not "
        f"listen but exited saying `{said}`; whether it then serves on its stdin and stdout is "
        "untested here. Without `--stdio` it serves on a socket and never reads its stdin."
    )
    return clause, fix, said


def _listen_option(argv: tuple[str, ...], option: str, address: str) -> str:
    """The option of `argv` that asked for the listening `address` (`--port 8931`, `--port=N`,
    `--listen`), with its value when it takes the port; "" when none did."""
    if not option or option.startswith("--node-ipc"):
        return ""
    if "=" in option:
        return option
    port = address.rsplit(":", 1)[-1]
    at = argv.index(option)
    value = argv[at + 1] if at + 1 < len(argv) else ""
    return f"{option} {value}" if value == port or value.endswith(f":{port}") else option


def _other_channel(obs: Observations, option: str, idle: str) -> Judgement:
    """Started to talk over another channel (VS Code's `--node-ipc`, a `--socket=N` it
    connects to): idle, its event loop not watching stdin."""
    size = len(obs.request_frame)
    verdict = (
        f"The worker talks over another channel ({option}), not its stdin and stdout: its "
        f"event loop does not watch its stdin, and the {size}-byte request was never read"
    )
    fix, named = channel_fix(obs, option)
    live = obs.live
    unread = live.stdin_unread if live is not None else None
    ev = [
        Evidence(idle, live_origin(obs), "the fds its epoll instance watches (/proc fdinfo)"),
        Evidence(f"`{option}` in its command", "the worker's command"),
        *named,
        Evidence(
            f"{unread} of {size} request bytes still in its stdin pipe",
            "FIONREAD on the stdin pipe",
            "it never read the request",
        ),
    ]
    return confirmed(verdict, fix, *ev)


def _paused_for_debugger(
    obs: Observations, said: str, address: str, pid: int, size: int
) -> Judgement:
    """node's inspector listens, and the script has not begun: it waits for a debugger."""
    verdict = (
        f"The worker waits for a debugger: node's inspector listens on {address} and the "
        f"script has not begun (the {size}-byte request was never read)"
    )
    fix = (
        "Drop `--inspect-brk` (from the command or from NODE_OPTIONS): it stops the process "
        "before its first line until a debugger attaches; `--inspect` debugs without waiting. "
        "Or attach a debugger (chrome://inspect) and let it run."
    )
    origin = obs.stdout_origin if obs.merged else obs.stderr_origin
    ev = [
        Evidence(said, origin, "node's inspector, started by --inspect-brk or --inspect"),
        Evidence(
            f"pid {pid} listens on {address}",
            live_origin(obs),
            "/proc/net of the socket its fd points to",
        ),
    ]
    return confirmed(verdict, fix, *ev)
