"""The HTML views: the whole report as one self-contained page, and a run's `timeline.html`.

One file each, opened straight from disk: inline CSS and SVG, no script, no font, no image to
fetch, and a Content-Security-Policy that forbids every request. The report page puts the
verdict first, as every view does: the summary and the fix plan (what the failing checks ask
for), then the timeline of a run that has one, a bar chart of the failures per pattern for a
triage, each pattern's groups of failures with their evidence (folded, the log's line numbers
set apart), the unclassified failures by cluster, the checks and the notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from poolctl.model import (
    Diagnosis,
    Evidence,
    Failure,
    Finding,
    PingDetails,
    Report,
    ScenarioDetails,
    Timeline,
)
from poolctl.report.combine import split
from poolctl.report.github import RepoLinks
from poolctl.report.groups_view import (
    GroupView,
    cluster_headline,
    cluster_views,
    clusters_of,
    failure_names,
    groups_of,
    pattern_groups,
    unread_line,
    unread_regions,
)
from poolctl.report.replay import ms
from poolctl.report.timeline_svg import CSS as TIMELINE_CSS
from poolctl.report.timeline_svg import legend_html, timeline_svg
from poolctl.report.view import (
    detail_rows,
    details_of,
    failure_headline,
    fix_plan,
    fmt_value,
    history_tag,
    how_to_tell,
    pattern_sections,
    read_summary,
    scenario_verdict,
    shortener,
    shown_label,
    summary_line,
    timeline_of,
    tracebacks,
    unclassified,
)
from poolctl.termtext import html_escape as escape

# no request of any kind: what is not inline cannot load
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
CSS = (
    "body{font:14px/1.45 system-ui,sans-serif;color:#212121;margin:16px 20px;max-width:1360px}"
    "h1{font-size:20px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px "
    "solid #cfd8dc}h3{font-size:14px;margin:16px 0 4px}"
    "code,pre{font:12px ui-monospace,monospace;background:#f5f5f5;border-radius:3px}"
    "code{padding:0 3px}pre{padding:8px;overflow:auto;white-space:pre-wrap}"
    "table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #e0e0e0;"
    "padding:3px 7px;text-align:left;vertical-align:top}th{background:#eceff1}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".banner{background:#f3e5f5;border-left:5px solid #6a1b9a;padding:8px 12px;margin:8px 0}"
    ".banner.ok{background:#e8f5e9;border-color:#2e7d32}.banner p{margin:3px 0}"
    ".summary{font-weight:600}.muted{color:#607d8b}.fail{color:#c62828}.ok{color:#2e7d32}"
    ".warn{color:#ef6c00}"
    "ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;"
    "font-size:12px}ul.legend li{display:flex;align-items:center;gap:5px}"
    ".sw{display:inline-block;width:14px;height:10px;border:1px solid #90a4ae}"
    ".sw.line{height:0;width:16px;border:0;border-top:2px dashed #37474f}"
    ".sw.line.deciding{border-color:#6a1b9a}"
    "svg.bars text{font:12px system-ui,sans-serif;fill:#263238}svg.bars .bar{fill:#5c6bc0}"
    "svg.bars .bar.unclassified{fill:#90a4ae}" + TIMELINE_CSS
)
STATUS = {"confirmed": "✓ confirmed", "ruled-out": "✗ ruled out", "untested": "? untested"}
CHECK = {"ok": ("✓", "ok"), "warn": ("!", "warn"), "fail": ("✗", "fail")}
FULL_GROUPS = 20  # groups of a pattern shown in full; the others are rows of a table
MAX_NAMES = 50  # failures named per group or cluster (report.json lists them all)
MAX_CLUSTERS = 100  # clusters listed (report.json lists them all)
LINE = re.compile(r"^(?P<file>.*?):(?P<lines>\d+(?:-\d+)?)$")


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML document."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def timeline_section(timeline: Timeline) -> str:
    """The pattern named at the top, the deciding event, the picture, its legend and notes."""
    out = []
    if timeline.pattern:
        out.append('<div class="banner">')
        out.append(f"<p>Reproduced: <b>pattern {escape(timeline.pattern)}</b></p>")
        if timeline.verdict:
            out.append(f"<p>{escape(timeline.verdict)}</p>")
    else:
        out.append('<div class="banner ok"><p><b>No pattern</b>: nothing went wrong here.</p>')
    if timeline.deciding is not None:
        d = timeline.deciding
        label = d.label if len(d.label) <= 240 else d.label[:239] + "…"
        out.append(
            f'<p>Deciding event: <a href="#ev-{d.seq}">{escape(label)}</a> '
            f'<span class="muted">(ringed, on the dotted line)</span></p>'
        )
    out.append("</div>")
    out.append(timeline_svg(timeline))
    out.append(legend_html(timeline))
    told = f"Drawn from events.jsonl ({timeline.events:,} events, {ms(timeline.end)})"
    notes = "; ".join(timeline.notes)
    folded = f"; folded where dense (hover a folded span for its count): {notes}" if notes else ""
    out.append(f'<p class="muted">{escape(told + folded)}.</p>')
    return "\n".join(out)


def timeline_page(report: Report) -> str:
    """`timeline.html`: the run's picture, alone on its page."""
    timeline = timeline_of(report)
    assert timeline is not None, "a run without a timeline has no timeline page"
    scenario = details_of(report, ScenarioDetails)
    said = f": {scenario_verdict(scenario)}" if scenario is not None else ""
    if report.title.endswith(said):  # a run's title says it already (`scenario healthy: passed`)
        said = ""
    body = [f"<h1>Timeline · {escape(report.title)}{said}</h1>"]
    body.append(timeline_section(timeline))
    if report.run_dir:
        body.append(f'<p class="muted">Run folder: <code>{escape(report.run_dir)}</code></p>')
    return page(f"timeline · {report.title}", "\n".join(body))


