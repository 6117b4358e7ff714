"""GitHub Actions: workflow-command annotations and a job summary kept under its size limit.

Both are rendered from the `Report`, like every writer, and do no I/O: the CLI prints the
annotations and appends the summary to `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from poolctl.model import Diagnosis, Finding, Report, ScenarioDetails
from poolctl.report.combine import split
from poolctl.report.view import (
    counted_past_cap,
    details_of,
    failure_headline,
    shown_label,
    unclassified,
)
from poolctl.termtext import one_line, visible

SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary over 1 MiB
ANNOTATIONS_PER_LEVEL = 10  # a step shows 10 error and 10 warning annotations; the rest are lost
MESSAGE_LIMIT = 4000  # characters of one annotation's message
ENV_LINKS = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
Level = Literal["error", "warning", "notice"]


# --- annotations ---------------------------------------------------------------------------
def escape_data(value: str) -> str:
    """A workflow command's message: `%`, CR and LF percent-encoded, as the runner decodes;
    other control characters (an escape, a backspace) shown as `\\xNN`."""
    return visible(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    """A workflow command's property value: as a message, and `:` and `,` too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class Annotation:
    """One `::error file=…,line=…,title=…::message` line."""

    level: Level
    title: str
    message: str
    file: str = ""
    line: int = 0

    def command(self) -> str:
        props = []
        if self.file:
            props.append(f"file={escape_property(self.file)}")
            if self.line:
                props.append(f"line={self.line}")
        props.append(f"title={escape_property(self.title)}")
        message = self.message
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 1] + "…"
        return f"::{self.level} {','.join(props)}::{escape_data(message)}"


def _where(location: str, workspace: str | None) -> tuple[str, int]:
    """`path:line` into (path relative to the workspace when inside it, line)."""
    m = re.match(r"^(.*?):(\d+)(?:[:-]\d+)?$", location)
    path, line = (m.group(1), int(m.group(2))) if m else (location, 0)
    if workspace and os.path.isabs(path):
        rel = os.path.relpath(path, workspace)
        if not rel.startswith(".."):
            path = rel
    return path, line


@dataclass(frozen=True)
class RepoLinks:
    """Links from a test's `file:line` to the commit under test (a job summary, report.md)."""

    server: str
    repository: str
    sha: str
    workspace: str | None = None

    def url(self, location: str) -> str | None:
        """The blob URL of `path:line`, or None for a path outside the workspace."""
        path, line = _where(location, self.workspace)
        if not path or os.path.isabs(path) or path.startswith(".."):
            return None
        anchor = f"#L{line}" if line else ""
        # a space, `#` or `?` in a path would end the link or point at another file
        blob = urllib.parse.quote(path, safe="/")
        return f"{self.server.rstrip('/')}/{self.repository}/blob/{self.sha}/{blob}{anchor}"


def repo_links(env: Mapping[str, str] | None = None) -> RepoLinks | None:
    """Links when GitHub Actions says where the commit is (`GITHUB_SERVER_URL`,
    `GITHUB_REPOSITORY`, `GITHUB_SHA`; paths relative to `GITHUB_WORKSPACE`), else None."""
    env = os.environ if env is None else env
    server, repo, sha = (env.get(k, "") for k in ENV_LINKS)
    if not (server and repo and sha):
        return None
    return RepoLinks(server, repo, sha, env.get("GITHUB_WORKSPACE") or None)


