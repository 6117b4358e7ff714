"""MCP servers that drive a browser, their tool call failing for want of one: @playwright/mcp
0.0.83 looks for Chrome at /opt/google/chrome/chrome (`Chromium distribution 'chrome' is not
found at …`), @modelcontextprotocol/server-puppeteer 2025.5.12 in the download cache its npm
install could not fill (`Could not find Chrome (ver. 131.0.6778.204)`; installed with
PUPPETEER_SKIP_DOWNLOAD=1 by `make peers`). The finding was unclassified with the error alone.
It says what is missing and how to point that server at a browser: with no Chromium on the
worker's PATH, to install one; with Debian's chromium there, the option or environment that
names it, which, given so, makes the same tool call pass."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

PLAYWRIGHT = REPO / ".peers/alone/@playwright/mcp/node_modules/.bin/playwright-mcp"
PUPPETEER = (
    REPO / ".peers/alone/@modelcontextprotocol/server-puppeteer/node_modules/.bin"
    "/mcp-server-puppeteer"
)
# its command is `playwright-mcp-server`; its code reads CHROME_EXECUTABLE_PATH, no option
EXECUTEAUTOMATION = (
    REPO / ".peers/alone/@executeautomation/playwright-mcp-server/node_modules/.bin"
    "/playwright-mcp-server"
)
CHROME_DEVTOOLS = REPO / ".peers/alone/chrome-devtools-mcp/node_modules/.bin/chrome-devtools-mcp"
CHROMIUM = shutil.which("chromium")
ROOT = os.geteuid() == 0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    # where Google's Chrome is installed, @playwright/mcp finds it and nothing fails
    pytest.mark.skipif(Path("/opt/google/chrome/chrome").exists(), reason="Chrome is installed"),
]
needs_playwright = pytest.mark.skipif(
    not PLAYWRIGHT.exists(), reason="@playwright/mcp is missing: run `make peers` (npm)"
)
needs_puppeteer = pytest.mark.skipif(
    not PUPPETEER.exists(), reason="server-puppeteer is missing: run `make peers` (npm)"
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (Debian: `apt-get install chromium`)"
)


def run(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: list[str],
    tool: str,
    env: dict[str, str] | None = None,
    arguments: str = "",
) -> tuple[int, dict[str, Any]]:
    """One tools/call of `tool` (to about:blank, with `arguments` more) on a pool of one
    server."""
    path = tmp_path / "browser.yaml"
    worker = {
        "command": command,
        "protocol": "mcp",
        "init_timeout": 30,
        "env": env or {},
        "cwd": str(tmp_path),  # playwright-mcp writes its page snapshots there
    }
    path.write_text(
        "name: browser-mcp\n"
        f"worker: {json.dumps(worker)}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 60, "
        "request_timeout: 60}\n"
        "steps:\n"
        "  - request:\n"
        "      command: tools/call\n"
        f'      args: {{name: {tool}, arguments: {{url: "about:blank"{arguments}}}}}\n'
        "      count: 1\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    return code, json.loads(capsys.readouterr()[0])


def only_node(tmp_path: Path) -> str:
    """A PATH that holds node alone: no browser on it, wherever one is installed."""
    folder = tmp_path / "bin"
    folder.mkdir()
    node = shutil.which("node")
    assert node is not None
    (folder / "node").symlink_to(node)
    return str(folder)


def why(report: dict[str, Any]) -> str:
    [finding] = report["findings"]
    assert finding["outcome"]["type"] == "unclassified", finding
    return str(finding["outcome"]["why"])


@needs_playwright
def test_playwright_with_no_browser_on_its_path_is_told_to_install_one(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    env = {"PATH": only_node(tmp_path)}
    code, report = run(capsys, tmp_path, [str(PLAYWRIGHT)], "browser_navigate", env)
    assert code == 1, report
    said = why(report)
    assert (
        "; the server found no browser to start: its 'chrome' browser is not at "
        "/opt/google/chrome/chrome, and no Chrome or Chromium is on the worker's PATH: install "
        "one (on Debian, `apt-get install chromium`), then start the server with "
        "`--executable-path /usr/bin/chromium` in the scenario's `worker.command`"
    ) in said, said


@needs_playwright
@needs_chromium
def test_playwright_is_pointed_at_the_chromium_installed_here(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    code, report = run(capsys, tmp_path, [str(PLAYWRIGHT)], "browser_navigate")
    assert code == 1, report
    said = why(report)
    fix = f"start the server with `--executable-path {CHROMIUM}` in the scenario's `worker.command`"
    assert f"; a Chromium is installed here, {CHROMIUM} (on the worker's PATH): {fix}" in said
    options = ["--executable-path", str(CHROMIUM)] + (["--no-sandbox"] if ROOT else [])
    assert ("and `--no-sandbox`" in said) is ROOT, said
    code, report = run(capsys, tmp_path, [str(PLAYWRIGHT), *options], "browser_navigate")
    assert code == 0, report  # the fix as said: the same tool call passes


@needs_puppeteer
def test_puppeteer_with_no_browser_on_its_path_is_told_to_install_one(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    env = {"PATH": only_node(tmp_path)}
    code, report = run(capsys, tmp_path, [str(PUPPETEER)], "puppeteer_navigate", env)
    assert code == 1, report
    said = why(report)
    assert "; the server found no browser to start: Chrome (ver. " in said, said
    assert (
        "is not in its download cache, and no Chrome or Chromium is on the worker's PATH: "
        "install one (on Debian, `apt-get install chromium`), then set "
        """PUPPETEER_LAUNCH_OPTIONS='{"executablePath": "/usr/bin/chromium", "headless": true"""
    ) in said, said


