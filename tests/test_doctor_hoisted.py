"""A Node language server that looks for files inside its own package's node_modules, where
npm's hoisting does not put them: @cucumber/language-server 1.7.0 (.peers/alone, a default npm
install by `make peers`) loads its parsers from
`<its package>/node_modules/@cucumber/language-service/dist/*.wasm` and logs `Failed to load …:
ENOENT` nine times as it starts; npm put @cucumber/language-service beside it. doctor's Output
hygiene said only that 'an error is not harmless'. Installed with
`--install-strategy=nested` it starts silent, every doctor check passing (tried here)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, RunCli

PACKAGE = REPO / ".peers/alone/@cucumber/language-server/node_modules"
SERVER = PACKAGE / ".bin/cucumber-language-server"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
def test_doctor_names_the_hoisted_dependency(run_cli: RunCli) -> None:
    argv = ["doctor", "--json", "--no-history", "--protocol", "lsp", "--timeout", "30"]
    code, out, _ = run_cli(*argv, "--", str(SERVER), "--stdio")
    report = json.loads(out)
    assert code == 0, report  # warnings only
    [stderr] = [c for c in report["checks"] if c["name"] == "stderr"]
    assert stderr["status"] == "warn", stderr
    nested = f"{PACKAGE}/@cucumber/language-server/node_modules/@cucumber/language-service/dist/"
    hoisted = f"{PACKAGE}/@cucumber/language-service/dist/"
    assert (
        f"; it looks for {nested}" in stderr["summary"]
        and f", which is not there, while {hoisted}" in stderr["summary"]
        and stderr["summary"].endswith(
            " is: npm hoisted @cucumber/language-service out of @cucumber/language-server's own "
            "node_modules, where the server looks for it"
        )
    ), stderr
    assert stderr["remedy"] == (
        "Install @cucumber/language-server with its dependencies nested, where it looks for "
        "them: `npm install --install-strategy=nested @cucumber/language-server`"
    )