def _finding_annotation(
    finding: Finding, workspace: str | None, as_expected: bool = False
) -> Annotation:
    """An error for a failure; a notice for what a scenario reproduced as it expects (that
    run passed: its JUnit case passes, and so does its exit code)."""
    f = finding.failure
    file, line = _where(f.location, workspace) if f.location else ("", 0)
    if not file and f.input_file:
        file, line = _where(f.origin, workspace)
    lines = [failure_headline(f) or one_line(f.name)]
    o = finding.outcome
    if isinstance(o, Diagnosis):
        title = f"pattern {o.pattern_number} {o.pattern_id}: {shown_label(f)}"
        lines.append(f"Pattern {o.pattern_number} {o.pattern_id}: {o.title}")
        if o.cause:
            lines.append(f"Likely cause: {o.cause}")
        if o.remediation:
            lines.append(f"Fix: {o.remediation}")
        if f.origin:
            lines.append(f"Log: {one_line(f.origin)}")
    else:
        u = unclassified(finding)
        title = f"unclassified: {shown_label(f)}"
        nearest = f"nearest pattern {u.nearest} ({u.score:.2f}): " if u.nearest else ""
        lines.append(f"No pattern claims it ({nearest}{u.why})")
    if as_expected:
        return Annotation(
            "notice", f"reproduced as expected: {title}", "\n".join(lines), file, line
        )
    return Annotation("error", title, "\n".join(lines), file, line)


def _scenario_expectations(
    report: Report, workspace: str | None
) -> tuple[set[int], list[Annotation]]:
    """The findings (by id) each scenario run reproduced as it expects, and an error per
    expected pattern a run did not reproduce (or reproduced, but was cut short), as its JUnit
    case fails."""
    reproduced: set[int] = set()
    missed: list[Annotation] = []
    for run in split(report):
        details = details_of(run, ScenarioDetails)
        if details is None:
            continue
        expected = set(details.expected)
        for finding in run.findings:
            o = finding.outcome
            if isinstance(o, Diagnosis) and o.pattern_id in expected:
                reproduced.add(id(finding))
        file = _where(details.file, workspace)[0] if details.file else ""
        for pattern in details.expected:
            if pattern in details.found and not details.interrupted:
                continue
            why = (
                f"interrupted by {details.interrupted}" if details.interrupted else "not reproduced"
            )
            got = ", ".join(details.found) or "no pattern"
            missed.append(
                Annotation(
                    "error",
                    f"scenario {details.scenario}: {pattern} {why}",
                    f"Scenario {details.scenario} expects {pattern}; got {got}",
                    file,
                )
            )
    return reproduced, missed


def collect_annotations(report: Report, workspace: str | None = None) -> list[Annotation]:
    """Every annotation the report calls for: an error per failure (diagnosed ones first, in
    fix-plan order, so that the ten a step shows carry fixes), per expectation a scenario
    missed and per failed check, a warning per check with a warning, a notice per pattern a
    scenario reproduced as it expects."""
    ordered = [f for _, findings in report.fix_plan() for f in findings]
    ordered += report.unclassified
    reproduced, missed = _scenario_expectations(report, workspace)
    out = [_finding_annotation(f, workspace, id(f) in reproduced) for f in ordered]
    out += missed
    for check in report.checks:
        if check.status == "ok":
            continue
        level: Level = "error" if check.status == "fail" else "warning"
        body = check.summary + (f"\nFix: {check.remedy}" if check.remedy else "")
        out.append(Annotation(level, f"{check.section}: {check.name}", body))
    return out


def render_annotations(
    report: Report, workspace: str | None = None, per_level: int = ANNOTATIONS_PER_LEVEL
) -> str:
    """The workflow commands, at most `per_level` of each level; a notice says how many more
    there were (GitHub would drop them silently)."""
    found = collect_annotations(report, workspace)
    lines: list[str] = []
    shown = dict.fromkeys(("error", "warning", "notice"), 0)
    dropped: dict[str, int] = {}
    for a in found:
        if shown[a.level] < per_level:
            shown[a.level] += 1
            lines.append(a.command())
        else:
            dropped[a.level] = dropped.get(a.level, 0) + 1
    past_cap = sum(counted_past_cap(report).values())  # counted in their groups, not listed
    if past_cap:
        dropped["error"] = dropped.get("error", 0) + past_cap
    for level, n in dropped.items():
        noun = {"error": "failing test(s)", "warning": "warning(s)", "notice": "notice(s)"}[level]
        where = f" in {report.run_dir}" if report.run_dir else ""
        lines.append(
            Annotation(
                "notice",
                f"poolctl: {n} more {level} annotation(s) not shown",
                f"{n} more {noun} than the {per_level} {level} annotations a step shows; "
                f"every one is in the job summary and in the run's report{where}",
            ).command()
        )
    return "".join(line + "\n" for line in lines)


