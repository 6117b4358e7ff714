"""A language server that knows only the documents its client opened: autotools-language-server
0.1.3 (its own virtualenv, .peers/py-alone) answers textDocument/hover on a configure.ac that is
there, never sent in textDocument/didOpen, with `KeyError: '<uri>'` (-32603). The finding was
unclassified 'without naming a missing field', the KeyError shown and not explained; then it
said no scenario step could send a didOpen. A `notify` step sends it to every worker (those ready
and those started later), and ping's verdict on the same error points to that step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.errors import InputError
from poolctl.scenario import load_scenario
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/py-alone/autotools-language-server/bin/autotools-language-server"
needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
CONFIGURE_AC = "AC_INIT([pool], [1.0])\nAC_PROG_CC\nAC_OUTPUT\n"
HOVER = "position: {line: 1, character: 3}"


@needs_server
def test_a_document_never_opened_is_said_to_be_unopened(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    document = tmp_path / "configure.ac"
    document.write_text(CONFIGURE_AC)
    uri = document.as_uri()
    path = tmp_path / "hover.yaml"
    path.write_text(
        "name: autotools-hover\n"
        f"worker: {{command: [{SERVER}], protocol: lsp, init_timeout: 30, cwd: {tmp_path}}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - request:\n"
        "      command: textDocument/hover\n"
        f"      args: {{textDocument: {{uri: '{uri}'}}, position: {{line: 1, character: 3}}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["failure"]["message"] == f"KeyError: '{uri}' (code -32603)", finding
    why = finding["outcome"]["why"]
    assert (
        f"; it names the document the request is about ({uri}), a file that is there, and no "
        "textDocument/didOpen opened it"
    ) in why, why
    assert "Open it in a step before the request (every worker is sent it): `- notify: " in why
    assert f"{{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}'," in why
    # a document that is not there is the missing-path reading's, not this one's
    document.unlink()
    main(["run-scenario", "--no-history", "--format", "json", str(path)])
    [finding] = json.loads(capsys.readouterr()[0])["findings"]
    assert "textDocument/didOpen" not in finding["outcome"]["why"], finding


@needs_server
def test_a_notify_step_opens_the_document_on_every_worker(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """The worker ready at the step is written the didOpen then; the one started in its place
    once it is killed is written it after its handshake, before its request, which it answers."""
    (tmp_path / "configure.ac").write_text(CONFIGURE_AC)
    uri = "file://{scenario_dir}/configure.ac"
    path = tmp_path / "hover.yaml"
    path.write_text(
        "name: autotools-opened\n"
        f"worker: {{command: [{SERVER}], protocol: lsp, init_timeout: 30, cwd: {tmp_path}}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - notify:\n"
        "      method: textDocument/didOpen\n"
        f"      params: {{textDocument: {{uri: '{uri}', languageId: autoconf, version: 1, "
        f"text: {json.dumps(CONFIGURE_AC)}}}}}\n"
        "  - kill_worker: {which: w1}\n"
        "  - sleep: 1\n"  # its exit seen (through a pidfd, at once): no request goes to it
        "  - request:\n"
        "      command: textDocument/hover\n"
        f"      args: {{textDocument: {{uri: '{uri}'}}, {HOVER}}}\n"
        "      expect: {fields: [result.contents]}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
    assert report["findings"] == [], report
    lines = Path(report["run_dir"], "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    sent = [(e["worker"], e["method"], e["ok"]) for e in events if e["type"] == "notification"]
    assert sent == [("w1", "textDocument/didOpen", True), ("w2", "textDocument/didOpen", True)]
    answered = [e["worker"] for e in events if e["type"] == "response"]
    assert answered == ["w2"], events


@needs_server
def test_ping_points_to_the_notify_step(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    document = tmp_path / "configure.ac"
    document.write_text(CONFIGURE_AC)
    uri = document.as_uri()
    args = json.dumps({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 3}})
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "30"]
    code = main([*argv, "--command", "textDocument/hover", "--args", args, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report  # an error reply is an answer
    [hover] = [s for s in report["extra"]["steps"] if s["method"] == "textDocument/hover"]
    assert hover["detail"].startswith(f"error reply: KeyError: '{uri}' (code -32603); "), hover
    assert "with textDocument/didOpen, not on disk, and ping sends none" in hover["detail"]
    step = "- notify: {method: textDocument/didOpen, params: {textDocument: {uri:"
    assert step in hover["detail"], hover


def test_a_notify_step_needs_a_json_rpc_protocol(tmp_path: Path) -> None:
    path = tmp_path / "dspex.yaml"
    path.write_text(
        "worker: {command: ['{python}', '-m', 'poolctl.workers.reference']}\n"
        "steps:\n"
        "  - notify: {method: textDocument/didOpen}\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).endswith(
        "steps[0].notify: a notification is JSON-RPC's; the worker's protocol, "
        "dspex, has none (protocol: jsonrpc, mcp or lsp)"
    )


VTSLS = REPO / ".peers/alone/@vtsls/language-server/node_modules/.bin/vtsls"


@pytest.mark.skipif(
    not VTSLS.exists(), reason=f"{VTSLS.relative_to(REPO)} is missing: run `make peers`"
)
def test_a_null_answer_on_a_document_never_opened_is_no_key_mismatch(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """vtsls 0.3.0 answers a hover on a TypeScript file no didOpen opened with `result: null`
    (with a didOpen it answers: tried here, its TypeScript server starting in 8 s). A step
    expecting result.contents read it as pattern 4, a key under another name in a test's
    setup, with the fix to rename one side."""
    (tmp_path / "a.ts").write_text("export function add(a: number): number {\n  return a;\n}\n")
    uri = (tmp_path / "a.ts").as_uri()
    path = tmp_path / "hover.yaml"
    path.write_text(
        f"worker: {{command: [{VTSLS}, --stdio], protocol: lsp, init_timeout: 30, "
        f"cwd: {tmp_path}}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        f"  - request: {{command: textDocument/hover, args: {{textDocument: {{uri: '{uri}'}}, "
        "position: {line: 0, character: 17}}, expect: {fields: [result.contents]}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["outcome"]["type"] == "unclassified", finding
    assert finding["outcome"]["why"].startswith(
        f"the server answered textDocument/hover with no result (null) on {uri}, a file that is "
        "there, which no textDocument/didOpen opened"
    ), finding
    assert (
        f"- notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}'"
        in (finding["outcome"]["why"])
    )