def _origin(origin: str) -> str:
    """`file:12-14` with its line numbers set apart (the origin as given otherwise)."""
    found = LINE.match(origin)
    if not found:
        return escape(origin)
    return f'{escape(found["file"])}:<b class="ln">{found["lines"]}</b>'


def _evidence_table(items: Iterable[Evidence], short: Callable[[str], str]) -> str:
    rows = [
        f"<tr><td>{_origin(short(e.origin))}</td><td><code>{escape(e.text)}</code></td>"
        f"<td>{escape(e.note)}</td></tr>"
        for e in items
    ]
    if not rows:
        return ""
    head = "<tr><th>where (file:line)</th><th>quote</th><th>what it shows</th></tr>"
    return f'<table class="evidence">{head}{"".join(rows)}</table>'


def bar_chart(report: Report) -> str:
    """Failures per pattern as horizontal bars (the unclassified ones last, in grey)."""
    bars = [
        (f"{s.number} {s.pattern_id}", s.title, len(s.findings), s.pattern_id, "")
        for s in pattern_sections(report)
    ]
    if report.unclassified:
        n = len(report.unclassified)
        bars.append(("unclassified", "no pattern claims them", n, "unclassified", " unclassified"))
    if not bars:
        return ""
    label_w, bar_w, row = 300, 560, 24
    top = max(n for *_, n, _, _ in bars)
    out = [
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" '
        f'height="{row * len(bars) + 6}" role="img" aria-label="failures per pattern">'
    ]
    for i, (name, title, n, pid, cls) in enumerate(bars):
        y = i * row + 3
        w = max(2, round(bar_w * n / top))
        out.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="bar{cls}" data-pattern="{escape(pid)}" data-count="{n}" '
            f'x="{label_w}" y="{y}" width="{w}" height="{row - 6}">'
            f"<title>{escape(name)}: {escape(title)} — {n} failure(s)</title></rect>"
            f'<text x="{label_w + w + 6}" y="{y + 15}">{n}</text>'
        )
    out.append("</svg>")
    return "".join(out)


