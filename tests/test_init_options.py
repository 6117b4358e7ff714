"""LSP's initializationOptions, which some language servers need to start (astro-ls wants
`{"typescript": {"tsdk": ".../node_modules/typescript/lib"}}`): `ping --init-options`, `doctor
--init-options` (JSON, or @FILE holding it) and a scenario's `worker.init_options` send them in
LSP's `initialize`. typescript-language-server says which TypeScript it took: the one the
options name is "(user-setting)", its own "(bundled)". Before, there was no way to give them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from poolctl.protocol.init_asked import init_option_fix
from tests.conftest import REPO, RunCli
from tests.test_diagnose_workers import WORKERS

SERVER = REPO / ".peers/node_modules/.bin/typescript-language-server"
TSSERVER = REPO / ".peers/node_modules/typescript/lib/tsserver.js"
OPTIONS = {"tsserver": {"path": str(TSSERVER.parent)}}

needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)


def _took_options(stdout: bytes) -> bool:
    """Whether the server's log message says it took the TypeScript the options name (its own
    is "bundled")."""
    path = f'from path \\"{TSSERVER}\\"'.encode()  # its quotes escaped in the JSON message
    return b"Using Typescript version (user-setting)" in stdout and path in stdout


@needs_server
def test_ping_sends_init_options_from_a_file(run_cli: RunCli, tmp_path: Path) -> None:
    given = tmp_path / "options.json"
    given.write_text(json.dumps(OPTIONS))
    argv = ["--protocol", "lsp", "--timeout", "15", "--cwd", str(tmp_path)]
    run = tmp_path / "run"
    code, out, _ = run_cli(
        "ping", *argv, "--run-dir", str(run), "--init-options", f"@{given}", "--", str(SERVER),
        "--stdio",
    )  # fmt: skip
    assert code == 0, out
    assert "Using Typescript version (user-setting)" in out, out
    assert _took_options((run / "workers/w1.stdout.bin").read_bytes())


@needs_server
def test_doctor_sends_init_options(run_cli: RunCli, tmp_path: Path) -> None:
    run = tmp_path / "run"
    _, out, _ = run_cli(
        "doctor", "--protocol", "lsp", "--timeout", "30", "--cwd", str(tmp_path), "--run-dir",
        str(run), "--init-options", json.dumps(OPTIONS), "--", str(SERVER), "--stdio",
    )  # fmt: skip
    # its start-up check's worker and its ping's (a diagnosis' fresh processes, which a slow
    # start under load may bring, can be stopped before the server says which it took)
    for name in ("startup", "probe"):
        assert _took_options((run / f"workers/{name}.stdout.bin").read_bytes()), out


@needs_server
def test_a_scenario_pool_sends_its_init_options(run_cli: RunCli, tmp_path: Path) -> None:
    scenario = tmp_path / "ts-pool.yaml"
    scenario.write_text(
        "name: ts-pool\n"
        f"worker: {{command: [{json.dumps(str(SERVER))}, --stdio], protocol: lsp,\n"
        f"         cwd: {json.dumps(str(tmp_path))}, init_timeout: 15,\n"
        f"         init_options: {json.dumps(OPTIONS)}}}\n"
        "pool: {size: 1, checkout_timeout: 15, request_timeout: 15}\n"
        "steps:\n"
        "  - sleep: {seconds: 0.1}\n"
    )
    run = tmp_path / "run"
    code, out, _ = run_cli(
        "run-scenario", "--no-history", "-q", "--run-dir", str(run), str(scenario)
    )
    assert code == 0, out
    assert _took_options((run / "workers/w1.stdout.bin").read_bytes())


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--protocol", "lsp", "--init-options", '{"tsserver":'], "--init-options is not JSON: "),
        (["--protocol", "lsp", "--init-options", "NaN"], "--init-options is not JSON: NaN is no"),
        (
            ["--protocol", "lsp", "--init-options", "@/nonexistent/options.json"],
            "--init-options @/nonexistent/options.json: cannot read /nonexistent/options.json: "
            "No such file or directory",
        ),
        (["--init-options", "{}"], "--init-options: LSP's initializationOptions, sent in its"),
    ],
    ids=["cut-short", "nan", "no-file", "not-lsp"],
)
@pytest.mark.parametrize("command", ["ping", "doctor"])
def test_bad_init_options_are_one_line_and_exit_2(
    run_cli: RunCli, command: str, argv: list[str], said: str
) -> None:
    code, _, err = run_cli(command, *argv, "--", "true")
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"poolctl: error: {said}"), err


@pytest.mark.parametrize(
    ("worker", "said"),
    [
        ('{command: ["true"], protocol: mcp, init_options: {a: 1}}', "LSP's initializationOptions"),
        ('{command: ["true"], protocol: lsp, init_options: {a: .nan}}', "not a JSON value"),
        ('{command: ["true"], protocol: lsp, init_options: {1: a}}', "keys are strings in JSON"),
    ],
    ids=["not-lsp", "nan", "int-key"],
)
def test_bad_init_options_in_a_scenario_are_one_line_at_their_line(
    run_cli: RunCli, tmp_path: Path, worker: str, said: str
) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"name: bad\nworker: {worker}\nsteps: [{{sleep: {{seconds: 0}}}}]\n")
    code, _, err = run_cli("run-scenario", "--check", str(scenario))
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"poolctl: error: {scenario}:2: worker"), err
    assert said in err, err


MDX = REPO / ".peers/apart/node_modules/.bin/mdx-language-server"
needs_mdx = pytest.mark.skipif(
    not MDX.exists(), reason=f"{MDX.relative_to(REPO)} is missing: run `make peers`"
)
REFUSED = "Request initialize failed with message: Missing initialization option typescript.tsdk"


def test_a_refusal_naming_the_option_it_lacks_gives_the_init_options_to_send() -> None:
    fix = init_option_fix(REFUSED)
    assert fix is not None and "typescript.tsdk (none were sent)" in fix
    assert (
        """`--init-options '{"typescript": {"tsdk": "/path/to/node_modules/typescript/lib"}}'`"""
        in fix
    )
    assert "the initialization options given lack it" in (init_option_fix(REFUSED, {}) or "")
    assert init_option_fix("Request initialize failed with message: Cannot read x") is None


@needs_mdx
def test_a_server_refusing_initialize_for_a_missing_option_is_told_to_send_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The MDX language server (Volar) refuses initialize without typescript.tsdk. Before, ping
    said only that it refused, and doctor's Framing check 'no answer in content-length: the
    server refused initialize …' with no fix; given as the fix says, it answers."""
    argv = ("--protocol", "lsp", "--timeout", "30", "--cwd", str(tmp_path))
    code, out, _ = run_cli("ping", *argv, "--", str(MDX), "--stdio")
    assert code == 1, out
    assert "the server refused initialize: " in out and "typescript.tsdk" in out
    assert "Give the server the initialization option it asks for, typescript.tsdk" in out
    _, out, _ = run_cli("doctor", *argv, "--", str(MDX), "--stdio")
    assert "in content-length, the server refused initialize: " in out, out
    assert "no answer in content-length" not in out
    assert "`--init-options '" in out
    given = json.dumps({"typescript": {"tsdk": str(TSSERVER.parent)}})
    code, out, _ = run_cli("ping", *argv, "--init-options", given, "--", str(MDX), "--stdio")
    assert code == 0, out


