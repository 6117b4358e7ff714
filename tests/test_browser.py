"""The pictures in a real browser: headless Chromium (tests/chromium.py) opens every bundled
scenario's `timeline.html`, a silent worker's from `ping` and from `doctor`, the triage HTML and
`poolctl report --format html` of every kind, straight from disk.

Each page must not be blank (its screenshot's pixels vary), must hold every worker's lane and
every timeout marker, the queue and the deciding event, and must make no request but for
itself. The screenshots are kept beside each page, in the test's run folders (under pytest's
`tmp_path`, kept for the last runs): `<run folder>/timeline.png`, `<run folder>/report.png`.
Skipped, with the reason, where Chromium is not installed (`.ci/run` installs it).

The browser and the runs are shared by the module's tests (`module_processes`), so under xdist
each worker process has its own: its own profile and run folders, under its own temporary
directory. A run is made when a test first opens it, so each worker runs only the scenarios its
tests look at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from poolctl.cli import main
from poolctl.model import Report, ScenarioDetails
from poolctl.report.html import timeline_page
from poolctl.report.replay import read_events
from poolctl.report.timeline import build_timeline
from poolctl.scenario import bundled_scenarios
from tests.chromium import Chromium, Page, find_chromium
from tests.conftest import REFERENCE, Processes
from tests.test_pictures import busy_pool

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
SCENARIOS = {p.stem: p for p in bundled_scenarios()}
BUNDLED = sorted(SCENARIOS)
SEVERAL = ("p3-checkout-timeout", "p1-worker-killed", "healthy")  # combined in one page
EXUNIT = Path(__file__).parent / "fixtures" / "exunit" / "pool_suite.log"
MERMAID = Path(__file__).parent / "mermaid" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"


@pytest.fixture(scope="module")
def browser(
    module_processes: Processes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Chromium]:
    assert CHROMIUM is not None
    profile = tmp_path_factory.mktemp("chromium-profile")
    with Chromium(CHROMIUM, width=1400, profile=profile, popen=module_processes.popen) as chromium:
        yield chromium


class Runs:
    """The run folders the tests open, each made on first use: a bundled scenario by its name,
    and `ping` or `doctor` of a worker whose stdout is block-buffered (both diagnose it)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.made: dict[str, Path] = {}

    def scenario(self, name: str) -> Path:
        argv = ["run-scenario", "-q", str(SCENARIOS[name]), "-f", "json", "-o", os.devnull]
        return self._run(name, argv, expected=0)

    def silent(self, kind: str) -> Path:
        # 2 s: a fresh process has read the request by then, even on a loaded machine (had it
        # not, the diagnosis would rightly say "still starting" and run no experiment)
        quiet = ["-f", "json", "-o", os.devnull, "--unset-env", "PYTHONUNBUFFERED"]
        argv = [kind, "--timeout", "2", *quiet, "--", *REFERENCE, "--buffered"]
        return self._run(f"silent-{kind}", argv, expected=1)

    def _run(self, key: str, argv: list[str], expected: int) -> Path:
        if key not in self.made:
            folder = self.base / key
            with pytest.MonkeyPatch.context() as mp:
                mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
                code = main([*argv[:1], "--run-dir", str(folder), *argv[1:]])
            assert code == expected, f"poolctl {' '.join(argv)} exited {code}"
            self.made[key] = folder
        return self.made[key]


@pytest.fixture(scope="module")
def runs(module_processes: Processes, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory.mktemp("runs"))


def not_blank(png: Path) -> None:
    """Raises when the screenshot is one colour (or nearly): nothing was drawn."""
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        spread = max(ImageStat.Stat(rgb).stddev)
        colours = rgb.getcolors(maxcolors=1 << 16)
    assert spread > 15, f"{png}: pixels barely vary (stddev {spread:.1f})"
    assert colours is None or len(colours) > 16, f"{png}: {len(colours)} colours"


def offsite(page: Page, path: Path) -> list[str]:
    """Every request the page made but for itself (none is allowed)."""
    return [url for url in page.requests() if url != path.resolve().as_uri()]


def look(browser: Chromium, path: Path, png: Path) -> Page:
    """Open `path`, keep its screenshot as `png`; it must not be blank nor reach out."""
    page = browser.open(path)
    not_blank(page.screenshot(png))
    assert offsite(page, path) == []
    return page