# --- job summary ---------------------------------------------------------------------------
def cap_summary(
    markdown: str, limit: int = SUMMARY_LIMIT, where: str = "", already: int = 0
) -> str:
    """`markdown` cut at a line to fit in `limit` bytes (UTF-8) after the `already` bytes a
    step summary holds, open code fences and `<details>` closed, and a visible note of what
    was cut; unchanged when it fits."""
    room = max(0, limit - already)
    if len(markdown.encode()) <= room:
        return markdown
    budget = room - 2048  # the note and the closing of open blocks
    while True:
        text = _cut(markdown, budget, limit, where, already)
        over = len(text.encode()) - room
        if over <= 0 or budget <= 0:  # a note that says what was kept, as it was kept
            return text if over <= 0 else text.encode()[:room].decode("utf-8", "ignore")
        budget -= over + 256


def _cut(markdown: str, budget: int, limit: int, where: str, already: int) -> str:
    """The lines of `markdown` that fit in `budget` bytes, open blocks closed, and the note."""
    size = len(markdown.encode())
    lines = markdown.splitlines(keepends=True)
    full_sections = [ln.strip() for ln in lines if ln.startswith("## ")]
    kept: list[str] = []
    used = 0
    fence = ""
    details = 0
    for ln in lines:
        n = len(ln.encode())
        if used + n > budget:
            break
        kept.append(ln)
        used += n
        m = re.match(r"^(`{3,}|~{3,})", ln)
        if m and not fence:
            fence = m.group(1)
        elif m and ln.strip() == m.group(1) and m.group(1)[0] == fence[0]:
            fence = "" if len(m.group(1)) >= len(fence) else fence
        if not fence:  # the writer's own blocks, each tag at a line's start: a message that
            # quotes `<details>` in a code span or a table cell opens nothing
            details += ln.startswith("<details>") - (ln.rstrip("\n") == "</details>")
    closing = ""
    if fence:
        closing += fence + "\n"
    closing += "</details>\n" * max(details, 0)
    kept_sections = {ln.strip() for ln in kept if ln.startswith("## ")}
    cut_sections = [s.removeprefix("## ") for s in full_sections if s not in kept_sections]
    partly = next((ln.strip() for ln in reversed(kept) if ln.startswith("## ")), "")
    names = ", ".join(cut_sections[:15]) + (
        f" and {len(cut_sections) - 15} more" if len(cut_sections) > 15 else ""
    )
    note = (
        "\n> [!WARNING]\n"
        f"> **poolctl: this summary was cut** to keep the step summary under GitHub's "
        f"{limit:,}-byte limit"
        + (f" (earlier output holds {already:,} bytes)" if already else "")
        + f": {used:,} of {size:,} bytes shown, {len(lines) - len(kept):,} of "
        f"{len(lines):,} lines cut"
        + (f", from inside {_md_inline(partly.removeprefix('## '))}" if partly else "")
        + (f"; sections left out: {_md_inline(names)}" if cut_sections else "")
        + ". The whole report is in the run folder"
        + (f" `{where}` (`poolctl report {where} -f md` renders it)" if where else "")
        + ".\n"
    )
    out = "".join(kept)
    if out and not out.endswith("\n"):
        out += "\n"
    return out + closing + note


def _md_inline(value: str) -> str:
    return value.replace("\n", " ")


def summary_for(markdown_docs: Sequence[str], existing_bytes: int, where: str = "") -> str:
    """What to append to a step summary that already holds `existing_bytes`."""
    if SUMMARY_LIMIT - existing_bytes <= 0:
        return ""
    return cap_summary("\n".join(markdown_docs), SUMMARY_LIMIT, where, existing_bytes)
