"""A language server that asks its client through a notification and waits: @vue/language-server
3.3.11 (.peers/alone, `make peers`), given the TypeScript 6 of .peers (`--tsdk`: npm gives it
one without the compiler API, tests/test_typescript_without_api.py), sends a `tsserver/request`
notification for an opened .vue document's project, which its editor's TypeScript server plugin
answers, and answers no hover until then. The finding said the request timed out, the server
still running, and no more; ping's verdict took the notification for progress ('it is alive and
talks on, so it may still be working on it')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes
from tests.lsp_scenarios import open_and_hover

SERVER = REPO / ".peers/alone/@vue/language-server/node_modules/.bin/vue-language-server"
TSDK = REPO / ".peers/node_modules/typescript/lib"
APP = (
    '<template>\n  <div>{{ msg }}</div>\n</template>\n<script setup lang="ts">\n'
    "const msg = 1\n</script>\n"
)


needs_server = pytest.mark.skipif(
    not SERVER.exists() or not (TSDK / "typescript.js").exists(),
    reason=f"{SERVER.relative_to(REPO)} or {TSDK.relative_to(REPO)} is missing: run `make peers`",
)


@needs_server
def test_a_request_sent_as_a_notification_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    command = f"{SERVER}, --stdio, '--tsdk={TSDK}'"
    document = ("App.vue", "vue", APP)
    code, report = open_and_hover(capsys, tmp_path, command, document, (4, 7), request_timeout=3)
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert (
        "no response within 3 s; it had sent its client 1 `tsserver/request` notification(s), a "
        "request of its own carried as a notification (`"
    ) in outcome["cause"], outcome
    assert (
        "`), which poolctl, knowing no such method, leaves unanswered: it may be waiting for "
        "that answer (untested)"
    ) in outcome["cause"], outcome
    assert outcome["remediation"].startswith(
        "Serve its `tsserver/request` notifications as the client it was written for does"
    ), outcome
    [asked] = [e for e in outcome["evidence"] if e["origin"] == "workers/w1.stdout.bin"]
    # the message whole, or its first 200 characters and `…` (the temporary folder's path, in
    # it, is longer in some runs: pytest-1081/popen-gw2)
    sent = {"jsonrpc": "2.0", "method": "tsserver/request"}
    file = {"file": str((tmp_path / "App.vue").resolve()), "needFileNameList": False}
    whole = json.dumps({**sent, "params": [[1, "_vue:projectInfo", file]]}, separators=(",", ":"))
    assert whole.startswith(asked["text"].removesuffix("…")), (asked, whole)
    assert asked["text"] == whole or len(asked["text"]) == 201, asked


@needs_server
def test_ping_names_the_request_sent_as_a_notification(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    (tmp_path / "App.vue").write_text(APP)
    uri = (tmp_path / "App.vue").as_uri()
    hover = {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 7}}
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "5"]
    argv += ["--cwd", str(tmp_path), "--command", "textDocument/hover", "--args", json.dumps(hover)]
    main([*argv, "--", str(SERVER), "--stdio", f"--tsdk={TSDK}"])
    outcome = json.loads(capsys.readouterr()[0])["findings"][0]["outcome"]
    assert outcome["cause"].startswith("No hypothesis was confirmed"), outcome
    assert (
        "it had sent its client 1 `tsserver/request` notification(s), a request of its own "
        "carried as a notification (`"
    ) in outcome["cause"], outcome
    assert "talks on" not in outcome["cause"], outcome
    assert "serve its `tsserver/request` notifications" in outcome["remediation"], outcome
