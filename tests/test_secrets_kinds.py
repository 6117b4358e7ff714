"""Every kind of secret, planted in every place a run reads, reaches no output and no file.

The kinds: the values of variables named like `DB_PASS`, `MYSQL_PWD`, `SSH_PRIVATE_KEY` (in
poolctl's environment) and `WORKER_PASSWD` (a worker's); a `--api-key` value on the worker's
command line; what follows `password=`, `secret:` and `Authorization:`; tokens glued to a word,
to an escape and to a colour code. They are planted in a worker's stderr, its stdout (as text
where frames belong, cut short when quoted: a token straddles the cut), its answers and its
debug log, and in a triaged log. Then every output is searched (the terminal view, Markdown,
JSON, JUnit XML, annotations, the job summary, `--output`, `poolctl report` in each format) and
every file of the run folder. The redactor's own tests are below: cutting, files in chunks.
"""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from poolctl.framing import quote
from poolctl.logs.scan import clip
from poolctl.redact import Redactor, secret_name
from tests.conftest import RunCli

DB_PASS = "kd-DbPass-3e9f1a"
MYSQL_PWD = "kd-MyPwd-62c0bd"
PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nkdPrivKey0123456789\n-----END OPENSSH PRIVATE KEY-----"
)
WORKER_PASSWD = "kd-WrkPasswd-90aa1c"
ARGV_KEY = "kd-ArgvKey-4d7e21"
PROSE_PASSWORD = "kd-Prose-hunter2"
PROSE_SECRET = "kd-SecretColon-8b1f"
AUTH_TOKEN = "kd-AuthTok-5c3a90e"
GLUED = "ghp_" + "Kd4Wq8Zr2Lm6Tn1Yb9Vx" * 2
ESCAPED = "sk-proj-Kd7Rn2Qw9Lz4Tb6Xs1"
COLOURED = "xoxb-" + "kd3840261975-Slack0Tok"
SECRETS = {
    "DB_PASS": DB_PASS,
    "MYSQL_PWD": MYSQL_PWD,
    "SSH_PRIVATE_KEY": "kdPrivKey0123456789",
    "WORKER_PASSWD": WORKER_PASSWD,
    "--api-key": ARGV_KEY,
    "password=": PROSE_PASSWORD,
    "secret:": PROSE_SECRET,
    "Authorization:": AUTH_TOKEN,
    "glued to a word": GLUED,
    "glued to an escape": ESCAPED,
    "glued to a colour code": COLOURED,
}
PROSE = (
    f"db {DB_PASS} my {MYSQL_PWD} worker {WORKER_PASSWD} password={PROSE_PASSWORD} "
    f"secret: {PROSE_SECRET} Authorization: Token {AUTH_TOKEN} ID{GLUED} \x1b[31m{COLOURED}\x1b[0m"
)
# a worker: its stderr, its debug log and a stray line on stdout say it all, then it serves
WORKER = """
import os, sys, runpy
prose = os.environ["PLANTED"]
print(prose, "\\n" + os.environ["SSH_PRIVATE_KEY"], file=sys.stderr, flush=True)
open(os.environ["POOLCTL_DEBUG_LOG"], "a").write(prose + "\\n")
if "--noisy" in sys.argv:  # text where a frame belongs; the glued token straddles byte 80
    print("x" * 66 + " ID" + os.environ["GLUED"] + " " + prose, flush=True)
sys.argv = ["reference", "--framing", "line"]
runpy.run_module("poolctl.workers.reference", run_name="__main__")
"""


@pytest.fixture(autouse=True)
def planted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DB_PASS", DB_PASS)
    monkeypatch.setenv("MYSQL_PWD", MYSQL_PWD)
    monkeypatch.setenv("SSH_PRIVATE_KEY", PRIVATE_KEY)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def leaks(texts: list[str], folders: list[Path]) -> list[str]:
    found = [
        f"{kind} in output {i}"
        for i, t in enumerate(texts)
        for kind, s in SECRETS.items()
        if s in t
    ]
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                data = p.read_bytes()
                found += [f"{kind} in {p}" for kind, s in SECRETS.items() if s.encode() in data]
    return found


def every_output(run_cli: RunCli, argv: list[str], run: Path, tmp_path: Path) -> list[str]:
    """The command's terminal view and annotations, its --output in each format, and
    `poolctl report` of its run folder in each format."""
    at = argv.index("--") if "--" in argv else len(argv)  # options go before the worker's
    code, out, err = run_cli(*argv[:at], "--run-dir", str(run), "--annotations", *argv[at:])
    assert code in (0, 1), err
    texts = [out, err]
    for fmt in ("md", "json", "junit"):
        target = tmp_path / f"out.{fmt}"
        code, out, err = run_cli("report", str(run), "-f", fmt, "--annotations", "-o", str(target))
        assert code == 0, err
        texts += [out, err, target.read_text()]
    return texts


