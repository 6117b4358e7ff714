"""A CI service's own line for a failed job (GitHub Actions' `##[error]Process completed with exit
code 1.`, GitLab's `ERROR: Job failed: exit code 1`, Travis CI's `The command "…" exited with
1.`, TeamCity's `Process exited with code 1`…), tox's or nox's for a failed session, GNU make's
for a failed target: read beside the runners' verdicts (`poolctl.logs.other_verdicts`) and set
aside (`ParsedLog.job_failures`); in a log whose runs all read as clean it is one failure
(`poolctl.logs.verdicts_read`)."""

from __future__ import annotations

import re

from poolctl.logs.records import ParsedLog

# What sends such a line to a parser's `outside` (RE2 syntax, as verdict_lines.TRIGGERS)
TRIGGERS = (
    # a CI service's line for a failed job (`JOB_FAILED`)
    r"^(?:##\[error\])?Process completed with exit code [1-9]",
    r"^ERROR: (?:Job failed: |script returned exit code [1-9])",
    r"^🚨 Error: The command exited with status",
    r"^Exited with code exit status [1-9]",
    r"^(?:##\[error\])?(?:Bash|Cmd|PowerShell) exited with code '[1-9]",
    r"^The command \".*\" exited with [1-9]",
    r"^(?:Command|Process) exited with code -?[1-9]",
    r"^Failing task since return code of ",
    r"^ERROR: build step \d+ ",
    r"^\[[^\]\n]+\] 🏁  Job failed",  # act's, its job's name before it
    # tox's (4, then 3) and nox's line for a failed session
    r"^ *\S+: FAIL code -?[1-9]",
    r"^ERROR: +\S+: commands failed",
    r"^nox > Session \S+ failed\.",
    r"^make(?:\[\d+\])?: \*\*\* \[",  # GNU make's for a failed target
)
# A CI service's line for a job that failed (its marker, `##[error]`, already removed), and a
# wrapper's for a session that failed
JOB_FAILED = (
    ("GitHub Actions", re.compile(r"^Process completed with exit code (?P<code>[1-9]\d*)\.$")),
    ("tox", re.compile(r"^\S+: FAIL code (?P<code>-?[1-9]\d*) \(.*\)$")),  # tox 4
    ("tox", re.compile(r"^ERROR: +\S+: commands failed$")),  # tox 3's summary
    ("nox", re.compile(r"^nox > Session \S+ failed\.$")),
    ("make", re.compile(r"^make(?:\[\d+\])?: \*\*\* \[.*\] Error (?P<code>[1-9]\d*)$")),
    (
        "GitLab CI",
        re.compile(
            r"^ERROR: Job failed: (?:command terminated with )?exit code (?P<code>[1-9]\d*)$"
        ),
    ),
    ("Jenkins", re.compile(r"^ERROR: script returned exit code (?P<code>[1-9]\d*)$")),
    ("Buildkite", re.compile(r"^🚨 Error: The command exited with status (?P<code>-?[1-9]\d*)$")),
    ("CircleCI", re.compile(r"^Exited with code exit status (?P<code>[1-9]\d*)$")),
    (
        "Azure Pipelines",
        re.compile(r"^(?:Bash|Cmd|PowerShell) exited with code '(?P<code>[1-9]\d*)'\.$"),
    ),
    ("Travis CI", re.compile(r"^The command \".*\" exited with (?P<code>[1-9]\d*)\.$")),
    ("AppVeyor", re.compile(r"^Command exited with code (?P<code>-?[1-9]\d*)$")),
    # TeamCity's step, its build log's prefix removed (newer versions name the step after it)
    ("TeamCity", re.compile(r"^Process exited with code (?P<code>-?[1-9]\d*)(?: \(.*\))?$")),
    (
        "Bamboo",
        re.compile(
            r"^Failing task since return code of \[.*\] was (?P<code>-?[1-9]\d*) while expected 0$"
        ),
    ),
    ("act", re.compile(r"^\[[^\]\n]+\] 🏁  Job failed$")),
    (
        "Cloud Build",
        re.compile(
            r"^ERROR: build step \d+ \"[^\"]*\" failed: step exited with non-zero status: "
            r"(?P<code>[1-9]\d*)$"
        ),
    ),
)
ACT_FAILED = "🏁  Job failed"  # act's line starts with the job's name: its end is tested
WRAPPERS = {"tox": "session", "nox": "session", "make": "target"}  # theirs failed, not a CI job
STARTS = (
    "nox > Session ",
    "make: *** [",
    "make[",
    "Process completed",
    "ERROR: ",
    "🚨 Error",
    "Exited with code",
    "Bash ",
    "Cmd ",
    "PowerShell ",
    "The command ",
    "Command exited",
    "Process exited",
    "Failing task",
)


def is_one(text: str) -> bool:
    """Whether `text` (a stripped line) may be such a line: the cheap test before the regexes."""
    return text.startswith(STARTS) or " FAIL code " in text or text.endswith(ACT_FAILED)


def read(out: ParsedLog, file: str, number: int, text: str) -> bool:
    """Set `text` aside as a failed job's line, if it is one."""
    for service, said in JOB_FAILED:
        if said.match(text):
            out.job_failures.append((file, number, text, service))
            return True
    return False