def count(page: Page, selector: str, attribute: str = "") -> int:
    """How many elements match (with `attribute`: the sum of that number on each)."""
    if not attribute:
        return int(page.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length"))
    js = (
        f"[...document.querySelectorAll({json.dumps(selector)})]"
        f".reduce((n, e) => n + Number(e.getAttribute({json.dumps(attribute)})), 0)"
    )
    return int(page.evaluate(js))


def events_of(folder: Path) -> list[dict[str, Any]]:
    return read_events((folder / "events.jsonl").read_text())


def check_timeline(page: Page, folder: Path) -> None:
    """Every worker's lane, the queue, every timeout marker and the deciding event are there."""
    events = events_of(folder)
    doc = json.loads((folder / "report.json").read_text())
    timeline = doc["extra"]["timeline"]
    for worker in {e["worker"] for e in events if e["type"] == "spawn"}:
        assert count(page, f'g.lane[data-lane="{worker}"]') == 1, worker
    has_queue = any(e["type"] == "checkout_requested" for e in events)
    assert count(page, 'g.lane[data-lane="queue"]') == (1 if has_queue else 0)
    timeouts = sum(1 for e in events if e["type"] == "checkout_timeout")
    assert count(page, ".mark.m-timeout", "data-count") == timeouts
    assert count(page, ".mark.m-timeout") == timeouts  # few: one marker each
    banner = page.evaluate("document.querySelector('.banner').innerText")
    deciding = timeline["deciding"]
    if not timeline["pattern"]:  # a healthy run: nothing to decide
        assert deciding is None and count(page, ".mark.deciding") == 0
        assert "No pattern" in banner
        return
    assert timeline["pattern"].split(" — ")[0] in banner and deciding is not None
    found = page.evaluate("document.querySelector('.mark.deciding').getAttribute('data-seq')")
    assert int(found) == deciding["seq"] and count(page, ".guide.deciding") == 1


# --- every bundled scenario ---------------------------------------------------------------------
@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_timeline_renders(runs: Runs, browser: Chromium, name: str) -> None:
    folder = runs.scenario(name)
    page = look(browser, folder / "timeline.html", folder / "timeline.png")
    check_timeline(page, folder)
    doc = json.loads((folder / "report.json").read_text())
    for worker in doc["extra"]["workers"]:
        assert count(page, f'[data-lane="{worker["id"]}"]') >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1400, "it must read at 1400 px without scrolling sideways"
    # the verdict once: the report's title ends with it ('scenario healthy: passed: passed')
    heading = page.evaluate("document.querySelector('h1').innerText")
    assert heading == f"Timeline · {doc['title']}", heading


def test_p3_tells_its_story(runs: Runs, browser: Chromium) -> None:
    """6 callers, 2 workers still starting, the checkouts timing out: all of it on the page."""
    folder = runs.scenario("p3-checkout-timeout")
    page = browser.open(folder / "timeline.html")
    assert count(page, '[data-lane="queue"] rect.s-timeout') == 6
    assert count(page, '[data-lane="w1"] rect.s-init') == 1
    assert count(page, '[data-lane="w2"] rect.s-init') == 1
    assert count(page, ".mark.deciding .halo") == 1
    titles = page.evaluate(
        "[...document.querySelectorAll('.mark.m-timeout title')].map(t => t.textContent)"
    )
    assert all("waited" in t and "starting 2" in t for t in titles)


# --- a silent worker, from ping and from doctor ---------------------------------------------------
@pytest.mark.parametrize("kind", ["ping", "doctor"])
def test_a_diagnosed_silent_worker_has_a_timeline(runs: Runs, browser: Chromium, kind: str) -> None:
    folder = runs.silent(kind)
    page = look(browser, folder / "timeline.html", folder / "timeline.png")
    check_timeline(page, folder)
    assert count(page, "g.lane.experiment") >= 1  # side by side, each in its lane
    assert count(page, ".mark.m-request") == 1 and count(page, ".mark.m-no-answer") >= 1
    assert count(page, ".mark.m-verdict") == 1
    silence = page.evaluate("document.querySelector('.mark.deciding title').textContent")
    assert "no answer" in silence and "read 0 B" in silence


# --- the HTML report ------------------------------------------------------------------------------
def test_triage_html_in_the_browser(tmp_path: Path, browser: Chromium) -> None:
    run, out = tmp_path / "run", tmp_path / "run" / "report.html"
    code = main(["triage", str(EXUNIT), "-f", "html", "-o", str(out), "--run-dir", str(run)])
    assert code == 1
    page = look(browser, out, run / "report.png")
    doc = json.loads((run / "report.json").read_text())
    for pattern, n in doc["summary"]["by_pattern"].items():
        assert count(page, f'rect.bar[data-pattern="{pattern}"]', "data-count") == n
    assert count(page, "rect.bar.unclassified", "data-count") == doc["summary"]["unclassified"]
    lines = page.evaluate("[...document.querySelectorAll('b.ln')].map(b => b.textContent)")
    assert len(lines) > doc["summary"]["failures"] and all(s[0].isdigit() for s in lines)
    assert count(page, "svg.timeline") == 0


def test_report_format_html_of_every_kind(runs: Runs, tmp_path: Path, browser: Chromium) -> None:
    triage = tmp_path / "triage"
    assert (
        main(["triage", str(EXUNIT), "-f", "json", "-o", os.devnull, "--run-dir", str(triage)]) == 1
    )
    folders = {
        "scenario": runs.scenario("p3-checkout-timeout"),
        "ping": runs.silent("ping"),
        "doctor": runs.silent("doctor"),
        "triage": triage,
    }
    for kind, folder in folders.items():
        out = folder / "report.html"
        assert main(["report", str(folder), "-f", "html", "-o", str(out)]) == 0
        page = look(browser, out, folder / "report.png")
        title = page.evaluate("document.querySelector('h1').innerText")
        if kind == "scenario":  # the title says passed, failed or interrupted
            assert title == "Scenario p3-checkout-timeout: passed", title
        else:
            assert title.startswith(f"poolctl {kind}:"), title
        # verdict first: the summary, then the fix, then what backs it
        headings = page.evaluate("[...document.querySelectorAll('h2')].map(h => h.innerText)")
        assert headings[0] in ("Fix plan", "What to fix"), (kind, headings)
        summary = "document.querySelector('p.summary').compareDocumentPosition"
        assert page.evaluate(f"{summary}(document.querySelector('h2')) & 4") == 4, kind
        timelines = count(page, "svg.timeline")
        assert timelines == (0 if kind == "triage" else 1), kind
        if kind == "doctor":
            assert count(page, "tr td.fail") >= 1  # its checks, marked


def test_several_runs_as_one_html_page(runs: Runs, tmp_path: Path, browser: Chromium) -> None:
    folders = [str(runs.scenario(name)) for name in SEVERAL]
    out = tmp_path / "runs.html"
    assert main(["report", *folders, "-f", "html", "-o", str(out)]) == 0
    page = look(browser, out, tmp_path / "runs.png")
    assert count(page, "svg.timeline") == len(SEVERAL)


# --- size, and the checks themselves -----------------------------------------------------------
def test_16_workers_and_10000_requests_stay_small_in_the_browser(
    tmp_path: Path, browser: Chromium
) -> None:
    events = busy_pool()
    timeline = build_timeline(events)
    details = ScenarioDetails("scale", timeline=timeline)
    path = tmp_path / "timeline.html"
    path.write_text(timeline_page(Report(kind="scenario", title="scenario scale", details=details)))
    page = look(browser, path, tmp_path / "timeline.png")
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    assert nodes < 5000, nodes
    for worker in {e["worker"] for e in events if e["type"] == "spawn"}:
        assert count(page, f'g.lane[data-lane="{worker}"]') == 1
    timeouts = sum(1 for e in events if e["type"] == "checkout_timeout")
    assert count(page, ".mark.m-timeout", "data-count") == timeouts
    assert count(page, ".mark.m-timeout") < timeouts  # folded, yet every one counted


def test_the_checks_can_fail(tmp_path: Path, browser: Chromium) -> None:
    """A page that fetches something, and a blank one, are caught."""
    leaky = tmp_path / "leaky.html"  # a picture beside it on disk: no network needed to see it
    leaky.write_text('<!doctype html><p>x</p><img src="pixel.png">')
    page = browser.open(leaky)
    assert page.requested((tmp_path / "pixel.png").as_uri())
    assert offsite(page, leaky) == [(tmp_path / "pixel.png").as_uri()]
    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><body style='background:#fff'></body>")
    shot = browser.open(blank).screenshot(tmp_path / "blank.png")
    with pytest.raises(AssertionError, match="barely vary"):
        not_blank(shot)


@pytest.mark.skipif(
    not MERMAID.exists(), reason="mermaid is not installed (npm ci --prefix tests/mermaid)"
)
def test_mermaid_draws_the_markdown_chart(runs: Runs, tmp_path: Path, browser: Chromium) -> None:
    """The chart of the Markdown report, drawn by Mermaid itself (GitHub draws it so)."""
    charts = []
    for name in SEVERAL:
        md = (runs.scenario(name) / "report.md").read_text()
        charts.append(md.split("```mermaid\n", 1)[1].split("\n```", 1)[0])
    from poolctl.report.mermaid import gantt

    charts.append(gantt(build_timeline(busy_pool()), "scenario scale")[0])
    page_path = tmp_path / "mermaid.html"
    page_path.write_text(
        f'<!doctype html><body><div id="out"></div><script src="{MERMAID.as_uri()}"></script>'
    )
    page = browser.open(page_path)
    page.evaluate("mermaid.initialize({startOnLoad: false})")
    for n, chart in enumerate(charts):
        result = page.evaluate(
            f"mermaid.render('chart{n}', {json.dumps(chart)}).then("
            "r => { document.getElementById('out').innerHTML += r.svg; return 'ok'; },"
            " e => 'error: ' + (e && e.message || e))"
        )
        assert result == "ok", f"{result}\n{chart}"
    not_blank(page.screenshot(tmp_path / "mermaid.png"))