@needs_puppeteer
@needs_chromium
def test_puppeteer_is_pointed_at_the_chromium_installed_here(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    code, report = run(capsys, tmp_path, [str(PUPPETEER)], "puppeteer_navigate")
    assert code == 1, report
    said = why(report)
    options: dict[str, Any] = {"executablePath": CHROMIUM, "headless": True}
    env = {"PUPPETEER_LAUNCH_OPTIONS": json.dumps(options)}
    if ROOT:
        options["args"] = ["--no-sandbox"]
        env = {"PUPPETEER_LAUNCH_OPTIONS": json.dumps(options), "ALLOW_DANGEROUS": "true"}
        assert "with ALLOW_DANGEROUS=true" in said, said
    assert f"set PUPPETEER_LAUNCH_OPTIONS='{json.dumps(options)}' in the scenario's" in said, said
    code, report = run(capsys, tmp_path, [str(PUPPETEER)], "puppeteer_navigate", env)
    assert code == 0, report  # the fix as said: the same tool call passes


@pytest.mark.skipif(
    not EXECUTEAUTOMATION.exists(),
    reason="@executeautomation/playwright-mcp-server is missing: run `make peers` (npm)",
)
@needs_chromium
def test_a_server_whose_code_reads_its_browser_from_a_variable_is_told_that_variable(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@executeautomation/playwright-mcp-server 1.0.12 (npm) finds no browser in Playwright's
    download cache (`Executable doesn't exist at /root/.cache/ms-playwright/…`; its own attempt
    to download one fails offline): it was told to start the server with `--executable-path`,
    an option it does not have (@playwright/mcp's). Its code launches Chromium with
    `executablePath: process.env.CHROME_EXECUTABLE_PATH`: that variable is named, with where,
    and, given so with `headless: true`, the same tool call passes."""
    # it writes its log and looks for browsers under HOME; its try to download one runs npx,
    # which must not fetch Playwright's package meanwhile
    env = {"HOME": str(tmp_path), "npm_config_yes": "false", "npm_config_update_notifier": "false"}
    code, report = run(capsys, tmp_path, [str(EXECUTEAUTOMATION)], "playwright_navigate", env)
    assert code == 1, report
    said = why(report)
    assert (
        f"; a Chromium is installed here, {CHROMIUM} (on the worker's PATH): set "
        f"CHROME_EXECUTABLE_PATH={CHROMIUM} in the scenario's `worker.env`: the server's code "
        "takes its browser's path from that variable (dist/toolHandler.js:199); and where its "
        "tool takes `headless`, give it `headless: true` in the request's arguments"
    ) in said, said
    assert "--executable-path" not in said, said
    env["CHROME_EXECUTABLE_PATH"] = str(CHROMIUM)
    tool = "playwright_navigate"
    code, report = run(capsys, tmp_path, [str(EXECUTEAUTOMATION)], tool, env, ", headless: true")
    assert code == 0, report  # the fix as said: the same tool call passes


needs_chrome_devtools = pytest.mark.skipif(
    not CHROME_DEVTOOLS.exists(), reason="chrome-devtools-mcp is missing: run `make peers` (npm)"
)


@needs_chrome_devtools
def test_chrome_devtools_with_no_browser_on_its_path_is_told_to_install_one(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """chrome-devtools-mcp 1.11.0 (npm) looks for Google Chrome's stable channel alone: its
    new_page answered `Could not find Google Chrome executable for channel 'stable' at: -
    /opt/google/chrome/chrome.`, and the finding was unclassified with the error alone."""
    env = {"PATH": only_node(tmp_path), "HOME": str(tmp_path)}
    code, report = run(capsys, tmp_path, [str(CHROME_DEVTOOLS)], "new_page", env)
    assert code == 1, report
    said = why(report)
    assert (
        "; the server found no browser to start: its 'stable' Chrome is not at "
        "/opt/google/chrome/chrome, and no Chrome or Chromium is on the worker's PATH: install "
        "one (on Debian, `apt-get install chromium`), then start the server with "
        "`--executablePath /usr/bin/chromium --headless --isolated` in the scenario's "
        "`worker.command`"
    ) in said, said


@needs_chrome_devtools
@needs_chromium
def test_chrome_devtools_is_pointed_at_the_chromium_installed_here(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    env = {"HOME": str(tmp_path)}  # where it keeps its browser's profile unless --isolated
    code, report = run(capsys, tmp_path, [str(CHROME_DEVTOOLS)], "new_page", env)
    assert code == 1, report
    said = why(report)
    fix = (
        f"start the server with `--executablePath {CHROMIUM} --headless --isolated` in the "
        "scenario's `worker.command`"
    )
    assert f"; a Chromium is installed here, {CHROMIUM} (on the worker's PATH): {fix}" in said
    assert ("and `--chromeArg=--no-sandbox`" in said) is ROOT, said
    options = ["--executablePath", str(CHROMIUM), "--headless", "--isolated"]
    if ROOT:
        # the browser found, its sandbox refused: the server's own words, told that option alone
        command = [str(CHROME_DEVTOOLS), *options]
        code, report = run(capsys, tmp_path, command, "new_page", env)
        assert code == 1, report
        said = why(report)
        assert "; the browser refused to start with its sandbox" in said, said
        assert "start the server with `--chromeArg=--no-sandbox`" in said, said
        options.append("--chromeArg=--no-sandbox")
    code, report = run(capsys, tmp_path, [str(CHROME_DEVTOOLS), *options], "new_page", env)
    assert code == 0, report  # the fix as said: the same tool call passes


@needs_chrome_devtools
@needs_chromium
def test_chrome_devtools_workers_sharing_a_browser_profile_are_told_its_option(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """Two workers of chrome-devtools-mcp 1.11.0 without `--isolated` keep their browsers' one
    profile under HOME: the second's new_page answered `The browser is already running for
    …/chrome-profile. Use --isolated to run multiple browser instances.`, unclassified with
    the option unsaid. It is named, for `worker.command`; so given, both calls pass."""
    command = [str(CHROME_DEVTOOLS), "--executablePath", str(CHROMIUM), "--headless"]
    command += ["--chromeArg=--no-sandbox"] * ROOT

    def pool_of_two(command: list[str]) -> tuple[int, dict[str, Any]]:
        path = tmp_path / "two.yaml"
        worker = {"command": command, "protocol": "mcp", "init_timeout": 30}
        worker["env"] = {"HOME": str(tmp_path)}
        path.write_text(
            "name: two-browsers\n"
            f"worker: {json.dumps(worker)}\n"
            "pool: {size: 2, max_overflow: 0, lazy: false, checkout_timeout: 60, "
            "request_timeout: 60}\n"
            "steps:\n"
            "  - request:\n"
            "      command: tools/call\n"
            '      args: {name: new_page, arguments: {url: "about:blank"}}\n'
            "      count: 2\n"
            "      concurrency: 2\n"  # one call on each worker, each starting its browser
        )
        code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
        return code, json.loads(capsys.readouterr()[0])

    code, report = pool_of_two(command)
    assert code == 1, report
    said = why(report)
    assert "The browser is already running for " in said, said
    assert said.endswith(
        "; it asks to be started with `--isolated`, which the scenario's `worker.command` does "
        "not give: add `--isolated` to that command (an option of the server, not of the tool)"
    ), said
    code, report = pool_of_two([*command, "--isolated"])
    assert code == 0, report  # the fix as said: both calls pass