ASTRO_ALONE = REPO / ".peers/alone/@astrojs/language-server/node_modules"
ASTRO = ASTRO_ALONE / ".bin/astro-ls"


@pytest.mark.skipif(
    not ASTRO.exists(), reason=f"{ASTRO.relative_to(REPO)} is missing: run `make peers`"
)
def test_astro_ls_refusing_initialize_for_its_tsdk_is_told_to_send_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """@astrojs/language-server 2.17.1 refuses initialize with 'The `typescript.tsdk` init option
    is required. It should point to a directory containing a `typescript.js` …' (-32603): the
    option before the words, which were not read, so ping quoted the refusal and gave no
    `--init-options`. Given as the note says (its own TypeScript), it answers."""
    argv = ["ping", "--protocol", "lsp", "--timeout", "30", "--cwd", str(tmp_path)]
    code, out, _ = run_cli(*argv, "--", str(ASTRO), "--stdio")
    assert code == 1, out
    assert "The `typescript.tsdk` init option is required." in out, out
    assert (
        "note: Give the server the initialization option it asks for, typescript.tsdk (none were "
        'sent): `--init-options \'{"typescript": {"tsdk": "/path/to/node_modules/typescript/'
        "lib\"}}'`"
    ) in out, out
    given = json.dumps({"typescript": {"tsdk": str(ASTRO_ALONE / "typescript/lib")}})
    code, out, _ = run_cli(*argv, "--init-options", given, "--", str(ASTRO), "--stdio")
    assert code == 0, out


