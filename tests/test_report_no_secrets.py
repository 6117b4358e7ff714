"""No secret planted in a command's input reaches its standard output or error.

Every command that prints text taken from its input (a log, a pattern file, a worker's output
and answers, a scenario, a saved report, a file name) is run with a GitHub token, an `sk-` key
and the value of a secret-named variable planted in that input; everything it prints goes
through the one redacting console factory. With `--keep-secrets` the same input does print
them: the check can fail. (`patterns` has no `--keep-secrets`: it always redacts.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.patterns import builtin_dir
from tests.conftest import REFERENCE, Processes

GITHUB_TOKEN = "ghp_" + "Q2x9Lm4Tz8Vb1Nc7Rk5W" * 2  # a token shape: redacted wherever it is
SK_KEY = "sk-proj-Yh3Kd8Pq2Zr6Wm1Tn4Vs"
NAMED = "nmd-Secret-3c1e9a7f04"  # the value of a secret-named variable of poolctl's environment
SECRETS = (GITHUB_TOKEN, SK_KEY, NAMED)
PLANTED = f"{GITHUB_TOKEN} {SK_KEY} {NAMED}"
SCENARIOS = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios"
PYTEST_LOG = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
SHUTDOWN_LINE = "E               poolkit.PoolShutdownError: pool 'pool_c' is shutting down"

Argv = Callable[[Path], list[str]]


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POOLCTL_TEST_DEPLOY_TOKEN", NAMED)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def planted_log(tmp: Path) -> Path:
    """A real pytest log whose failure message quotes the secrets."""
    text = PYTEST_LOG.read_text()
    assert SHUTDOWN_LINE in text
    log = tmp / "planted.log"
    log.write_text(text.replace(SHUTDOWN_LINE, f"{SHUTDOWN_LINE} [{PLANTED}]"))
    return log


def planted_patterns(tmp: Path) -> Path:
    """A pattern folder overriding pattern 5: its title and an example note quote secrets."""
    folder = tmp / "patterns"
    folder.mkdir()
    source = next(builtin_dir().glob("p5-*.yaml")).read_text()
    title = "title: Worker rejects a request without a required field"
    note = "- note: the DSPex corpus, an error tuple from the worker"
    assert title in source and note in source
    source = source.replace(title, f"title: 'rejects {PLANTED}'")
    source = source.replace(note, f"- note: 'corpus {PLANTED}'")
    (folder / "p5.yaml").write_text(source)
    return folder


def planted_scenario(tmp: Path) -> Path:
    """A scenario whose request sends the secrets and whose expectation quotes the answer;
    in a folder named after a token (the file name is printed too)."""
    folder = tmp / GITHUB_TOKEN
    folder.mkdir()
    path = folder / "s.yaml"
    path.write_text(
        "name: planted\n"
        "worker:\n"
        "  command: ['{python}', '-m', 'poolctl.workers.reference']\n"
        "pool: {size: 1}\n"
        "steps:\n"
        "  - request:\n"
        "      command: echo\n"
        f"      args: {{token: '{PLANTED}'}}\n"
        "      expect: {equals: {result.token: other}}\n"
    )
    return path


def saved_run(tmp: Path) -> Path:
    """A run folder whose report.json keeps the secrets (written with --keep-secrets)."""
    run = tmp / "kept"
    assert main(["triage", str(planted_log(tmp)), "--keep-secrets", "--run-dir", str(run)]) == 1
    assert GITHUB_TOKEN in (run / "report.json").read_text()
    return run


CASES: dict[str, Argv] = {
    "triage": lambda t: ["triage", str(planted_log(t))],
    "triage md": lambda t: ["triage", str(planted_log(t)), "-f", "md", "--annotations"],
    "patterns test LOG": lambda t: [
        "patterns",
        "test",
        "pool-shutdown-during-checkout",
        str(planted_log(t)),
    ],
    "patterns test LOG --json": lambda t: [
        "patterns",
        "test",
        "pool-shutdown-during-checkout",
        str(planted_log(t)),
        "--json",
    ],
    "patterns list": lambda t: ["patterns", "list", "--patterns", str(planted_patterns(t))],
    "patterns list --json": lambda t: [
        *("patterns", "list", "--json", "--patterns", str(planted_patterns(t)))
    ],
    "patterns show -f md": lambda t: [
        *("patterns", "show", "5", "-f", "md", "--patterns", str(planted_patterns(t)))
    ],
    "patterns test -v -f md": lambda t: [
        *("patterns", "test", "5", "-v", "-f", "md", "--patterns", str(planted_patterns(t)))
    ],
    "patterns show": lambda t: ["patterns", "show", "5", "--patterns", str(planted_patterns(t))],
    "patterns test": lambda t: ["patterns", "test", "5", "--patterns", str(planted_patterns(t))],
    "ping answer": lambda t: [
        "ping",
        "--command",
        "echo",
        "--args",
        f'{{"token": "{PLANTED}"}}',
    ],
    "ping diagnosis": lambda t: [
        "ping",
        "--no-experiments",
        "--timeout",
        "2",
        "--",
        *REFERENCE,
        "--stderr-noise",
        f"boot {PLANTED}",
        "--crash-on-start",
        "3",
    ],
    "doctor -v": lambda t: [
        "doctor",
        "-v",
        "--timeout",
        "2",
        "--",
        *REFERENCE,
        "--stderr-noise",
        f"boot {PLANTED}",
    ],
    "run-scenario": lambda t: ["run-scenario", str(planted_scenario(t))],
    "run-scenario --check": lambda t: ["run-scenario", "--check", str(planted_scenario(t))],
    "report": lambda t: ["report", str(saved_run(t))],
    "an error": lambda t: ["triage", str(t / f"{GITHUB_TOKEN}.log")],
}


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_secret_reaches_the_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, processes: Processes
) -> None:
    argv = CASES[case](tmp_path)
    capsys.readouterr()  # what preparing the input printed
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), err
    assert "[redacted" in out + err, f"{case}: the planted text is not shown at all"
    assert not leaked(out + err), case


@pytest.mark.parametrize("case", ["triage", "ping answer", "run-scenario --check"])
def test_keep_secrets_shows_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, processes: Processes
) -> None:
    argv = [*CASES[case](tmp_path), "--keep-secrets"]
    capsys.readouterr()
    main(argv)
    out, err = capsys.readouterr()
    assert leaked(out + err), case


CUT_SHORT = ("kd-CutPw0rd", "ghp_cutShort", "sk-cutKey")  # what a runner printed of each secret


@pytest.mark.parametrize("fmt", ["term", "json", "md"])
def test_a_secret_the_runner_cut_short_in_its_quotes_reaches_no_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    """pytest and ExUnit cut a long repr short: `'token': 'ghp_ab...`, no closing quote; the
    value was shown whole, neither a known shape nor a quoted value that ends."""
    text = PYTEST_LOG.read_text()
    cut = (
        f"password=\"{CUT_SHORT[0]}... {{'token': '{CUT_SHORT[1]}...\n"
        f'E               api_key="{CUT_SHORT[2]}…'
    )
    log = tmp_path / "cut.log"
    log.write_text(text.replace(SHUTDOWN_LINE, f"{SHUTDOWN_LINE} {cut}"))
    code = main(["triage", str(log), "-v", "-f", fmt, "--annotations", "--no-history"])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "[redacted]" in out + err and "pool 'pool_c' is shutting down" in out + err
    assert not [s for s in CUT_SHORT if s in out + err]


def test_a_triage_run_folder_holds_no_secret_and_its_report_is_redacted_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reports_in_tmp: Path,
) -> None:
    """The report is built from strings redacted as the log was read: the scrub at the end
    does not read its files again (a 10 MB report.json), and none of them holds a secret."""
    from poolctl.redact import Redactor

    scrubbed: list[str] = []
    real_file = Redactor.file

    def spy(self: Redactor, path: Path, *args: object, **kwargs: object) -> bool:
        scrubbed.append(path.name)
        return real_file(self, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Redactor, "file", spy)
    monkeypatch.chdir(tmp_path)
    log = planted_log(tmp_path)
    assert main(["triage", str(log), "--no-history", "-f", "junit", "-o", "j.xml"]) == 1
    capsys.readouterr()
    saved = [p for p in reports_in_tmp.rglob("*") if p.is_file()]
    assert any(p.name == "report.json" for p in saved)
    for p in [*saved, tmp_path / "j.xml"]:
        assert not leaked(p.read_text("utf-8", "replace")), p
    assert "report.json" not in scrubbed