class _Doc:
    def __init__(self, report: Report, links: RepoLinks | None = None) -> None:
        self.r = report
        self.short = shortener(report)
        self.links = links
        self.out: list[str] = []

    def w(self, text: str) -> None:
        self.out.append(text)

    def render(self) -> str:
        """Verdict first, as every view: the summary and the fix plan, then what backs them."""
        r = self.r
        scenario = details_of(r, ScenarioDetails)
        if scenario is not None:  # the title says passed, failed or interrupted
            verdict = scenario_verdict(scenario)
            cls = "ok" if verdict == "passed" else "fail"
            self.w(
                f"<h1>Scenario {escape(scenario.scenario)}: "
                f'<span class="{cls}">{verdict}</span></h1>'
            )
        else:
            self.w(f"<h1>poolctl {escape(r.kind)}: {escape(self.short(r.title))}</h1>")
        self.w(f'<p class="summary">{escape(summary_line(r))}</p>')
        self.ping()
        self.unread()
        self.fixes()
        self.remedies()
        if r.inputs:
            inputs = ", ".join(f"<code>{escape(i)}</code>" for i in r.inputs)
            self.w(f"<p>Input: {inputs}</p>")
        for line in read_summary(r):
            self.w(f'<p class="muted">{escape(self.short(line))}</p>')
        timeline = timeline_of(r)
        if timeline is not None:
            self.w("<h2>Timeline</h2>")
            self.w(timeline_section(timeline))
        if r.kind == "triage" and r.findings:
            self.w("<h2>Failures per pattern</h2>")
            self.w(bar_chart(r))
        self.summary_table()
        self.sections()
        self.unclassified()
        self.checks()
        self.notes()
        self.appendix()
        if r.run_dir:
            self.w(f'<p class="muted">Run folder: <code>{escape(r.run_dir)}</code></p>')
        return "\n".join(self.out)

    def ping(self) -> None:
        details = self.r.details
        if not isinstance(details, PingDetails) or not details.ok:
            return
        stats = details.stats_ms
        self.w(
            f'<p class="ok">✓ answered {escape(details.command)!r} in '
            f"{stats.get('median', 0.0):.3f} ms (pid {escape(str(details.worker.get('pid')))}, "
            f"{escape(str(details.worker.get('framing')))}); {len(details.round_trips_ms)} round "
            f"trip(s): "
            + " · ".join(f"{k} {stats.get(k, 0.0):.3f} ms" for k in ("min", "median", "p99", "max"))
            + "</p>"
        )

    def summary_table(self) -> None:
        sections = pattern_sections(self.r)
        if not sections and not self.r.unclassified:
            return
        self.w('<table><tr><th class="n">#</th><th>pattern</th><th class="n">failures</th></tr>')
        for s in sections:
            self.w(
                f'<tr><td class="n">{s.number}</td><td><a href="#p-{escape(s.pattern_id)}">'
                f"<code>{escape(s.pattern_id)}</code></a> {escape(s.title)}</td>"
                f'<td class="n">{len(s.findings)}</td></tr>'
            )
        if self.r.unclassified:
            self.w(
                f'<tr><td class="n">–</td><td><a href="#unclassified">unclassified</a></td>'
                f'<td class="n">{len(self.r.unclassified)}</td></tr>'
            )
        self.w("</table>")

    def sections(self) -> None:
        """Each pattern: its groups of identical failures (the biggest in full, the rest as
        rows), the candidate causes and the recommendation; what backs a failure is folded."""
        for s in pattern_sections(self.r):
            noun = "failure" if len(s.findings) == 1 else "failures"
            self.w(
                f'<h2 id="p-{escape(s.pattern_id)}">Pattern {s.number}: {escape(s.title)} '
                f"(<code>{escape(s.pattern_id)}</code>, {len(s.findings)} {noun})</h2>"
            )
            groups = pattern_groups(self.r, s.pattern_id, s.findings)
            full = FULL_GROUPS if groups_of(self.r) else len(groups)  # ungrouped: each in full
            for group in groups[:full]:
                self.finding(group)
            self.group_table(groups[full:])
            if s.causes:
                untested = all(c.status == "untested" for c in s.causes)
                note = ": none has evidence in this log, all untested" if untested else ""
                self.w(f"<details><summary>Candidate causes ({len(s.causes)}){note}</summary>")
                self.w("<table><tr><th>status</th><th>cause</th>")
                self.w("<th>evidence, or how to tell</th></tr>")
                for c in s.causes:
                    if c.evidence:
                        why = escape("; ".join(self.short(e) for e in c.evidence))
                    else:
                        why = escape(how_to_tell(c.reason) if c.status == "untested" else c.reason)
                    label = STATUS[c.status] + (f" ({c.label})" if c.label else "")
                    self.w(
                        f"<tr><td>{escape(label)}</td><td>{escape(c.title)}</td><td>{why}</td></tr>"
                    )
                self.w("</table></details>")
            self.w("<h3>Recommendation</h3><ul>")
            for remediation in s.remediations:
                self.w(f"<li>{escape(remediation)}</li>")
            self.w("</ul>")
            if s.reproduce:
                self.w(f"<p>Reproduce: <code>{escape(s.reproduce)}</code></p>")

    def named(self, finding: Finding) -> str:
        f = finding.failure
        return f"{shown_label(f)} ({self.short(f.origin)})" if f.origin else shown_label(f)

    def test_at(self, failure: Failure) -> str:
        """Where the test is (`file:line`), linked to the repository when links are known."""
        where = f"<code>{escape(failure.location)}</code>"
        url = self.links.url(failure.location) if self.links and failure.location else None
        return f'<a href="{escape(url)}">{where}</a>' if url else where

    def finding(self, group: GroupView) -> None:
        """A group's first failure (×N when identical ones follow), its cause and what backs
        it (evidence, facts, the hypotheses tested) folded under it."""
        finding = group.first
        d = finding.outcome
        assert isinstance(d, Diagnosis)
        f = finding.failure
        where = f" — {_origin(self.short(f.origin))}" if f.origin else ""
        count = len(group.findings)
        times = f"×{count} " if count > 1 else ""
        tag = history_tag(finding)
        cls = {"new": "fail", "flaky": "warn"}.get(tag, "muted")
        seen = f' <small class="{cls}">{escape(tag)}</small>' if tag else ""
        self.w(f"<h3>{times}{escape(shown_label(f))}{where}{seen}</h3>")
        if count > 1:
            names = failure_names(group.findings[1:], self.named, MAX_NAMES)
            self.w(f'<p class="muted">The same failure in: {escape(names)}</p>')
        self.w(f"<p><code>{escape(failure_headline(f))}</code> · confidence {d.confidence:.2f}</p>")
        if f.location:
            self.w(f"<p>Test: {self.test_at(f)}</p>")
        if d.cause:
            self.w(f"<p>Likely cause: {escape(d.cause)}</p>")
        tested = [h for h in d.hypotheses if h.status != "untested"]  # the rest: causes below
        if not d.evidence and not d.facts and not tested:
            return
        self.w(f"<details><summary>Evidence ({len(d.evidence)}), facts and causes</summary>")
        self.w(_evidence_table(d.evidence, self.short))
        if d.facts:
            facts = " · ".join(
                f"{escape(str(k))} = <code>{escape(fmt_value(v))}</code>"
                for k, v in d.facts.items()
            )
            self.w(f'<p class="muted">Facts: {facts}</p>')
        if tested:
            self.w("<table><tr><th>hypothesis</th><th>status</th><th>why</th></tr>")
            for h in tested:
                why = h.reason or "; ".join(f"{e.text} ({e.origin})" for e in h.evidence)
                cls = {"confirmed": "ok", "ruled-out": "muted"}.get(h.status, "warn")
                self.w(
                    f"<tr><td>{escape(h.title)}</td><td class={cls}>{STATUS[h.status]}</td>"
                    f"<td>{escape(why)}</td></tr>"
                )
            self.w("</table>")
        self.w("</details>")

    def group_table(self, groups: list[GroupView]) -> None:
        if not groups:
            return
        self.w(f"<p>{len(groups)} more groups:</p><table>")
        self.w('<tr><th class="n">×</th><th>error</th><th>failures</th></tr>')
        for group in groups:
            names = failure_names(group.findings, self.named, MAX_NAMES)
            headline = failure_headline(group.first.failure)
            self.w(
                f'<tr><td class="n">{len(group.findings)}</td>'
                f"<td><code>{escape(headline)}</code></td><td>{escape(names)}</td></tr>"
            )
        self.w("</table>")

    def unread(self) -> None:
        """The failures a runner counted that were not read, and where they may be."""
        line = unread_line(self.r)
        if line is None:
            return
        self.w(f'<p class="warn"><b>{escape(line)}.</b> Where they may be:</p><ul>')
        for region in unread_regions(self.r):
            self.w(
                f"<li><code>{escape(self.short(region.origin))}</code>: "
                f"{escape(self.short(region.why))}</li>"
            )
        self.w("</ul>")

    def remedies(self) -> None:
        """What the checks that failed or warn ask for, before the table of every check."""
        bad = [c for c in self.r.checks if c.status != "ok" and c.remedy]
        if not bad:
            return
        self.w("<h2>What to fix</h2><ul>")
        for c in sorted(bad, key=lambda c: c.status != "fail"):
            mark, cls = CHECK[c.status]
            self.w(
                f'<li><span class="{cls}">{mark}</span> {escape(c.section)}, {escape(c.name)}: '
                f"{escape(c.remedy)}</li>"
            )
        self.w("</ul>")

    def fixes(self) -> None:
        plan = fix_plan(self.r)
        if not plan:
            return
        self.w("<h2>Fix plan</h2><table>")
        self.w(
            '<tr><th class="n">#</th><th class="n">resolves</th><th>pattern</th><th>fix</th>'
            "<th>failures</th></tr>"
        )
        for fix in plan:
            where = ", ".join(
                _origin(self.short(f.failure.origin or f.failure.name))
                + (" (flaky)" if history_tag(f) == "flaky" else "")
                for f in fix.findings
            )
            new = sum(1 for f in fix.findings if history_tag(f) == "new")
            resolves = f"{fix.size} ({new} new)" if new else str(fix.size)
            self.w(
                f'<tr><td class="n">{fix.rank}</td><td class="n">{resolves}</td>'
                f"<td>{fix.number} <code>{escape(fix.pattern_id)}</code></td>"
                f"<td>{escape(fix.remediation)}</td><td>{where}</td></tr>"
            )
        self.w("</table>")

    def unclassified(self) -> None:
        """The failures no pattern claims: by cluster (biggest first) when triage made them."""
        if not self.r.unclassified:
            return
        clusters = cluster_views(self.r)
        clustered = bool(clusters_of(self.r))
        n = len(self.r.unclassified)
        by = f" in {len(clusters)} clusters" if clustered and len(clusters) < n else ""
        self.w(f'<h2 id="unclassified">Unclassified ({n}{by})</h2>')
        if clustered:
            self.w(
                "<p>Clusters by size; a starter pattern from one: "
                "<code>poolctl patterns new --from LOG --cluster ID</code>.</p><table>"
            )
            self.w(
                '<tr><th>cluster</th><th class="n">×</th><th>error</th><th>failures</th>'
                "<th>nearest pattern</th><th>why not</th></tr>"
            )
        else:
            self.w(
                "<table><tr><th>failure</th><th>where</th><th>error</th>"
                "<th>nearest pattern</th><th>why not</th></tr>"
            )
        for cluster in clusters[:MAX_CLUSTERS]:
            u = unclassified(cluster.first)
            f = cluster.first.failure
            nearest = f"<code>{escape(u.nearest)}</code> ({u.score:.2f})" if u.nearest else "none"
            why = escape(self.short(u.why))
            if not clustered:
                self.w(
                    f"<tr><td>{escape(shown_label(f))}</td><td>{_origin(self.short(f.origin))}"
                    f"</td><td><code>{escape(failure_headline(f))}</code></td><td>{nearest}</td>"
                    f"<td>{why}</td></tr>"
                )
                continue
            headline = (
                failure_headline(f) if len(cluster.findings) == 1 else cluster_headline(cluster)
            )
            names = failure_names(cluster.findings, self.named, MAX_NAMES)
            self.w(
                f"<tr><td><code>{escape(cluster.id or '')}</code></td>"
                f'<td class="n">{len(cluster.findings)}</td><td><code>{escape(headline)}</code>'
                f"</td><td>{escape(names)}</td><td>{nearest}</td><td>{why}</td></tr>"
            )
        self.w("</table>")
        if len(clusters) > MAX_CLUSTERS:
            self.w(f"<p>… {len(clusters) - MAX_CLUSTERS} more clusters in report.json.</p>")

    def checks(self) -> None:
        if not self.r.checks:
            return
        self.w("<h2>Checks</h2><table>")
        self.w("<tr><th></th><th>section</th><th>check</th><th>result</th><th>remedy</th></tr>")
        for c in self.r.checks:
            mark, cls = CHECK[c.status]
            self.w(
                f'<tr><td class="{cls}">{mark}</td><td>{escape(c.section)}</td>'
                f"<td>{escape(c.name)}</td><td>{escape(c.summary)}</td>"
                f"<td>{escape(c.remedy)}</td></tr>"
            )
            if c.evidence and c.status != "ok":
                table = _evidence_table(c.evidence, self.short)
                self.w(f'<tr><td></td><td colspan="4">{table}</td></tr>')
        self.w("</table>")

    def notes(self) -> None:
        details = detail_rows(self.r)
        if not self.r.notes and not details:
            return
        self.w("<h2>Notes</h2>")
        if self.r.notes:
            self.w("<ul>")
            for note in dict.fromkeys(self.r.notes):  # each once
                self.w(f"<li>{escape(self.short(note))}</li>")
            self.w("</ul>")
        if details:  # folded, as in Markdown: the run's settings, not its verdict
            self.w(f"<details><summary>Run details ({len(details)})</summary><ul>")
            for key, value in details:
                cut = f"… ({len(value):,} characters)"
                shown = value if len(value) <= 2000 else value[:2000] + cut
                self.w(f"<li><code>{escape(key)}</code>: {escape(shown)}</li>")
            self.w("</ul></details>")

    def appendix(self) -> None:
        items = tracebacks(self.r)
        if not items:
            return
        self.w(f"<h2>Appendix: worker tracebacks in the log ({len(items)})</h2>")
        for item in items:
            title = escape(item.exception or "traceback")
            self.w(
                f"<details><summary>{title} ({_origin(self.short(item.origin))})</summary>"
                f"<pre>{escape(item.text)}</pre></details>"
            )


class HtmlWriter:
    """The whole report as one self-contained HTML page (several runs, one after another);
    with `links`, each test's `file:line` links to the commit under test."""

    def __init__(self, links: RepoLinks | None = None) -> None:
        self.links = links

    def render(self, report: Report) -> str:
        runs = split(report)
        body = "\n<hr>\n".join(_Doc(run, self.links).render() for run in runs)
        return page(f"poolctl {report.kind}: {report.title}", body)
