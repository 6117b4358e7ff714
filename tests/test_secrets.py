"""No secret in anything poolctl prints or writes: secrets are planted in poolctl's environment,
a worker's environment, its stderr, its responses and debug log, and in a triaged log; then
every output, the job summary, the annotations and every file of the run folder are searched.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.framing import get_framing
from poolctl.model import Evidence, PingDetails, Report
from poolctl.redact import KEEP_NOTE, MIN_SECRET_LEN, Redactor, secret_values
from tests.conftest import REFERENCE, RunCli

FIXTURE = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
ENV_SECRET = "env-Secret-0f3a9c71e2"  # in poolctl's own environment
WORKER_SECRET = "wrk-Secret-77d1b0c4aa"  # given to a worker with --env
SCENARIO_SECRET = "scn-Secret-5e0b93d2"  # in a scenario's worker env
SK_KEY = "sk-proj-Q2x9Lm4Tz8Vb1Nc7Rk5W"
BEARER = "eyJhbGciOi.J9x7Qk2m_Pz4r"
URL_PASSWORD = "hunter2-Pw9"
SHAPED = f"key {SK_KEY} Authorization: Bearer {BEARER} https://bot:{URL_PASSWORD}@api.test/v1"
ALL = (ENV_SECRET, WORKER_SECRET, SCENARIO_SECRET, SK_KEY, BEARER, URL_PASSWORD)


@pytest.fixture(autouse=True)
def planted_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("POOLCTL_TEST_API_KEY", ENV_SECRET)
    summary = tmp_path / "step_summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def leaks(*texts: str | bytes, folders: tuple[Path, ...] = ()) -> list[str]:
    """Every (secret, where) found in `texts` and in every file under `folders`."""
    found = []
    blobs: list[tuple[str, bytes]] = [
        (f"text {i}", t.encode("utf-8", "surrogateescape") if isinstance(t, str) else t)
        for i, t in enumerate(texts)
    ]
    for folder in folders:
        blobs += [(str(p), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]
    for where, blob in blobs:
        found += [f"{s} in {where}" for s in ALL if s.encode() in blob]
    return found


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the redactor --------------------------------------------------------------------------
def test_secret_names_and_short_values() -> None:
    env = {
        "OPENAI_API_KEY": "a-real-looking-key",
        "GH_TOKEN": "tok-123456",
        "DB_PASSWORD": "pw",  # too short: left alone
        "HOME": "/root/not-a-secret",
        "MY_CLIENT_SECRET": "s3cr3t!!",
        "AWS_CREDENTIALS_FILE": "/etc/creds-file",
        "BASIC_AUTH": "user:passw0rd",
        "SECRET_KEY_BASE": "rails-style-secret",
        "PIP_KEYRING_PROVIDER": "disabled",  # KEYRING is not a key
        "GIT_AUTHOR_NAME": "Jane Doe",  # nor AUTHOR an auth
    }
    found = secret_values(env)
    assert set(found.values()) == {
        "OPENAI_API_KEY",
        "GH_TOKEN",
        "MY_CLIENT_SECRET",
        "AWS_CREDENTIALS_FILE",
        "BASIC_AUTH",
        "SECRET_KEY_BASE",
    }
    assert MIN_SECRET_LEN == 6


CIRCLECI_SAID = (
    "CircleCI token is required. Provide Authorization: Bearer <token>, Circle-Token header, or "
    "set CIRCLECI_TOKEN."
)

STRIPE_SAID = (
    "Stripe API key not provided. Please either pass it as an argument --api-key=$KEY or set the "
    "STRIPE_SECRET_KEY environment variable."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {SK_KEY}!", "key [redacted]!"),
        (f"Authorization: Bearer {BEARER}", "Authorization: Bearer [redacted]"),
        ("Bearer authentication is used", "Bearer authentication is used"),
        # placeholders, no secrets: @circleci/mcp-server-circleci 0.20.0's tool error, a variable
        (CIRCLECI_SAID, CIRCLECI_SAID),
        ("Authorization: Bearer $GITHUB_TOKEN", "Authorization: Bearer $GITHUB_TOKEN"),
        (f"Authorization: Bearer <{BEARER}>x", "Authorization: Bearer [redacted]"),
        # an ellipsis for the value, poolctl's own `--env NAME=…` hint (exa-mcp-server 3.4.1's
        # EXA_API_KEY): the backtick after it was taken with it; a value after an ellipsis is not
        ("`--env EXA_API_KEY=…` (in", "`--env EXA_API_KEY=…` (in"),
        ("api_key=... and", "api_key=... and"),
        ("api_key=...s3cr3t!", "api_key=[redacted]"),
        # a shell variable in capitals for the value (@stripe/mcp 0.3.3's words: it was
        # `--api-key=[redacted]`); one in mixed case, or glued to more, may be a password
        (STRIPE_SAID, STRIPE_SAID),
        ("--api-key=${KEY}; api_key=$KEY,", "--api-key=${KEY}; api_key=$KEY,"),
        ("--api-key=$ecret99 api_key=$KEYabc", "--api-key=[redacted] api_key=[redacted]"),
        # a backtick closing poolctl's quote of a command line is not the value's: it was taken
        ("run `mcp --api-key=bogus` by hand", "run `mcp --api-key=[redacted]` by hand"),
        ("`api_key=abcdef`, `x`", "`api_key=[redacted]`, `x`"),
        ("api_key=ab`cdef and", "api_key=[redacted] and"),
        ("ghp_0123456789abcdefghijABCDEFGHIJ", "[redacted]"),
        # a fine-grained personal access token (it was never redacted: `ghithub_pat_`)
        (
            "token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz end",
            "token [redacted] end",
        ),
        ("xoxb-1234567890-abcdefghij", "[redacted]"),
        ("AKIAIOSFODNN7EXAMPLE in use", "[redacted] in use"),
        (f"postgres://bob:{URL_PASSWORD}@db:5432/app", "postgres://bob:[redacted]@db:5432/app"),
        ("https://example.com/a:b@c", "https://example.com/a:b@c"),
        ("pool_pid missing; got pid", "pool_pid missing; got pid"),
        # the form documented, every part a placeholder: no secret (it read USER:[redacted])
        ("use postgresql://USER:PASSWORD@HOST/DB,", "use postgresql://USER:PASSWORD@HOST/DB,"),
        ("postgresql://USER:PASSWORD@HOST:5432/DB", "postgresql://USER:PASSWORD@HOST:5432/DB"),
        # a real host, a real user or a real password: redacted as before
        ("postgresql://USER:PASSWORD@localhost/db", "postgresql://USER:[redacted]@localhost/db"),
        ("postgresql://USER:PASSWORD@HOST.corp/db", "postgresql://USER:[redacted]@HOST.corp/db"),
        ("postgresql://bob:PASSWORD@HOST/DB", "postgresql://bob:[redacted]@HOST/DB"),
        ("postgresql://USER:hunter22@HOST/DB", "postgresql://USER:[redacted]@HOST/DB"),
        # an option named in prose (server-supabase's usage line): its next word is no value
        (
            "with the --access-token flag or set SUPABASE_ACCESS_TOKEN",
            "with the --access-token flag or set SUPABASE_ACCESS_TOKEN",
        ),
        ("pass --api-key option values", "pass --api-key option values"),
        ("--api-key flagpole123 --token=flag", "--api-key [redacted] --token=[redacted]"),
        ("--password withheld99", "--password [redacted]"),
    ],
)
def test_token_shapes(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


def test_named_values_in_every_quoted_form() -> None:
    r = Redactor({'va"l\\ue-x\u00e9': "API_KEY"})
    assert r.text('raw va"l\\ue-x\u00e9 .') == "raw [redacted:API_KEY] ."
    assert r.text('json "va\\"l\\\\ue-x\\u00e9"') == 'json "[redacted:API_KEY]"'
    assert "[redacted:API_KEY]" in r.text(repr('va"l\\ue-x\u00e9'.encode()))


def test_bytes_keep_their_length_in_a_framed_transcript() -> None:
    r = Redactor({WORKER_SECRET: "WORKER_TOKEN"})
    framing = get_framing("packet-4")
    body = f'{{"k": "{WORKER_SECRET}", "t": "{SK_KEY}", "x": "ab"}}'.encode()
    data = framing.encode(body) + b"\xff\xfe not utf-8 " + framing.encode(b'{"ok": 1}')
    clean = r.bytes(data, same_length=True)
    assert len(clean) == len(data) and WORKER_SECRET.encode() not in clean
    frames = framing.decoder(1 << 20).feed(clean[: len(framing.encode(body))])
    # the name does not fit in the secret's 21 bytes: `[redacted]` padded with stars
    assert frames and frames[0].startswith(b'{"k": "[redacted]***********", "t": "[redacted]*')
    assert clean.endswith(b"\xff\xfe not utf-8 " + framing.encode(b'{"ok": 1}'))


@pytest.mark.parametrize("at", [0, 6, 10, 13, 21, 25])
def test_bytes_split_anywhere_never_leave_half_a_secret(at: int) -> None:
    """A log read in two parts (a worker's stderr before and after its stdin closed) is
    redacted whole, then split: a cut inside the secret moves to its mark's start."""
    r = Redactor({"tok-3f9a1c7e5b2d": "SERVICE_TOKEN"})
    data = b"token tok-3f9a1c7e5b2d\nnext"
    before, after = r.split(data, at)
    assert before + after == r.bytes(data, same_length=True) == b"token [redacted]******\nnext"
    assert len(before) == (6 if 6 <= at <= 21 else at)


def test_files_and_folders(tmp_path: Path) -> None:
    r = Redactor({WORKER_SECRET: "WORKER_TOKEN"})
    (tmp_path / "workers").mkdir()
    (tmp_path / "workers" / "w1.stderr.log").write_bytes(b"\x00bin " + SHAPED.encode())
    (tmp_path / "workers" / "w1.stdout.bin").write_bytes(WORKER_SECRET.encode() + b"\x01")
    (tmp_path / "clean.txt").write_text("nothing here")
    changed = r.tree(tmp_path)
    assert [p.name for p in changed] == ["w1.stderr.log", "w1.stdout.bin"]
    assert not leaks(folders=(tmp_path,))
    assert (tmp_path / "workers" / "w1.stdout.bin").stat().st_size == len(WORKER_SECRET) + 1


def test_secrets_deep_in_one_huge_newline_free_log_are_redacted(tmp_path: Path) -> None:
    """A worker's stderr of 6 MiB with no newline: most 1 MiB chunks hold no needle at all,
    the secrets (a `password=`, a GitHub token, a named value) sit deep inside, one of them
    across the first chunks' boundary. Every one is replaced, and nothing else changes."""
    token = "ghp_" + "Q7" * 18
    plant = {
        3 * 2**20 + 12345: b" password=hunter2-deep-inside ",
        2**20 - 7: f" {token} ".encode(),  # across the first chunk's end
        5 * 2**20 + 999: WORKER_SECRET.encode(),  # glued to the x's on both sides
    }
    data = bytearray(b"x" * (6 * 2**20))
    for at, secret in plant.items():
        data[at : at + len(secret)] = secret
    log = tmp_path / "w1.stderr.log"
    log.write_bytes(data)
    assert Redactor({WORKER_SECRET: "WORKER_TOKEN"}).file(log) is True
    clean = log.read_bytes()
    assert b"hunter2" not in clean and token.encode() not in clean and not leaks(clean)
    expected = (
        bytes(data)
        .replace(b"password=hunter2-deep-inside", b"password=[redacted]")
        .replace(token.encode(), b"[redacted]")
        .replace(WORKER_SECRET.encode(), b"[redacted:WORKER_TOKEN]")
    )
    assert clean == expected


def test_records_are_redacted_and_untouched_ones_are_not_copied() -> None:
    clean = Report(kind="triage", title="t", notes=("nothing",))
    r = Redactor({ENV_SECRET: "POOLCTL_TEST_API_KEY"})
    assert r.value(clean) is clean
    dirty = Report(
        kind="ping",
        title="t",
        details=PingDetails(response={"result": {ENV_SECRET: [SK_KEY]}}),
        checks=(),
        notes=(f"evidence {ENV_SECRET}",),
    )
    assert not leaks(repr(r.value(dirty)))
    assert r.value(Evidence(SHAPED, "o")).text.count("[redacted]") == 3


# --- end to end ----------------------------------------------------------------------------
def planted_log(tmp_path: Path) -> Path:
    text = FIXTURE.read_text()
    line = "E               poolkit.PoolShutdownError: pool 'pool_c' is shutting down"
    assert line in text
    text = text.replace(line, f"{line} [{SHAPED} {ENV_SECRET}]", 1)
    text = text.replace(
        "INFO     poolkit:poolkit.py:116 pool 'pool_c' started",
        f"INFO     poolkit:poolkit.py:116 token={ENV_SECRET} {SK_KEY} pool 'pool_c' started",
        1,
    )
    log = tmp_path / "planted.log"
    log.write_text(text)
    return log


@pytest.mark.parametrize("fmt", ["term", "md", "json", "junit"])
def test_triage_of_a_log_with_secrets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, planted_env: Path, fmt: str
) -> None:
    log = planted_log(tmp_path)
    run = tmp_path / "run"
    out_file = tmp_path / f"out.{fmt}"
    argv = ["triage", str(log), "--run-dir", str(run), "-f", fmt, "--annotations"]
    code, out, err = cli(capsys, *argv)
    assert code == 1, err
    code, _, _ = cli(capsys, *argv[:-1], "--output", str(out_file))
    assert "[redacted" in out  # the annotations beside a document: on standard error
    assert "::error " in (out if fmt == "term" else err)
    assert not leaks(out, err, out_file.read_bytes(), planted_env.read_bytes(), folders=(run,))
    # the same log with --keep-secrets: the secrets do reach the outputs, and it says so
    kept = [*argv[:3], str(tmp_path / "kept"), *argv[4:], "--keep-secrets"]  # (its own folder)
    code, out, _ = cli(capsys, *kept)
    assert SK_KEY in out and ENV_SECRET in out and "--keep-secrets" in out


