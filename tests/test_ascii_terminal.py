"""On an ASCII-only terminal (`LANG=C PYTHONIOENCODING=ascii`) poolctl's marks are words and
ASCII marks (`[ok]`, `[x]`, `--`), not escapes (`[\\u2713]`), in every command that prints them
(poolctl/ascii_text.py): real `poolctl` processes, their standard output read as ASCII."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from poolctl.ascii_text import for_encoding
from tests.conftest import Processes

FIXTURES = Path(__file__).parent / "fixtures"
WORKER = [sys.executable, "-m", "poolctl.workers.reference"]
# what poolctl's marks and dashes came out as
ESCAPED = ("\\u2713", "\\u2717", "\\u2014", "\\u2013", "\\xb7", "\\u2022", "\\u2501", "\\u2026")


def _on_ascii_terminal(
    processes: Processes, tmp_path: Path, argv: tuple[str, ...], encoding: str
) -> subprocess.CompletedProcess[str]:
    """`poolctl ARGV` with an ASCII-only standard output, what it printed decoded as `encoding`."""
    env = {
        **os.environ,
        "LANG": "C",
        "LC_ALL": "C",
        "PYTHONIOENCODING": "ascii",
        "POOLCTL_REPORTS_DIR": str(tmp_path / "reports"),
    }
    argv = (sys.executable, "-m", "poolctl", *argv)
    return processes.run(argv, 120, env=env, cwd=tmp_path, encoding=encoding)


def _ascii_run(processes: Processes, tmp_path: Path, *argv: str) -> tuple[int, str]:
    done = _on_ascii_terminal(processes, tmp_path, argv, "ascii")
    return done.returncode, done.stdout + done.stderr  # decoded strictly: no byte past ASCII


@pytest.mark.parametrize(
    ("argv", "code", "marks"),
    [
        (["ping", "--", *WORKER], 0, ["[ok] "]),
        (["doctor", "--", *WORKER], 0, ["[ok] Interpreter", "    [ok] nothing on stdout"]),
        (["run-scenario", "healthy"], 0, ["[ok]"]),
        (
            ["triage", str(FIXTURES / "junit/common_test_surefire.xml"), "--no-history", "-v"],
            1,
            ["poolctl triage -- triage of", "  [x] ", "[ok] confirmed", " - "],
        ),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else "",
)
def test_marks_on_an_ascii_terminal_are_ascii(
    processes: Processes, tmp_path: Path, argv: list[str], code: int, marks: list[str]
) -> None:
    done, out = _ascii_run(processes, tmp_path, *argv)
    assert done == code, out
    assert not [e for e in ESCAPED if e in out], out
    for mark in marks:
        assert mark in out, out


def test_a_wait_shown_on_an_ascii_standard_error_is_ascii(
    processes: Processes, tmp_path: Path
) -> None:
    # standard error escapes what it cannot encode by itself (`backslashreplace`): a doctor
    # section that lasted past half a second was shown as `checking start-up\u2026`. Two
    # scenarios are run one after the other, each shown by the one wait `running NAME…`; their
    # worker starts in a second.
    command = json.dumps([*WORKER, "--init-delay", "1"])
    for name in ("slow-start", "slow-again"):
        (tmp_path / f"{name}.yaml").write_text(
            f"name: {name}\n"
            f"worker: {{command: {command}, framing: packet-4, init_timeout: 10}}\n"
            "pool: {size: 1}\n"
            "steps:\n  - request: {command: ping}\n"
        )
    argv = ("run-scenario", str(tmp_path / "slow-start.yaml"), str(tmp_path / "slow-again.yaml"))
    done = _on_ascii_terminal(processes, tmp_path, argv, "ascii")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^running slow-(start|again)\.\.\. ", done.stderr, re.M), done.stderr
    assert not [e for e in ESCAPED if e in done.stderr], done.stderr


def test_a_report_drawn_again_on_an_ascii_terminal_is_ascii(
    processes: Processes, tmp_path: Path
) -> None:
    log = str(FIXTURES / "junit/common_test_surefire.xml")
    run_dir = tmp_path / "run"
    done, _ = _ascii_run(
        processes, tmp_path, "triage", log, "--no-history", "--run-dir", str(run_dir)
    )
    assert done == 1
    done, out = _ascii_run(processes, tmp_path, "report", str(run_dir))
    assert done == 0, out
    assert not [e for e in ESCAPED if e in out], out
    assert "  [x] " in out and " -- " in out


def test_only_what_the_encoding_lacks_is_replaced() -> None:
    # Latin-1 has `·` and `µ`, not `✓` nor `—`; a letter no table holds stays an escape
    assert for_encoding("[✓] a · b — 3 µs é ✗", "latin-1") == "[ok] a · b -- 3 µs é [x]"
    assert for_encoding("[\x1b[32m✓\x1b[0m] é", "ascii") == "[\x1b[32mok\x1b[0m] \\xe9"


def _ascii_document(processes: Processes, tmp_path: Path, *argv: str) -> tuple[int, bytes]:
    """`poolctl ARGV` on an ASCII-only terminal: its exit code and standard output's bytes."""
    done = _on_ascii_terminal(processes, tmp_path, argv, "latin-1")  # every byte as it came
    return done.returncode, done.stdout.encode("latin-1")


@pytest.mark.parametrize("fmt", ["json", "md", "junit"])
def test_a_document_on_an_ascii_terminal_is_utf8_and_unchanged(
    processes: Processes, tmp_path: Path, fmt: str
) -> None:
    # a real run's test names and messages in other scripts (pytest/unicode_names.txt): JSON,
    # Markdown and JUnit XML are UTF-8 whatever the terminal's encoding; the text's escapes
    # (`caf\\xe9`) made JSON no parser reads, and ASCII stand-ins changed the data
    log = str(FIXTURES / "pytest/unicode_names.txt")
    code, out = _ascii_document(processes, tmp_path, "triage", log, "--no-history", "-f", fmt)
    assert code == 1
    text = out.decode("utf-8")  # strictly
    assert "worker «café» answered for another key" in text
    assert "São Paulo — no worker answered ✗" in text
    if fmt == "json":
        names = [f["failure"]["name"] for f in json.loads(text)["findings"]]
        assert "test_café_worker_answers" in names


def test_history_json_on_an_ascii_terminal_is_utf8_and_unchanged(
    processes: Processes, tmp_path: Path
) -> None:
    store = str(tmp_path / "history.db")
    log = str(FIXTURES / "exunit/unicode_names.log")
    code, _ = _ascii_document(processes, tmp_path, "triage", log, "--history", store, "-q")
    assert code == 1
    code, out = _ascii_document(
        processes, tmp_path, "history", "test", "café", "--history", store, "-f", "json"
    )
    assert code == 0, out
    listing = json.loads(out.decode("utf-8"))
    assert listing["name"] == "café"
    assert [o["test"] for o in listing["outcomes"]] == ["test worker «café» is registered"]
