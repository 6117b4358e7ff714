"""A browser-driving MCP server whose tool fails because it cannot start a browser: no Chrome or
Chromium where it looks (@playwright/mcp 0.0.83: `Chromium distribution 'chrome' is not found
at /opt/google/chrome/chrome`; @modelcontextprotocol/server-puppeteer 2025.5.12: `Could not
find Chrome (ver. 131.0.6778.204)`, its npm install having downloaded none; chrome-devtools-mcp
1.11.0: `Could not find Google Chrome executable for channel 'stable' at: - /opt/google/chrome/
chrome.`), or one that Chromium's sandbox keeps from starting as root (`Running as root without
--no-sandbox is not supported`, Playwright's `Chromium sandboxing failed!`, chrome-devtools-mcp's
`… is running as root and Chrome does not start as root`). The finding says what is missing,
whether a Chromium lies on the worker's PATH, and how to point that server at it: Playwright's
`--executable-path` or chrome-devtools-mcp's `--executablePath` in `worker.command`, Puppeteer's
PUPPETEER_LAUNCH_OPTIONS in `worker.env`, or the variable the server's own code reads the
browser's path from (browser_variable)."""

from __future__ import annotations

import json
import os
import re
import shutil

from poolctl.scenario.browser_variable import BrowserVariable, browser_variable
from poolctl.worker_types import WorkerSpec

# what each server's error says it looked for, and the words for what is missing
_MISSING = (
    (
        re.compile(
            r"Could not find Google Chrome executable for channel '(?P<what>[\w-]+)' at:"
            r"\s*-\s*(?P<path>/\S+?)\.?(?=\s|$)"
        ),
        "its '{what}' Chrome is not at {path}",
    ),
    (
        re.compile(r"Chromium distribution '(?P<what>[\w-]+)' is not found at (?P<path>\S+)"),
        "its '{what}' browser is not at {path}",
    ),
    (re.compile(r"Executable doesn't exist at (?P<path>\S+)"), "its browser is not at {path}"),
    (
        re.compile(r"Could not find (?P<what>Chrome(?: \(ver\. [\d.]+\))?)"),
        "{what} is not in its download cache",
    ),
    (
        re.compile(r"Browser was not found at the configured executablePath \((?P<path>[^)]*)\)"),
        "the executablePath it was given ({path}) is not there",
    ),
)
_SANDBOX = re.compile(
    r"Running as root without --no-sandbox is not supported|Chromium sandboxing failed!"
    r"|No usable sandbox!|Chrome does not start as root"
)
# the programs Debian's and Google's packages install, as a browser server would be given one
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def browser_hint(error: str, spec: WorkerSpec) -> str:
    """What the finding adds when the tool failed for want of a browser it can start ("" when
    the error says no such thing)."""
    server = _server(error, spec)
    missing = next(
        (words.format(**m.groupdict()) for p, words in _MISSING if (m := p.search(error))), None
    )
    if missing is not None:
        said = f"; the server found no browser to start: {missing}"
        point_at = browser_variable(spec) or server  # the variable its code reads, if any
        found = _found(spec)
        if found is None:
            return (
                f"{said}, and no Chrome or Chromium is on the worker's PATH: install one (on "
                f"Debian, `apt-get install chromium`), then {_point(point_at, '/usr/bin/chromium')}"
            )
        return f"{said}; a Chromium is installed here, {found} (on the worker's PATH): " + _point(
            point_at, found
        )
    if _SANDBOX.search(error) is not None:
        return (
            "; the browser refused to start with its sandbox (Chromium's sandbox refuses a "
            f"process run as root): {_no_sandbox(server)}"
        )
    return ""


def _server(error: str, spec: WorkerSpec) -> str:
    """Which server's options the fix names: "chrome-devtools", "playwright", "puppeteer", or
    "" (unknown)."""
    said = " ".join(spec.argv) + " " + error
    if "chrome-devtools-mcp" in said:
        return "chrome-devtools"
    if "playwright" in said.lower():
        return "playwright"
    return "puppeteer" if "puppeteer" in said.lower() else ""


def _found(spec: WorkerSpec) -> str | None:
    path = spec.environment().get("PATH", os.defpath)
    return next((hit for name in _BROWSERS if (hit := shutil.which(name, path=path))), None)


def _as_root() -> bool:
    return os.geteuid() == 0


def _point(server: str | BrowserVariable, browser: str) -> str:
    """How to start `server` on `browser`, and as root without Chromium's sandbox."""
    if isinstance(server, BrowserVariable):
        return (
            f"set {server.name}={browser} in the scenario's `worker.env`: the server's code takes "
            f"its browser's path from that variable ({server.where}); and where its tool takes "
            "`headless`, give it `headless: true` in the request's arguments, unless the worker "
            "has a display: a headed browser needs one (untested here)"
        )
    if server == "chrome-devtools":
        fix = f"start the server with `--executablePath {browser} --headless --isolated` in the "
        fix += "scenario's `worker.command` (headless: a pool's worker has no display; isolated: "
        fix += "each worker's browser a profile of its own, which one browser holds at a time)"
        return fix + (
            " and `--chromeArg=--no-sandbox` (Chromium refuses its sandbox as root)" * _as_root()
        )
    if server == "playwright":
        fix = f"start the server with `--executable-path {browser}` in the scenario's "
        fix += "`worker.command`"
        return fix + (" and `--no-sandbox` (Chromium refuses its sandbox as root)" * _as_root())
    if server == "puppeteer":
        options: dict[str, object] = {"executablePath": browser, "headless": True}
        if _as_root():
            options["args"] = ["--no-sandbox"]
        fix = f"set PUPPETEER_LAUNCH_OPTIONS='{json.dumps(options)}' in the scenario's "
        fix += "`worker.env` (headless: a pool's worker has no display)"
        if _as_root():
            fix += (
                ", with ALLOW_DANGEROUS=true: as root Chromium refuses its sandbox, and the "
                "server refuses `--no-sandbox` without it"
            )
        return fix
    return f"give the server {browser} as its browser (its option or environment variable)"


def _no_sandbox(server: str) -> str:
    if server == "chrome-devtools":
        return "start the server with `--chromeArg=--no-sandbox` in the scenario's `worker.command`"
    if server == "playwright":
        return "start the server with `--no-sandbox` in the scenario's `worker.command`"
    if server == "puppeteer":
        return (
            'add `"args": ["--no-sandbox"]` to PUPPETEER_LAUNCH_OPTIONS in the scenario\'s '
            "`worker.env`, with ALLOW_DANGEROUS=true (the server refuses `--no-sandbox` "
            "without it)"
        )
    return "start the browser with `--no-sandbox`, or the server as another user than root"
