"""A Python server that reads an environment variable with `os.environ[…]` and dies on the
KeyError when it is not set: mcp-alchemy 2026.10.15.202659 (PyPI, .peers/py-alone, `make
peers`) with no DB_URL ends on `KeyError: 'DB_URL'`, the traceback's last frame os's own
`__getitem__`. It was told to 'Fix the error it reports'; it is told the variable to set, and,
given one, it answers. The fix says its traceback shows it, not that it says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

ALCHEMY = REPO / ".peers/py-alone/mcp-alchemy/bin/mcp-alchemy"


@pytest.mark.skipif(not ALCHEMY.exists(), reason="mcp-alchemy is missing: run `make peers` (pip)")
def test_a_key_error_reading_os_environ_names_the_variable_to_set(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--", str(ALCHEMY)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "after the exception `KeyError: 'DB_URL'`: it asks for environment variable DB_URL"
    ), outcome["cause"]
    assert outcome["remediation"].startswith("Set DB_URL in its environment"), outcome
    # its words say nothing of the variable: its traceback does
    assert outcome["remediation"].endswith(
        "it exits at start-up without it, as its traceback shows (it ends on `KeyError: "
        "'DB_URL'`, raised by `os.environ`'s `__getitem__`)."
    ), outcome["remediation"]
    # the fix as said: a database it can open, and it answers
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code = main([*argv, "--env", f"DB_URL={url}", "--", str(ALCHEMY)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