def worker_argv(tmp_path: Path, *switches: str) -> list[str]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return [sys.executable, str(script), *switches, "--api-key", ARGV_KEY]


def worker_env(tmp_path: Path) -> list[str]:
    return [
        "--env", f"WORKER_PASSWD={WORKER_PASSWD}",
        "--env", f"PLANTED={PROSE}",
        "--env", f"GLUED={GLUED}",
        "--env", f"POOLCTL_DEBUG_LOG={tmp_path / 'run' / 'workers' / 'w1.debug.log'}",
    ]  # fmt: skip


def test_a_ping_whose_worker_answers(run_cli: RunCli, tmp_path: Path, planted: Path) -> None:
    argv = ["ping", "--framing", "line", *worker_env(tmp_path), "--command", "echo"]
    argv += ["--args", json.dumps({"said": f"{PROSE} {chr(10)}{ESCAPED}"}), "--"]
    texts = every_output(run_cli, [*argv, *worker_argv(tmp_path)], tmp_path / "run", tmp_path)
    assert "[redacted:WORKER_PASSWD]" in texts[0]  # the echoed answer, in the terminal view
    assert not leaks([*texts, planted.read_text()], [tmp_path / "run"])


def test_a_ping_quoting_text_on_the_framed_stdout(
    run_cli: RunCli, tmp_path: Path, planted: Path
) -> None:
    argv = ["ping", "--framing", "line", "--timeout", "2", "--no-experiments"]
    argv += [*worker_env(tmp_path), "--"]
    run = tmp_path / "run"
    texts = every_output(run_cli, [*argv, *worker_argv(tmp_path, "--noisy")], run, tmp_path)
    assert "text" in texts[0]  # the diagnosis quotes the stray line, cut short
    assert not leaks([*texts, planted.read_text()], [run])


def test_a_triaged_log(cli: RunCli, tmp_path: Path, planted: Path) -> None:
    log = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
    line = "E               poolkit.PoolShutdownError: pool 'pool_c' is shutting down"
    text = log.read_text()
    escaped = repr(f"\n{ESCAPED}")  # as bytes evidence is quoted: `'\\nsk-…'`
    planted_log = tmp_path / "planted.log"
    planted_log.write_text(text.replace(line, f"{line} [{PROSE} --api-key {ARGV_KEY} {escaped}]"))
    run = tmp_path / "run"
    texts = every_output(cli, ["triage", str(planted_log)], run, tmp_path)
    assert "password=[redacted]" in texts[0]
    found = leaks([*texts, planted.read_text()], [run])
    # a worker's environment is not known to a triage: its secret-named value stays
    assert [f for f in found if not f.startswith("WORKER_PASSWD")] == []


# --- the redactor ----------------------------------------------------------------------------
def test_secret_names() -> None:
    named = ["DB_PASS", "MYSQL_PWD", "SSH_PRIVATE_KEY", "REDIS_PASSWD", "GH_TOKEN", "API_KEY"]
    plain = ["PWD", "OLDPWD", "SSH_ASKPASS", "GIT_ASKPASS", "KEYRING", "GIT_AUTHOR_NAME", "PATH"]
    assert [n for n in named if not secret_name(n)] == []
    assert [n for n in plain if secret_name(n)] == []


@pytest.mark.parametrize("at", [60, 70, 75, 79])
def test_a_quote_cut_short_never_shows_part_of_a_token(at: int) -> None:
    data = b"x" * at + GLUED.encode() + b" and more text after it"
    shown = quote(data, 80)
    assert GLUED[: 80 - at] not in shown  # the mark may be cut short, the token is gone


def test_a_clipped_log_line_never_shows_part_of_a_token() -> None:
    text = "y" * 990 + f" token {GLUED} trailing"
    clipped = clip(text, 1000)
    assert GLUED[:6] not in clipped and len(clipped) <= 1000


def test_the_tail_of_stderr_starts_on_no_half_token(tmp_path: Path) -> None:
    from poolctl.worker import WorkerProcess, WorkerSpec

    worker = WorkerProcess(WorkerSpec(argv=("true",)), tmp_path)
    worker.stderr_path.write_bytes(b"a" * 5000 + GLUED.encode() + b"z" * 100)
    tail = worker.stderr_tail(max_bytes=120)
    assert GLUED[-10:] not in tail