def test_keep_secrets_says_so_in_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, reports_in_tmp: Path
) -> None:
    log = planted_log(tmp_path)
    for fmt in ("term", "md", "json", "junit"):
        _code, out, _ = cli(capsys, "triage", str(log), "-f", fmt, "--keep-secrets")
        assert "secrets were NOT redacted" in out, fmt
    doc = (next(iter(sorted(reports_in_tmp.glob("2*")))) / "report.json").read_text()
    assert KEEP_NOTE in doc and SK_KEY in doc


def test_ping_a_worker_whose_env_stderr_and_response_hold_secrets(
    run_cli: RunCli, tmp_path: Path, planted_env: Path
) -> None:
    run = tmp_path / "run"
    args = f'{{"token": "{WORKER_SECRET}", "env": "{ENV_SECRET}", "shaped": "{SK_KEY}"}}'
    argv = ["ping", "--run-dir", str(run), "--env", f"WORKER_TOKEN={WORKER_SECRET}"]
    argv += ["--command", "echo", "--args", args, "--annotations"]
    noise = f"starting with {WORKER_SECRET} {ENV_SECRET} {SHAPED}"
    code, out, err = run_cli(*argv, "--", *REFERENCE, "--stderr-noise", noise)
    assert code == 0, err
    assert "[redacted:WORKER_TOKEN]" in out  # the echoed response, in the terminal view
    transcript = (run / "workers" / "w1.stdout.bin").read_bytes()
    assert b'"token":"[redacted]***********"' in transcript  # same length: frames still hold
    stderr_log = (run / "workers" / "w1.stderr.log").read_text()
    assert "[redacted:POOLCTL_TEST_API_KEY]" in stderr_log and "Bearer [redacted]" in stderr_log
    outputs = [out, err]
    for fmt in ("md", "json", "junit", "term"):
        code, text, err = run_cli("report", str(run), "-f", fmt, "--annotations")
        assert code == 0, err
        outputs += [text, err]
    assert not leaks(*outputs, planted_env.read_bytes(), folders=(run,))


