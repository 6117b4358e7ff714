"""Headless Chromium driven over the DevTools protocol on a pipe: open a page from disk, watch
every request it makes, query its DOM, take a screenshot.

Debian's `chromium` (`apt-get install chromium`; `.ci/run` installs it). The protocol runs over
file descriptors 3 and 4 (`--remote-debugging-pipe`): messages are JSON, each ended by a NUL
byte. No port is opened, nothing else is installed. The browser runs with the flags that keep
it off the network (no component updates, no sync, no QUIC, no background requests) and in a
profile of its own, removed afterwards: the tests give each browser a folder under their own
temporary directory (one per xdist worker), and the process starter of their `module_processes`.

`python -m tests.chromium PAGE.html OUT.png [WIDTH]` takes a full-page screenshot (the README's
pictures are made so).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BINARY_NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The Chromium binary on PATH (Debian's `/usr/bin/chromium`), or None."""
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class CdpError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Chromium:
    """One headless browser; `open(path)` gives a `Page`. Use as a context manager."""

    def __init__(
        self,
        binary: str,
        width: int = 1400,
        height: int = 900,
        *,
        profile: Path | None = None,
        popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
    ) -> None:
        """`profile`: an empty folder for the browser's profile, its cache and crash reports
        (default: a fresh one in the system's temporary directory); `popen` starts it."""
        self.binary = binary
        self.width, self.height = width, height
        self.profile = str(profile) if profile else tempfile.mkdtemp(prefix="poolctl-chromium-")
        self._next = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        self._target: str | None = None  # the open tab
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes back
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=wire,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the protocol -------------------------------------------------------------------------
    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send one command and wait for its answer; events that come meanwhile are kept."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        answer: dict[str, Any] | None = None
        while answer is None:
            # the whole chunk is kept: events read together with the answer, after it, are
            # events all the same (a busy browser sends many in one chunk)
            for message in self._read(deadline):
                if message.get("id") == self._next:
                    answer = message
                else:
                    self.events.append(message)
        if "error" in answer:
            raise CdpError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def _read(self, deadline: float) -> list[dict[str, Any]]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CdpError("the browser did not answer in time")
        ready, _, _ = select.select([self._from_child], [], [], remaining)
        if not ready:
            raise CdpError("the browser did not answer in time")
        chunk = os.read(self._from_child, 1 << 20)
        if not chunk:
            raise CdpError("the browser closed its pipe")
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]

    def drain(self, quiet: float) -> None:
        """Keep the events that arrive until none has for `quiet` seconds (10 s at most)."""
        end = time.monotonic() + 10
        while time.monotonic() < end:
            ready, _, _ = select.select([self._from_child], [], [], quiet)
            if not ready:
                return
            self.events.extend(self._read(end))

    def open(self, path: Path) -> Page:
        """Open `path` (from disk, as `file://`) in a new tab of `width`, the previous tab
        closed (a background tab loads slowly, if at all); wait until it is loaded."""
        if self._target is not None:
            self.send("Target.closeTarget", {"targetId": self._target})
            self.events.clear()
        target = self._target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        page.call("Network.enable")
        page.call("Page.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        url = path.resolve().as_uri()
        page.call("Page.navigate", {"url": url})
        page.wait_loaded(url)
        return page


class Page:
    """One tab: its DOM through JavaScript, its requests, its pixels."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def wait_loaded(self, url: str, timeout: float = 60.0) -> None:
        """Until the document at `url` is complete (asked, not awaited as an event: on a busy
        machine an event can come before the question, or a navigation's first context go)."""
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            with contextlib.suppress(CdpError):  # a context destroyed by the navigation
                state = self.evaluate("document.readyState + ' ' + location.href")
                if state == f"complete {url}":
                    return
            time.sleep(0.05)
        raise CdpError(f"{url} did not load within {timeout:g} s (last seen: {state!r})")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable; a promise is
        awaited)."""
        reply = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise CdpError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def requests(self, settle: float = 0.3) -> list[str]:
        """Every URL the page asked for, its own included (Network.requestWillBeSent), once
        the browser has been quiet for `settle` seconds (its network events come from another
        process than the page's own answers, and may trail them)."""
        self.browser.drain(settle)
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def requested(self, url: str, timeout: float = 15.0) -> bool:
        """Whether the page asks for `url` within `timeout` seconds (its event may trail the
        page's load: the network events come from another process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if url in self.requests(settle=0.2):
                return True
        return False

    def screenshot(self, out: Path, max_height: int = 6000, *, compact: bool = False) -> Path:
        """A PNG of the whole page (beyond the window's height, up to `max_height` pixels),
        written to `out`. Encoded for speed (under half the browser's CPU for a tall page, a
        file a third larger) unless `compact`, as for the README's pictures."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        bottom = self.evaluate("Math.ceil(document.body.getBoundingClientRect().bottom)")
        width = max(1, int(size["width"]))
        height = max(1, min(int(size["height"]), int(bottom or 0) + 16, max_height))
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                "optimizeForSpeed": not compact,
            },
        )
        out.write_bytes(base64.b64decode(shot["data"]))
        return out


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        sys.stderr.write("usage: python -m tests.chromium PAGE.html OUT.png [WIDTH]\n")
        return 2
    binary = find_chromium()
    if binary is None:
        sys.stderr.write("chromium is not installed (apt-get install chromium)\n")
        return 2
    width = int(argv[2]) if len(argv) == 3 else 1400
    with Chromium(binary, width=width) as browser:
        browser.open(Path(argv[0])).screenshot(Path(argv[1]), compact=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