REDACTOR = Redactor({DB_PASS: "DB_PASS", PRIVATE_KEY: "SSH_PRIVATE_KEY"})
PLANTABLE = [DB_PASS, GLUED, f"password={PROSE_PASSWORD}", PRIVATE_KEY, f"\\n{ESCAPED}"]


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.binary(max_size=300), st.sampled_from(PLANTABLE)), min_size=1, max_size=12
    ),
    st.sampled_from([7, 64, 300]),
    st.booleans(),
)
# found by a run of the suite: the last chunk began with the `\` of `\nsk-…` alone (no
# separator before it), and the next piece, `nsk-…`, was a word, not a key: it was left whole
@example(
    [
        (b"\x00", f"password={PROSE_PASSWORD}"),
        (b"\x00\x00", f"\\n{ESCAPED}"),
        (b"", DB_PASS),
        (b"\x00", f"\\n{ESCAPED}"),
        (b"\x00\x00", DB_PASS),
    ],
    64,
    False,
)
# and with the bytes before a secret kept with it, a cut moved back into the secret before
@example([(b"", DB_PASS)] * 6 + [(b"", PRIVATE_KEY)], 7, False)
def test_a_file_redacted_in_chunks_is_redacted_as_a_whole(
    pieces: list[tuple[bytes, str]], chunk: int, transcript: bool
) -> None:
    """Chunks far smaller than a secret, with the overlap the longest secret needs: the file
    ends as the whole would (and a `.bin` transcript keeps its length)."""
    import tempfile

    data = b"".join(junk + b" " + secret.encode() + b" " for junk, secret in pieces)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("w1.stdout.bin" if transcript else "w1.stderr.log")
        path.write_bytes(data)
        REDACTOR.file(path, chunk=chunk, overlap=len(PRIVATE_KEY) + 8)
        got = path.read_bytes()
    assert got == REDACTOR.bytes(data, same_length=transcript)
    assert not [s for s in (DB_PASS, GLUED, PROSE_PASSWORD) if s.encode() in got]


def test_a_big_file_is_never_held_whole(tmp_path: Path) -> None:
    """Redacting a 24 MB file allocates a few chunks' worth, not the file (a 500 MB stderr
    took 558 MB when it was read whole; bench/scrub.py measures it at full size)."""
    path = tmp_path / "big.log"
    line = b"INFO worker heartbeat " + b"." * 100 + b"\n"
    with path.open("wb") as f:
        for i in range(200_000):
            f.write(line if i % 50_000 else DB_PASS.encode() + b" " + line)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        assert REDACTOR.file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024 < size
    assert DB_PASS.encode() not in path.read_bytes()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("upload failed with AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENG", "wJalrXUtnFEMIK7MDENG"),
        ("SECRET_KEY=django-insecure-kd42", "django-insecure-kd42"),
        ("Error connecting to redis://:RedisPass777@localhost:6379/0", "RedisPass777"),
        ('got %{"username" => "admin", "password" => "ElixirMapPw888"}', "ElixirMapPw888"),
        ("{:password => 'RubyHashPw'}", "RubyHashPw"),
        ('{"secret_token": "kd-SecretTok-1"}', "kd-SecretTok-1"),
        ('{"apiKey": "kd-CamelKey-2"}', "kd-CamelKey-2"),
        ("token='kd-BareTok-3'", "kd-BareTok-3"),
        ("refresh_token=kd-Refresh-4&x=1", "kd-Refresh-4"),
    ],
)
def test_secrets_in_the_forms_languages_print_them(text: str, secret: str) -> None:
    assert secret not in Redactor().text(text)
    assert secret.encode() not in Redactor().bytes(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "SyntaxError: unexpected token: }",
        "Unexpected token '<' in JSON at position 0",
        "max_tokens=100",
        "http://localhost:8080/path@x",
        # a quote left open after no secret's key, or after a secret's key with no separator
        "Unexpected token '...' in JSON at position 0",
        "SyntaxError: unexpected token: '}",
        "KeyError: 'password'",
        "assert 'token' in response.json(), 'no token...",
        "{'tokens': 'abcdefgh...",
        "{'token_count': '1234567...",
        'the "secret" field, then: "…',
        'password: "',
    ],
)
def test_what_only_looks_like_a_secret_is_kept(text: str) -> None:
    assert Redactor().text(text) == text
    assert Redactor().bytes(text.encode()) == text.encode()


@pytest.mark.parametrize(
    ("text", "shown"),
    [  # a runner cut the quoted value short: no closing quote; the secret up to where it ends
        ('password="hunter2hunter2hun...', 'password="[redacted]...'),
        ("E   {'user': 'bob', 'token': 'ghp_abc...", "E   {'user': 'bob', 'token': '[redacted]..."),
        ('api_key="sk-abcdef…', 'api_key="[redacted]…'),
        ('%{"password" => "ElixirCutPw... (38 more)', '%{"password" => "[redacted]... (38 more)'),
        ("client_secret: 'kd-SecretCut", "client_secret: '[redacted]"),
        ('secret="kd-Cut\nnext line', 'secret="[redacted]\nnext line'),
        # the closing quote still ends it: an ellipsis inside the value is the value's
        ("password='kd-a...b', 'x': 'y'", "password='[redacted]', 'x': 'y'"),
        ("{'token': 'kd-Quoted-Key'}", "{'token': '[redacted]'}"),
    ],
)
def test_a_quoted_secret_cut_short_is_redacted_up_to_its_end(text: str, shown: str) -> None:
    assert Redactor().text(text) == shown
    assert Redactor().bytes(text.encode()) == shown.encode()


