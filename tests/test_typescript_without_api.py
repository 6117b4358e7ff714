"""A language server given a TypeScript with no compiler API: @vue/language-server 3.3.11
(.peers/alone, `make peers`) asks `typescript: *` as a peer dependency, and npm installs
beside it the newest release, 7.0.2, whose package exports ./lib/version.cjs alone (no
lib/typescript.js). Its first request on a .vue document ends it on `TypeError: Cannot read
properties of undefined (reading 'protocol')`, thrown at `ts.server.protocol` (lib/server.js:40).
ping and run-scenario quoted the error and told to fix it, no more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes
from tests.lsp_scenarios import open_and_hover

SERVER = REPO / ".peers/alone/@vue/language-server/node_modules/.bin/vue-language-server"
PREFIX = (REPO / ".peers/alone/@vue/language-server").resolve()  # Node names real paths
TYPESCRIPT = PREFIX / "node_modules/typescript"
pytestmark = [
    pytest.mark.skipif(
        not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
    ),
    pytest.mark.skipif(
        (TYPESCRIPT / "lib/typescript.js").exists(),
        reason="npm installed a TypeScript with its compiler API beside it: nothing to read",
    ),
]
APP = (
    '<template>\n  <div>{{ msg }}</div>\n</template>\n<script setup lang="ts">\n'
    "const msg = 1\n</script>\n"
)
HOVER = {"textDocument": {"uri": ""}, "position": {"line": 4, "character": 7}}
THROWN = "TypeError: Cannot read properties of undefined (reading 'protocol')"


def _said() -> str:
    version = json.loads((TYPESCRIPT / "package.json").read_text())["version"]
    return (
        f"@vue/language-server 3.3.11 asks `typescript *` as a peer dependency, and the "
        f"typescript found from it is {version} ({TYPESCRIPT}), whose `require('typescript')` "
        "loads ./lib/version.cjs and has no compiler API (no lib/typescript.js): the error, "
        f"thrown at {PREFIX}/node_modules/@vue/language-server/lib/server.js:40, reads that API "
        "most likely (untested)"
    )


FIX = (
    "Install a TypeScript with the compiler API beside it, one whose package holds "
    f"lib/typescript.js (6 or older): `npm install typescript@6` in {PREFIX} (npm's `overrides` "
    "keep it across installs)"
)


def test_ping_names_the_typescript_it_found(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    (tmp_path / "App.vue").write_text(APP)
    hover = {**HOVER, "textDocument": {"uri": (tmp_path / "App.vue").as_uri()}}
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "30"]
    argv += ["--cwd", str(tmp_path), "--command", "textDocument/hover", "--args", json.dumps(hover)]
    code = main([*argv, "--", str(SERVER), "--stdio"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert f"after the exception `{THROWN}`; {_said()}" in outcome["cause"], outcome
    assert outcome["remediation"].startswith(FIX), outcome
    [ev] = [e for e in outcome["evidence"] if e["origin"] == f"{TYPESCRIPT}/package.json"]
    assert ev["text"].endswith(
        '`exports["."]` ./lib/version.cjs, no lib/typescript.js; @vue/language-server 3.3.11 '
        "asks `typescript *` as a peer dependency"
    ), ev


def test_run_scenario_names_the_typescript_it_found(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    document = ("App.vue", "vue", APP)
    code, report = open_and_hover(capsys, tmp_path, f"{SERVER}, --stdio", document, (4, 7))
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert f", after the exception `{THROWN}`; {_said()}" in outcome["cause"], outcome
    assert outcome["remediation"].startswith(FIX), outcome