def test_ping_diagnosis_quoting_a_crashed_workers_stderr(
    run_cli: RunCli, tmp_path: Path, planted_env: Path
) -> None:
    run = tmp_path / "run"
    argv = ["ping", "--run-dir", str(run), "--no-experiments", "--timeout", "2", "-f", "md"]
    argv += ["--env", f"WORKER_TOKEN={WORKER_SECRET}", "--annotations"]
    noise = f"boot {WORKER_SECRET} {ENV_SECRET} {SHAPED}"
    code, out, err = run_cli(
        *argv, "--", *REFERENCE, "--stderr-noise", noise, "--crash-on-start", "3"
    )
    assert code == 1, err
    assert "[redacted:WORKER_TOKEN]" in out and "::error " in err  # beside the Markdown
    assert not leaks(out, err, planted_env.read_bytes(), folders=(run,))


def test_scenario_with_secrets_in_env_requests_debug_logs_and_trace(
    run_cli: RunCli, tmp_path: Path, planted_env: Path
) -> None:
    worker = tmp_path / "worker.py"
    worker.write_text(
        "import os, sys, runpy\n"
        "wid = os.environ['POOLCTL_WORKER_ID']\n"
        f"log = os.path.join({str(tmp_path)!r}, f'bridge_{{wid}}.log')\n"
        "open(log, 'w').write(f'{wid} key ' + os.environ['SCENARIO_API_KEY'] + '\\n')\n"
        "print('stderr ' + os.environ['SCENARIO_API_KEY'], file=sys.stderr, flush=True)\n"
        "sys.argv = ['reference']\n"
        "runpy.run_module('poolctl.workers.reference', run_name='__main__')\n"
    )
    scenario = tmp_path / "secrets.yaml"
    scenario.write_text(
        "name: secrets\n"
        "worker:\n"
        f"  command: ['{{python}}', '{worker}']\n"
        f"  env: {{SCENARIO_API_KEY: '{SCENARIO_SECRET}'}}\n"
        f"  debug_logs: ['{tmp_path}/bridge_{{worker_id}}.log']\n"
        "pool: {size: 1}\n"
        "steps:\n"
        "  - request:\n"
        "      command: echo\n"
        f"      args: {{token: '{SCENARIO_SECRET}', auth: '{SHAPED}'}}\n"
        "      expect: {equals: {result.token: other}}\n"
    )
    run = tmp_path / "run"
    code, out, err = run_cli("run-scenario", str(scenario), "--run-dir", str(run))
    assert code == 1, err  # the expectation fails: the echoed token is quoted as evidence
    assert "[redacted:SCENARIO_API_KEY]" in (run / "events.jsonl").read_text()
    assert "[redacted:SCENARIO_API_KEY]" in (run / "workers" / "w1.debug.log").read_text()
    outputs = [out, err]
    for fmt in ("md", "json", "junit"):
        code, text, err = run_cli("report", str(run), "-f", fmt)
        outputs += [text, err]
    assert not leaks(*outputs, planted_env.read_bytes(), folders=(run,))