# Lines real programs print about a file named like a key (`mkdir`, `ln` and `file` in the C
# locale, Python's FileExistsError): the path's last component is no key, the message no value.
FILE_MESSAGES = [
    "mkdir: cannot create directory '/etc/passwd': File exists",
    "ln: failed to create symbolic link '/etc/passwd': File exists",
    "/etc/passwd: ASCII text",
    "FileExistsError: [Errno 17] File exists: '/etc/passwd'",
    "mkdir: cannot create directory '/run/secrets/db_password': File exists",
    "cat: /etc/.passwd: No such file or directory",
]


@pytest.mark.parametrize("text", FILE_MESSAGES)
def test_a_message_about_a_file_named_like_a_key_is_kept(text: str) -> None:
    assert Redactor().text(text) == text
    assert Redactor().bytes(text.encode()) == text.encode()


@pytest.mark.parametrize(
    ("text", "shown"),
    [  # a key at the start of its word, however the word begins, keeps its value redacted
        ("passwd: hunter2", "passwd: [redacted]"),
        ("PASSWORD=hunter2", "PASSWORD=[redacted]"),
        ('{"password": "hunter2"}', '{"password": "[redacted]"}'),
        ("DB_PASSWORD=hunter2", "DB_PASSWORD=[redacted]"),
        ("spring.datasource.password=hunter2", "spring.datasource.password=[redacted]"),
        (r"b'user=bob\npassword=hunter2'", r"b'user=bob\npassword=[redacted]'"),
        # a file's name, then its content (grep -H): the content may be the secret
        ("/run/secrets/db_password:hunter2", "/run/secrets/db_password:[redacted]"),
        ("/etc/app/password=hunter2", "/etc/app/password=[redacted]"),
    ],
)
def test_a_key_keeps_its_value_redacted_beside_file_messages(text: str, shown: str) -> None:
    assert Redactor().text(text) == shown
    assert Redactor().bytes(text.encode()) == shown.encode()


def test_a_workers_message_about_etc_passwd_is_shown_whole(run_cli: RunCli, tmp_path: Path) -> None:
    """A real worker that fails on `/etc/passwd` (it exists on every Linux): its stderr, quoted
    as the crash's evidence, reads as printed."""
    worker = "LC_ALL=C mkdir /etc/passwd; exit 1"
    run = tmp_path / "run"
    code, out, err = run_cli(
        "ping", "--timeout", "2", "--run-dir", str(run), "--", "sh", "-c", worker
    )
    assert code == 1, out + err
    assert "mkdir: cannot create directory '/etc/passwd': File exists" in out
    assert "[redacted" not in out


@pytest.mark.parametrize(
    ("text", "shown"),
    [  # a prompt quoted whole: the quote after its colon closes it, no value follows
        ("('first' … 'Vault password: '): harmless", "('first' … 'Vault password: '): harmless"),
        ("print('Enter password: ', end='')", "print('Enter password: ', end='')"),
        ("['Vault password: ', 'next']", "['Vault password: ', 'next']"),
        ('"Secret: "}', '"Secret: "}'),
        # the value typed after the prompt is still one
        ("Vault password: hunter2", "Vault password: [redacted]"),
        ("'Vault password: hunter2'", "'Vault password: [redacted]'"),
        ("Vault password: 'hunter2'", "Vault password: '[redacted]'"),
    ],
)
def test_a_quoted_prompt_is_kept_and_the_answer_to_it_is_not(text: str, shown: str) -> None:
    assert Redactor().text(text) == shown
    assert Redactor().bytes(text.encode()) == shown.encode()


def test_doctor_quotes_a_password_prompt_on_stderr_whole(run_cli: RunCli, tmp_path: Path) -> None:
    """A real worker asking for a password with getpass: doctor's stderr summary quotes its
    last line, the prompt; the redactor read the quote closing it as a value's opening and
    replaced it and the rest of the summary (`'Vault password: '[redacted]`)."""
    worker = str(Path(__file__).resolve().parent / "workers" / "asks_password.py")
    run = tmp_path / "run"
    code, out, err = run_cli(
        "doctor", "--timeout", "2", "--run-dir", str(run), "--", sys.executable, worker
    )
    assert code == 1, out + err
    summary = next(ln for ln in out.splitlines() if "line(s) on stderr at start" in ln)
    assert "'Vault password: ')" in summary, summary
    assert "[redacted" not in summary, summary
