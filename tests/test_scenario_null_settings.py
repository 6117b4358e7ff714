"""A language server that exits reading a setting poolctl answered null: @prisma/language-server
31.12.10 (.peers/alone, `make peers`) asks workspace/configuration for the `prisma` section as
it validates a schema a notify step opened, poolctl answers `[null]` (a client with no such
setting, as LSP has it), and it exits with code 1 on `TypeError: Cannot read properties of null
(reading 'enableDiagnostics')`. The finding quoted the exception alone and told to fix it as an
error of the request it had read, the hover, not the didOpen its stack names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/alone/@prisma/language-server/node_modules/.bin/prisma-language-server"
SCHEMA = (
    'datasource db {\n  provider = "sqlite"\n  url      = "file:dev.db"\n}\n\n'
    "model User {\n  id    Int    @id\n  name  String\n}\n"
)


needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)


def _scenario(path: Path, pause: str = "") -> Path:
    """A hover on a schema a notify step opened, `pause` (a sleep step) between the two."""
    uri = "file://{scenario_dir}/schema.prisma"
    path.write_text(
        f"worker: {{command: [{SERVER}, --stdio], protocol: lsp, init_timeout: 30, "
        "cwd: '{scenario_dir}'}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        f"  - notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        f"languageId: prisma, version: 1, text: {json.dumps(SCHEMA)}}}}}}}\n"
        + pause
        + f"  - request: {{command: textDocument/hover, args: {{textDocument: {{uri: '{uri}'}}, "
        "position: {line: 5, character: 8}}}\n"
    )
    return path


@needs_server
def test_an_exit_reading_a_null_setting_names_the_settings_request(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    path = _scenario(tmp_path / "hover.yaml")
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    exc = "TypeError: Cannot read properties of null (reading 'enableDiagnostics')"
    assert (
        f", after the exception `{exc}`; it had asked for its settings (workspace/configuration), "
        "which poolctl answered with [null], as LSP has a client with no such setting answer, "
        "and the error reads a property of null: it may read them without checking for null "
        "(untested)"
    ) in finding["outcome"]["cause"], finding
    assert finding["outcome"]["remediation"].startswith(
        f"Fix the error it reports (`{exc}`): have the server check each setting its "
        "workspace/configuration request gets for null before reading it"
    ), finding
    [asked] = [e for e in finding["outcome"]["evidence"] if e["origin"] == "workers/w1.stdout.bin"]
    request = json.loads(asked["text"])
    assert request["method"] == "workspace/configuration", asked
    assert request["params"]["items"][0]["section"] == "prisma", asked
    assert asked["note"] == "its workspace/configuration request; poolctl answered [null]"


@needs_server
def test_an_idle_exit_reading_a_null_setting_says_why(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """Paused after the didOpen, the server exits while idle, no request failed with it: the
    note named only its exit code, its exception unsaid."""
    path = _scenario(tmp_path / "paused.yaml", "  - sleep: {seconds: 2}\n")
    main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    [note] = [n for n in report["notes"] if n.startswith("worker w1 exited with code 1 while idle")]
    assert note.endswith(
        "; the pool replaced it with w2; its stderr (workers/w1.stderr.log) says why: it exited, "
        "after the exception `TypeError: Cannot read properties of null (reading "
        "'enableDiagnostics')`; it had asked for its settings (workspace/configuration), which "
        "poolctl answered with [null], as LSP has a client with no such setting answer, and the "
        "error reads a property of null: it may read them without checking for null (untested)"
    ), note
