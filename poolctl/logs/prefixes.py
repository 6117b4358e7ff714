"""Removing what CI services put around a runner's lines: timestamps, markers, section lines.

A log downloaded from GitHub Actions has a timestamp before every line and `##[group]`,
`##[error]` markers (and, printed by `gh run view --log` or `--log-failed`, the job's and the
step's names before that, each followed by a tab); a GitLab job trace wraps steps in
`section_start:…`/`section_end:…` markers (a Travis CI log its folds and timers in
`travis_fold:…`/`travis_time:…`), and with timestamps on puts
`2026-11-30T12:00:00.123456Z 01O ` (a stream and `O`ut or `E`rr) before every line; Jenkins'
timestamper and the Open Build Service put `[…]` before every line; Buildkite puts
`ESC _bk;t=…BEL` (removed with the other escape sequences, `logs/ansi.py`); TeamCity's
service messages (`##teamcity[testFailed … details='…']`, written by a runner's TeamCity plugin
after its own progress text, each failure's traceback again, escaped on one line) are removed
from the line that holds them (Jenkins' console notes, `ESC[8mha:…ESC[0m`, go with the escape
sequences). The runner's own text is what follows. Each kind is looked for
with a cheap test on the chunk first, so a log without prefixes costs a few substring searches
per chunk.

Some prefixes are only prefixes when (nearly) every line has one, since a runner's own line
could start so: docker compose's service name (`app-1  | `) and `act`'s job (`[CI/test]   | `),
a systemd journal's stamp, host and process (`journalctl`: `… ci-runner pytest[4821]: `),
TeamCity's downloaded build log (`[17:10:00] :\t [Step 1/1] `), `kubectl logs --prefix`
(`[pod/NAME/CONTAINER] `), Tekton's `[task : step] `, Google Cloud Build's `Step #0 - "id": `,
Bamboo's `build\t29-Nov-2026 17:10:00\t`,
Jenkins' clock (`12:00:00 `), the
syslog-style stamp of moreutils' `ts` (`Dec 01 18:55:19 `, what `cmd 2>&1 | ts` puts before
every line), and the forms a script gives `ts` or its logger: a date and time
(`2026-12-01 19:28:23.766585 `, `[2026-12-01 19:28:23] `, an offset) and a clock in brackets
(`[19:28:29] `). They are removed from a chunk when at least half its lines have one.
"""

from __future__ import annotations

import re

