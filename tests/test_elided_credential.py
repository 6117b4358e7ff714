"""A tool error asking for a credential named `…_API_KEY`: exa-mcp-server 3.4.1 (.peers/alone,
`make peers`), started with no EXA_API_KEY, serves initialize and tools/list and answers a
tools/call of web_search_exa with the tool error `web_search_exa error (401): API key must be
provided as an argument or as an environment variable (EXA_API_KEY)`. ping's step told to give
it as `--env EXA_API_KEY=[redacted] (in a pool, …`: the redactor took the `…` poolctl writes for
the value, and the backtick after it, for a secret."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/alone/exa-mcp-server/node_modules/.bin/exa-mcp-server"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
def test_ping_shows_the_variable_to_set_unredacted(
    capsys: pytest.CaptureFixture[str], processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXA_API_KEY", raising=False)
    call = {"name": "web_search_exa", "arguments": {"query": "poolctl"}}
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "20"]
    argv += ["--command", "tools/call", "--args", json.dumps(call)]
    main([*argv, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["detail"].startswith(
        "answered, but the tool reported an error (isError): web_search_exa error (401): API key "
        "must be provided as an argument or as an environment variable (EXA_API_KEY)"
    ), step
    assert step["detail"].endswith(
        "; it asks for environment variable EXA_API_KEY, not set in its environment: "
        "`--env EXA_API_KEY=…` (in a pool, the worker's `env`)"
    ), step