BARE_SERVER = (
    REPO / ".peers-bare/typescript-language-server/node_modules/.bin/typescript-language-server"
)


@pytest.mark.skipif(
    not BARE_SERVER.exists() or not SERVER.exists(),
    reason=f"{BARE_SERVER.relative_to(REPO)} is missing: run `make peers`",
)
def test_a_typescript_server_with_no_typescript_is_told_the_option_that_names_one(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """typescript-language-server 5.3.0 installed with no TypeScript above it, in a workspace
    without one, refuses initialize: 'Could not find a valid TypeScript installation. Please
    ensure that the "typescript" dependency is installed in the workspace or that a valid
    `tsserver.path` is specified.' ping quoted it and gave no `--init-options`; it gives the
    one for tsserver.path, and with it (the peers' TypeScript) the server answers."""
    argv = ["ping", "--protocol", "lsp", "--timeout", "15", "--cwd", str(tmp_path)]
    code, out, _ = run_cli(*argv, "--", str(BARE_SERVER), "--stdio")
    assert code == 1, out
    assert "Could not find a valid TypeScript installation." in out, out
    assert (
        "note: Give the server the initialization option it asks for, tsserver.path (none were "
        'sent): `--init-options \'{"tsserver": {"path": "/path/to/node_modules/typescript/'
        "lib\"}}'` on ping and doctor, `init_options` under a scenario's worker"
    ) in out, out
    given = json.dumps(OPTIONS)
    code, out, _ = run_cli(*argv, "--init-options", given, "--", str(BARE_SERVER), "--stdio")
    assert code == 0, out
    assert "Using Typescript version (user-setting)" in out, out


@pytest.mark.skipif(
    not ASTRO.exists(), reason=f"{ASTRO.relative_to(REPO)} is missing: run `make peers`"
)
def test_a_start_past_the_timeout_that_ends_in_a_refusal_says_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """astro-ls past its init timeout (0.3 s here; 5 s on a machine at load 14) refuses initialize
    for its typescript.tsdk once waited for. The verdict was 'stuck in initialization' and 'raise
    the init timeout above the measured 6.0 s', where the server only refuses: it now quotes the
    refusal and gives the option too."""
    argv = ["ping", "--protocol", "lsp", "--timeout", "0.3", "--cwd", str(tmp_path)]
    code, out, _ = run_cli(*argv, "--", str(ASTRO), "--stdio")
    assert code == 1, out
    assert "The worker is stuck in initialization: " in out, out
    assert (
        "; waited for, it refused the request: Request initialize failed with message: The "
        "`typescript.tsdk` init option is required."
    ) in out, out
    assert ", and mend what it then refuses the request for (" in out, out
    assert "Give the server the initialization option it asks for, typescript.tsdk" in out, out


def test_a_refusal_after_a_request_read_while_poolctl_waits_on_is_said(run_cli: RunCli) -> None:
    """A server that reads initialize 1.5 s after its start, past a 0.5 s timeout, while
    poolctl waits on, and refuses it for an init option: the verdict said its start was slow
    and it answered, not that the answer was a refusal, nor the option it asks for (astro-ls on
    a loaded machine read its request in the wait, not before poolctl's first look)."""
    argv = [sys.executable, str(WORKERS / "lsp_refuses_after_slow_start.py"), "1.5"]
    code, out, _ = run_cli("ping", "--protocol", "lsp", "--timeout", "0.5", "--", *argv)
    assert code == 1, out
    assert "The worker is stuck in initialization: it had not yet read the request" in out, out
    assert (
        "; waited for, it refused the request: Request initialize failed with message: The "
        "`typescript.tsdk` init option is required."
    ) in out, out
    assert "Give the server the initialization option it asks for, typescript.tsdk" in out, out
    # the start measured against the timeout in the words of a start whose read went unseen
    # (tests/test_diagnose.py's slow import read in the wait at a load of 13 had lost them)
    assert re.search(r"start-up took \d+\.\d s against a 0\.5 s timeout: poolctl kept", out), out