def test_an_internal_error_saves_a_redacted_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import poolctl.commands.triage as triage_module

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError(f"failed with {ENV_SECRET} and {SK_KEY}")

    monkeypatch.setattr(triage_module, "Triage", boom)
    run = tmp_path / "run"
    code, out, err = cli(capsys, "triage", str(FIXTURE), "--run-dir", str(run))
    assert code == 3 and f"the traceback is in {run / 'traceback.txt'}" in err
    assert "RuntimeError" in (run / "traceback.txt").read_text()
    assert not leaks(out, err, folders=(run,))


def test_redaction_is_back_on_after_a_keep_secrets_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = planted_log(tmp_path)
    _, out, _ = cli(capsys, "triage", str(log), "--keep-secrets")
    assert leaks(out)  # each command has a context of its own: the next starts redacting
    _, out, _ = cli(capsys, "triage", str(log))
    assert not leaks(out)


def test_progress_lines_printed_live_are_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from poolctl.console import stdout_console

    stdout_console().print(f"progress: worker said {ENV_SECRET} {SK_KEY}")
    out = capsys.readouterr().out
    assert "[redacted:POOLCTL_TEST_API_KEY]" in out and not leaks(out)
    assert sys.stdout is not None


def test_the_tours_one_line_view_says_secrets_were_kept(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios" / "healthy.yaml"
    monkeypatch.setattr("poolctl.scenario.bundled_scenarios", lambda: [healthy])
    code, out, _ = run_cli("run-scenario", "--keep-secrets")
    assert code == 0 and "1 of 1 scenario(s)" in out and "secrets were NOT redacted" in out
    code, out, _ = run_cli("run-scenario")
    assert code == 0 and "NOT redacted" not in out


@pytest.mark.parametrize("given", ["env", "option"])
def test_a_history_url_error_line_shows_its_example_whole(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """The error line's example (`postgresql://USER:PASSWORD@HOST/DB`, what the user is told
    to type) read `postgresql://USER:[redacted]@HOST/DB`."""
    bad = "mysql://bob@db.internal/app"
    if given == "env":
        monkeypatch.setenv("POOLCTL_HISTORY", bad)
        code, out, err = cli("history", "runs")
    else:
        code, out, err = cli("history", "runs", "--history", bad)
    assert code == 2 and out == ""
    assert "use sqlite:///PATH, postgresql://USER:PASSWORD@HOST/DB, or a file path" in err


@pytest.mark.parametrize("user", ["bob", "USER"])
def test_a_history_url_the_user_gave_stays_redacted_in_its_error_line(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, user: str
) -> None:
    # nothing listens on port 1: the store cannot be opened, and the line names it
    for password in (URL_PASSWORD, "PASSWORD"):
        monkeypatch.setenv("POOLCTL_HISTORY", f"postgresql://{user}:{password}@127.0.0.1:1/DB")
        code, _, err = cli("history", "runs")
        assert code == 2
        assert f"history store postgresql://{user}:[redacted]@127.0.0.1:1/DB: cannot open" in err
        assert f":{password}@" not in err