# GitHub Actions raw logs: `2024-01-15T10:23:45.1234567Z ` before every line; GitLab's adds the
# stream (`01`), `O` or `E`, and `+` on a line that continues the one before; a container
# runtime's log file under Kubernetes (CRI: `/var/log/pods/…/0.log`) the stream and `F` for a
# full line, `P` for part of one
_ISO_STAMP = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z "
    r"(?:[0-9a-f]{2}[OE]\+?(?: |$)|(?:stdout|stderr) [FP](?: |$))?",
    re.M,
)
# `gh run view --log` / `--log-failed`: `<job>\t<step>\t` before each raw line (a BOM before a
# step's first), the raw line's own timestamp after them.
_GH_CLI = re.compile(r"^[^\t\n]*\t[^\t\n]*\t\ufeff?(?=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)", re.M)
# GitHub Actions workflow commands as the log shows them: `##[group]Run pytest`, `##[error]…`.
_GH_MARKER = re.compile(r"^##\[[a-z]+\]", re.M)
# TeamCity service messages: `|` escapes a quote, a bracket, a bar or a newline (`|n`) in their
# values, so the first bracket not escaped closes one.
_TEAMCITY = re.compile(r"##teamcity\[(?:[^\]|\n]|\|.)*\]")
# GitLab: `section_start:1700000000:step_script\r` (the `\e[0K` around it are ANSI codes);
# Travis CI: `travis_fold:start:install\r`, `travis_time:end:<id>:start=…,event=script\r`, the
# text a terminal shows after it on the same line (`The command "pytest" exited with 1.`)
_SECTION = re.compile(r"(?:section_(?:start|end):\d+:|travis_(?:fold|time):)[^\r\n]*\r")
# Jenkins timestamper (`[2024-01-15T10:23:45.123Z] `) and OBS build logs (`[  967s] `).
_BRACKET_STAMP = re.compile(r"^\[(?:\d{4}-\d\d-\d\dT[\d:.]+Z?|\s*\d+(?:\.\d+)?s)\] ", re.M)
# a name, spaces, a bar: docker compose's service (`app-1  | `, `db_1    | `) and `act`'s job in
# brackets before a step's output (`[CI/test]   | `, its own lines have no bar); and Jenkins'
# clock stamp (`12:00:00 `)
_COMPOSE = re.compile(r"^(?:[A-Za-z0-9][\w.-]*|\[[^\]\n]+\]) +\|(?: |$)", re.M)
_CLOCK = re.compile(r"^\d\d:\d\d:\d\d ", re.M)
# moreutils' `ts` (`%b %d %H:%M:%S`, `%.S` adds a fraction), as syslog writes it too (`Dec  1`)
_SYSLOG_STAMP = re.compile(r"^[A-Z][a-z]{2} [ 0-3]\d \d\d:\d\d:\d\d(?:\.\d+)? ", re.M)
# a systemd journal's (`journalctl`, `-o short`, `short-precise`, `short-iso`,
# `short-iso-precise`, `short-full`, `short-monotonic`, `short-unix`) or a syslog file's line:
# its stamp, the host, and the process that wrote it with its pid
# (`2026-11-29T17:10:00+00:00 ci-runner pytest[4821]: `; an empty line ends there, its space
# maybe trimmed). A unit's own lines (`systemd[1]: Started …`) are few.
_JOURNAL = re.compile(
    r"^(?:[A-Z][a-z]{2} [ 0-3]\d \d\d:\d\d:\d\d(?:\.\d+)?"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)"
    r"|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Z]+"
    r"|\[ *\d+\.\d+\]|\d{9,}\.\d+)"
    r" [\w.-]+ [^\s\[\]]+\[\d+\]:(?: |$)",
    re.M,
)
# TeamCity's build log as downloaded: its clock, a status (` `, `i`, `W`, `E`…) and a colon,
# then, inside a block, a tab a level and the block's name (`[17:10:00] :\t [Step 1/1] `)
_TEAMCITY_LOG = re.compile(r"^\[\d\d:\d\d:\d\d\][ A-Za-z]:(?: |\t+ \[[^\]\n]*\](?: |$))", re.M)
# where a line came from, in brackets: `kubectl logs --prefix`'s pod and container
# (`[pod/pool-tests-7d9f8/tests] `), Tekton's task and step (`tkn pipelinerun logs`:
# `[test : pytest] `)
_SOURCE = re.compile(r"^\[(?:pod/[^\]\s/]+/[^\]\s]+|[\w.-]+ : [\w.-]+)\] ", re.M)
# Atlassian Bamboo's build log as downloaded: the line's kind (`build` for the command's
# output, `error`, `simple`, `command`), a tab, the time, a tab (`build\t29-Nov-2026 17:10:00\t`)
_BAMBOO = re.compile(r"^[a-z]+\t\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d\t", re.M)
# Google Cloud Build's log: its step, with the step's id when it has one (`Step #0 - "test": `)
_CLOUD_BUILD = re.compile(r'^Step #\d+(?: - "[^"\n]*")?:(?: |$)', re.M)
# a date and time in other forms (`ts '%Y-%m-%d %H:%M:%.S'`, Python logging's `,123`, an offset,
# brackets), and a clock in brackets (`ts '[%H:%M:%S]'`); a bare clock with a fraction is not
# one: ExUnit's Logger starts its own lines so (`17:21:32.397 [info]`)
_DATE_STAMP = re.compile(
    r"^(?:\[\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]"
    r"|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
    r"|\[\d\d:\d\d:\d\d(?:[.,]\d+)?\]) ",
    re.M,
)
_PROBE = 4096  # characters of a chunk looked at before a regex runs over all of it
# What may need stripping, as RE2 regexes the scan adds to its search (`^` starts a line): a
# chunk where one matches is cleaned by `strip_prefixes` (which decides), the others are not.
MARKERS = (
    r"\t(?:\x{FEFF})?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ",
    r"##\[",
    r"##teamcity\[",
    r"section_(?:start|end):",
    r"travis_(?:fold|time):",
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
    r"^\[(?:\d{4}-\d\d-\d\dT|\s*\d+(?:\.\d+)?s\] )",
    r"^(?:[A-Za-z0-9][\w.-]*|\[[^\]\n]+\]) +\|(?: |$)",
    r"^\d\d:\d\d:\d\d ",
    r"^[A-Z][a-z]{2} [ 0-3]\d \d\d:\d\d:\d\d",
    r"^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    r"^(?:\[ *\d+\.\d+\]|\d{9,}\.\d+) [\w.-]+ [^\s\[\]]+\[\d+\]:",
    r"^\[(?:pod/|[\w.-]+ : [\w.-]+\] )",
    r"^Step #\d+",
    r"^[a-z]+\t\d\d-[A-Z][a-z]{2}-\d{4} ",
    r"^\[?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    r"^\[\d\d:\d\d:\d\d",
)


def strip_prefixes(text: str, marked: str = "") -> str:
    """`text` (whole lines, ANSI codes already removed) without CI line prefixes and markers;
    `marked` is a line of it where a CI marker was seen."""
    head = _ends(text, marked)
    if "\t" in head and _GH_CLI.search(head):
        text, marked = _GH_CLI.sub("", text), _GH_CLI.sub("", marked)
        head = _ends(text, marked)
    if _ISO_STAMP.search(head):
        text, marked = _ISO_STAMP.sub("", text), _ISO_STAMP.sub("", marked)
        head = _ends(text, marked)  # what the stamps hid decides too: compose's name, say
    if "##[" in text:
        text = _GH_MARKER.sub("", text)
    if "##teamcity[" in text:
        text = _TEAMCITY.sub("", text)
    if "section_" in text or "travis_" in text:
        text = _SECTION.sub("", text)
    if _BRACKET_STAMP.search(head):
        text, marked = _BRACKET_STAMP.sub("", text), _BRACKET_STAMP.sub("", marked)
        head = _ends(text, marked)
    for prefix in _MOSTLY:
        if prefix.search(head) and _on_most_lines(prefix, text):
            text, marked = prefix.sub("", text), prefix.sub("", marked)
            head = _ends(text, marked)
    return text


# in this order: a stamp may come before compose's name (`docker compose up | ts`) or after it,
# and kubectl's pod before its stamp (`--prefix --timestamps`), a build step's name before the
# step's own stamps
_MOSTLY = (
    _SOURCE,
    _CLOUD_BUILD,
    _BAMBOO,
    _COMPOSE,
    _CLOCK,
    _TEAMCITY_LOG,
    _JOURNAL,
    _SYSLOG_STAMP,
    _DATE_STAMP,
    _COMPOSE,
    _CLOCK,
)


def _ends(text: str, marked: str) -> str:
    """What decides which prefixes `text` has: its head and its tail (a plain log with a CI
    service's log appended has them at its end), and the line where a marker was seen."""
    head = text[:_PROBE] if len(text) <= 2 * _PROBE else f"{text[:_PROBE]}\n{text[-_PROBE:]}"
    return f"{head}\n{marked}" if marked else head


def _on_most_lines(prefix: re.Pattern[str], text: str) -> bool:
    """At least half the lines of `text` start with `prefix`."""
    lines = text.count("\n") or 1
    return 2 * sum(1 for _ in prefix.finditer(text)) >= lines
