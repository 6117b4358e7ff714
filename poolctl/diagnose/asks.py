"""What a server that exits at start-up says it lacks: environment variables (an API key, a
token) or a command-line argument (a database URL). MCP servers that wrap a service exit so
when started without their credentials: `Please set SLACK_BOT_TOKEN and SLACK_TEAM_ID
environment variables` (server-slack), `Error: BRAVE_API_KEY environment variable is required`
(server-brave-search), `Please provide a database URL as a command-line argument`
(server-postgres); or a step to run before it can start: `Credentials not found. Please run
with 'auth' argument first.` (server-gdrive, whose `auth` signs in and saves credentials)."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from poolctl.logs.ansi import strip_ansi

# An environment variable's name as servers write it: upper case, words joined by `_`
_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
# The words around such a name that say it is wanted from the environment
# (or `set` before a variable's name: @circleci/mcp-server-circleci 0.20.0's `CircleCI token is
# required. Provide Authorization: Bearer <token>, Circle-Token header, or set CIRCLECI_TOKEN.`)
_WANTS_VARIABLE = re.compile(
    r"(?i)\benv(?:ironment)?[ _-]?var(?:iable)?s?\b|\b(?:please set|must be set|is not set|"
    r"are not set|not set in)\b|\bset (?-i:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b"
    # or names required, in capitals (cli-mcp-server 0.2.5 with no ALLOWED_DIR: `ValueError: Valid
    # ALLOWED_DIR is required`), or one of them (figma-developer-mcp 0.13.2 with neither: `Either
    # FIGMA_API_KEY or FIGMA_OAUTH_TOKEN is required (via CLI argument or .env file)`)
    r"|(?-i:\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?: or (?-i:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+))* "
    r"(?:is|are) required\b"
)
# one of the names, each said after `either` and before `or` (`Either A or B is required`;
# @zereight/mcp-gitlab 2.1.64: `Either set GITLAB_PERSONAL_ACCESS_TOKEN or enable OAuth with
# GITLAB_USE_OAUTH=true`)
_EITHER = re.compile(
    r"(?i)\beither\b[^\n]*?(?-i:\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b)[^\n]*?\bor\b[^\n]*?"
    r"(?-i:\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b)"
)
# A command-line argument asked for
_WANTS_ARGUMENT = re.compile(
    r"(?i)\b(?:provide|pass|give|specify|requires?|required|missing|expected)\b[^\n]*"
    r"\bcommand[- ]line argument"
)


@dataclass(frozen=True)
class Asked:
    """A stderr line asking for something, and the variables it names (none: an argument)."""

    line: str
    variables: tuple[str, ...]
    # command-line options its words offer beside the variables (@stripe/mcp 0.3.3: `Please
    # either pass it as an argument --api-key=$KEY or set the STRIPE_SECRET_KEY environment
    # variable.`)
    options: tuple[str, ...] = ()
    # not said in words: the KeyError of `os.environ[…]` in its traceback (mcp-alchemy)
    key_error: bool = False
    either: bool = False  # one of the variables is enough (`Either A or B is required`)

    def what(self) -> str:
        """`environment variables A and B`, `environment variable A`, `a command-line argument`."""
        names = self.variables
        if not names:
            return "a command-line argument"
        if self.either:
            return f"either environment variable {' or '.join(names)}"
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"environment variable{'s' if len(names) > 1 else ''} {listed}"


# A command-line option named in such a line: `--api-key=$KEY`, `--api-key`
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


# Python's KeyError raised reading os.environ (`os.environ['DB_URL']`, mcp-alchemy 2026.10.15 with
# no DB_URL): the traceback's last frame is os's own `__getitem__`, just before the KeyError
_ENVIRON_KEY = re.compile(
    r"^\s*File \"(?:<frozen os>|[^\"]*/os\.py)\", line \d+, in __getitem__\n"
    r"(?:[ \t]+\S[^\n]*\n)*?KeyError: '(?P<name>[^'\n]+)'\s*$",
    re.M,
)


def asked_for(stderr: str) -> Asked | None:
    """The last stderr line that asks for environment variables or a command-line argument, or
    the KeyError of an environment variable read with `os.environ[…]`."""
    environ = list(_ENVIRON_KEY.finditer(stderr))
    if environ:
        name = environ[-1]["name"]  # the exception's own line: quoted once, as that
        return Asked(f"KeyError: '{name}'", (name,), key_error=True)
    for raw in reversed(stderr.splitlines()):
        line = strip_ansi(raw).strip()[:300]  # pino-pretty colours its lines on a pipe too
        if _WANTS_VARIABLE.search(line):
            names = tuple(dict.fromkeys(_NAME.findall(line)))
            if names:
                options = tuple(dict.fromkeys(_OPTION.findall(line)))
                either = _EITHER.search(line) is not None and len(names) > 1
                return Asked(line, names, options, either=either)
        if _WANTS_ARGUMENT.search(line):
            return Asked(line, ())
    return None


def unset(asked: Asked, environment: Mapping[str, str]) -> tuple[str, ...]:
    """The variables it asks for that its environment lacks (or holds empty): of those it asks
    one of, none when one is set."""
    lacking = tuple(name for name in asked.variables if not environment.get(name))
    return () if asked.either and len(lacking) < len(asked.variables) else lacking


# A step it asks to be run first, quoted: `Please run with 'auth' argument first.` (an argument
# of its own command) or `run 'npx tool login' first` (a command), or asked as a question
# (@pandacss/mcp 1.12.1 with no config: `Did you forget to run \`panda init\`?`), or offered
# as what creates what it lacks
_RUN_FIRST = re.compile(
    r"(?i)\brun\b(?P<with>\s+(?:it\s+|this\s+|the\s+server\s+)?with)?\s+"
    r"(?P<q>['\"`])(?P<what>[^'\"`\n]+)(?P=q)[^\n]*?\bfirst\b"
    r"|\bforg[eo]t to run\s+(?P<q2>['\"`])(?P<forgot>[^'\"`\n]+)(?P=q2)"
    # (ast-grep 0.51.1's `lsp` with no sgconfig.yml: `Help: You need to create an ast-grep
    # project for this command. Try \`ast-grep new\` to create one.`)
    r"|\btry\s+(?P<q3>['\"`])(?P<create>[^'\"`\n]+)(?P=q3)\s+to\s+create\b"
)


@dataclass(frozen=True)
class FirstStep:
    """A stderr line asking for a step run before the server can start, and what to run."""

    line: str
    what: str  # the words it quotes
    argument: bool  # `run with 'auth'`: an argument to its own command, not a command
    # environment variables its words offer in place of the step (sentry-mcp: `Run \`sentry-mcp
    # auth login\` interactively first, or pass \`--access-token\` / \`SENTRY_ACCESS_TOKEN\`.`)
    instead: tuple[str, ...] = ()

    def command(self, argv: Sequence[str]) -> str:
        """The command line to run, as a shell takes it: a command of the server's own program
        named bare (`ast-grep new`) by the path it was started with, which the PATH may lack."""
        if self.argument:
            return shlex.join([*argv, *self.what.split()])
        program, _, rest = self.what.partition(" ")
        if argv and "/" in argv[0] and program == os.path.basename(argv[0]):
            return f"{shlex.quote(argv[0])} {rest}".rstrip()
        return self.what

    def fix(self, argv: Sequence[str]) -> str:
        return (
            f"Run `{self.command(argv)}` once first, as it asks (`{self.line}`): a step of its "
            "own set-up (signing in, saving credentials, writing its configuration) that it "
            "does not do when started as a server; then start it as before (in a pool, in the "
            "same working folder, with the same environment and HOME, where that step keeps "
            "what it made)."
            + (
                f" Or set {' or '.join(self.instead)} in its environment (`--env NAME=VALUE`; in "
                "a pool, the worker's `env`), which its words offer in place of that step "
                "(untested: no copy was started so)."
                if self.instead
                else ""
            )
        )


def first_step(stderr: str) -> FirstStep | None:
    """The last stderr line asking for a quoted step to be run first."""
    for raw in reversed(stderr.splitlines()):
        line = raw.strip()[:300]
        m = _RUN_FIRST.search(line)
        if m is not None:
            if m["forgot"] or m["create"]:
                return FirstStep(line, (m["forgot"] or m["create"]).strip(), False)
            _, alternative, rest = line[m.end() :].partition(" or ")
            instead = tuple(dict.fromkeys(_NAME.findall(rest))) if alternative else ()
            return FirstStep(line, m["what"].strip(), bool(m["with"]), instead)
    return None


# A line that says a connection, a name lookup or a download failed: what a server that waits
# on a service at start-up logs as it retries (server-redis: `Error: connect ECONNREFUSED
# 127.0.0.1:6379`; fastembed in mcp-server-qdrant: `Could not download model from HuggingFace:
# [Errno -2] Name or service not known`)
_FAILED_TO_REACH = re.compile(
    r"(?i)\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|"
    r"connection refused|name or service not known|temporary failure in name resolution|"
    r"no route to host|network is unreachable|"
    # arxiv-mcp-server 0.8.2 offline: `arXiv API request connection error; retrying in 2.0s`
    r"connection error|"
    r"(?:could not|couldn't|failed to|unable to) (?:connect|resolve|download|reach))\b"
)


def failure_to_reach(stderr: str) -> str | None:
    """The first stderr line saying a connection, a name lookup or a download failed."""
    for line in stderr.splitlines():
        if _FAILED_TO_REACH.search(line):
            return line.strip()[:300]
    return None
