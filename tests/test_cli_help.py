"""One CLI convention: every `--help` ends with examples and exit codes and shows no type
labels; fixed choices agree with the registries; the output options on every report command
and on the `patterns` documents; shell completion; a bare `poolctl`; `--version` and `--help`
load no command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poolctl.commands.index import COMMANDS
from poolctl.framing import FRAMINGS
from poolctl.logs import FORMATS
from poolctl.options import FramingName, LogFormat, PingFraming, ProtocolName
from poolctl.protocol import PROTOCOLS
from tests.conftest import Processes, RunCli
from tests.forkserver import Forkserver

HELPS = [
    *([c.name] for c in COMMANDS),
    ["patterns", "list"],
    ["patterns", "show"],
    ["patterns", "test"],
    ["patterns", "new"],
    *(["history", sub] for sub in ("runs", "test", "flaky", "patterns", "prune")),
]
REPORTING = ("doctor", "ping", "triage", "run-scenario", "report")


def test_the_top_level_help_lists_every_command_with_examples(cli: RunCli) -> None:
    code, out, _ = cli("--help")
    assert code == 0
    assert all(c.name in out for c in COMMANDS)
    assert "Examples:" in out and "Exit codes:" in out and "<bool>" not in out


@pytest.mark.parametrize("argv", HELPS, ids=" ".join)
def test_every_help_has_examples_exit_codes_and_no_type_labels(
    cli: RunCli, argv: list[str]
) -> None:
    code, out, err = cli(*argv, "--help")
    assert code == 0, err
    assert "Examples:" in out and "Exit codes:" in out
    for label in ("<str>", "<bool>", "<int>", "<float>", "<list", "<path>", "<enum"):
        assert label not in out, (argv, label)


@pytest.mark.parametrize("name", REPORTING)
def test_every_report_command_takes_the_output_options(cli: RunCli, name: str) -> None:
    _, out, _ = cli(name, "--help")
    for option in ("--json", "--quiet", "-q", "--verbose", "-v", "--format", "--output"):
        assert option in out, (name, option)


@pytest.mark.parametrize("sub", ["list", "show", "test"])
def test_the_patterns_documents_take_the_output_options(cli: RunCli, sub: str) -> None:
    _, out, _ = cli("patterns", sub, "--help")
    for option in ("--json", "--quiet", "-q", "--verbose", "-v", "--format", "--output"):
        assert option in out, (sub, option)
    assert "term, md (GitHub Markdown) or json" in out  # a document: no junit, no html


def test_patterns_new_says_what_it_wrote_as_the_others_do(cli: RunCli) -> None:
    _, out, _ = cli("patterns", "new", "--help")
    for option in ("--json", "-q", "-v", "--output"):  # --output: where the pattern goes
        assert option in out
    assert re.search(r"│\s+--format\b", out) is None  # no row of its own: a file, not a view


def test_the_fixed_choices_are_the_registries() -> None:
    assert [f.value for f in FramingName] == list(FRAMINGS)
    assert [f.value for f in PingFraming] == [*FRAMINGS, "auto"]
    assert [p.value for p in ProtocolName] == list(PROTOCOLS)
    assert [f.value for f in LogFormat] == list(FORMATS)


def test_a_choice_outside_the_list_is_one_line_and_exit_2(cli: RunCli) -> None:
    code, out, err = cli("triage", "--log-format", "nose", "x.log")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'nose' is not one of" in err
    assert "Value error" not in err  # pydantic's prefix, which said nothing to the user


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("trige", "'triage'"), ("run_scenario", "'run-scenario'"), ("dcotor", "'doctor'")],
)
def test_a_misspelt_command_is_named_as_a_subcommand_s_is(
    cli: RunCli, typed: str, meant: str
) -> None:
    code, out, err = cli(typed, "x.log")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"No such command '{typed}'. Did you mean {meant}?" in err
    code, _, err = cli("zzz")  # nothing close: no guess
    assert code == 2 and "Did you mean" not in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["doctor", "--tiemout", "2"], "No such option: --tiemout. Did you mean --timeout?"),
        (["ping", "--coutn", "3"], "No such option: --coutn. Did you mean --count?"),
        (["triage", "--formt", "json", "x.log"], "No such option: --formt. Did you mean --format?"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_misspelt_option_is_told_the_closest_one(cli: RunCli, argv: list[str], said: str) -> None:
    """click listed every near option, alphabetically: `--tiemout` got 'Possible options:
    --quiet, --timeout', the closest last."""
    code, out, err = cli(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert said in err and "Possible options" not in err, err


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["doctor", "--framing", "lien"], "line"),
        (["ping", "--protocol", "mpc"], "mcp"),
        (["triage", "--format", "jsn", "x.log"], "json"),
        (["ping", "--stderr", "merged"], "merge"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_misspelt_choice_is_told_the_closest_one(
    cli: RunCli, argv: list[str], meant: str
) -> None:
    code, out, err = cli(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"; did you mean '{meant}'? (see 'poolctl {argv[0]} --help')" in err, err
    code, _, err = cli("ping", "--protocol", "xyzzy")  # nothing close: no guess
    assert code == 2 and "did you mean" not in err, err


def test_doctor_s_usage_names_the_worker_command(cli: RunCli) -> None:
    """It read `poolctl doctor [OPTIONS] [SCENARIO.yaml]`: the worker command after `--`, which
    ping's usage names, was left out (it is read apart from click's parameters)."""
    code, out, _ = cli("doctor", "--help")
    assert code == 0 and "poolctl doctor [OPTIONS] [SCENARIO.yaml] [-- CMD ARGS]..." in out


def test_a_bare_poolctl_says_what_to_do(cli: RunCli) -> None:
    code, out, err = cli()
    assert code == 2 and out == ""
    assert err.startswith("poolctl: no command given.")
    assert all(c.name in err for c in COMMANDS) and "poolctl COMMAND --help" in err


def test_a_help_is_poolctl_s_own_words_unredacted(cli: RunCli) -> None:
    """The shape of a URL with a password in `--history`'s help is no secret: drawn through
    poolctl's stream (for an ASCII terminal), it read `postgresql://USER:[redacted]@HOST/DB`."""
    code, out, _ = cli("triage", "--help")
    assert code == 0 and "postgresql://USER:PASSWORD@HOST/DB" in out
    assert "[redacted]" not in out


@pytest.mark.parametrize(
    ("group", "named"),
    [("history", "runs, test, flaky, patterns or prune"), ("patterns", "list, show, test or new")],
)
def test_a_bare_command_group_names_what_is_missing(cli: RunCli, group: str, named: str) -> None:
    """`poolctl history`: its help, then "poolctl: error:  (see …)", an error line with no
    error in it (click's message is the help typer had printed)."""
    code, out, err = cli(group)
    assert code == 2 and f"Usage: poolctl {group}" in out
    said = f"poolctl: error: no command given to poolctl {group}: {named}"
    assert err == f"{said} (see 'poolctl {group} --help')\n", err


@pytest.mark.parametrize(
    "argv",
    [
        ["triage", "x.log"],
        ["patterns", "list"],
        ["patterns", "show", "3"],
        ["patterns", "test", "3"],
    ],
    ids=" ".join,
)
def test_json_and_another_format_are_refused(cli: RunCli, argv: list[str]) -> None:
    code, out, err = cli(*argv, "--json", "--format", "md")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--json and --format md" in err
    code, out, err = cli(*argv, "-q", "-v")
    assert code == 2 and out == "" and "-q and -v: choose one" in err


def test_patterns_refuse_a_report_format_in_one_line(cli: RunCli) -> None:
    code, out, err = cli("patterns", "list", "--format", "junit")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'junit' is not one of 'term', 'md', 'json'" in err


@pytest.mark.parametrize("argv", [["--version"], ["--help"], []], ids=["version", "help", "bare"])
def test_version_and_help_load_no_command(processes: Processes, argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from poolctl.cli import main\n"
        f"main({argv!r})\n"
        "loaded = [m for m in sys.modules if m.startswith(('poolctl.commands.', 'poolctl.app'))]\n"
        "sys.stderr.write(repr(sorted(loaded)))\n"
    )
    done = processes.run([sys.executable, "-c", code], 60)
    loaded = eval(done.stderr.rsplit("\n", 1)[-1])
    assert set(loaded) <= {"poolctl.commands.index"}  # the index names them; none is imported


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["unbuffered", "buffered"])
def test_version_to_a_reader_that_went_away_is_no_traceback(
    processes: Processes, unbuffered: str
) -> None:
    """`poolctl --version | true`: the reader is gone before the line is written. It printed
    a BrokenPipeError's traceback and exited 1 (its stdout unbuffered), or 120 after Python's
    "Exception ignored" (buffered, the error at exit)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    try:
        proc = processes.popen(
            [sys.executable, "-m", "poolctl", "--version"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
        )
    finally:
        os.close(write_end)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.decode()) == (0, "")


@pytest.mark.parametrize(
    "argv", [["--help"], *([*h, "--help"] for h in HELPS)], ids=lambda a: " ".join(a)
)
def test_help_to_a_reader_that_went_away_ends_as_the_top_level_help(
    processes: Processes, argv: list[str]
) -> None:
    """`poolctl ping --help | true`: a command's help (typer's, through rich) exited 1 with
    nothing said, while `poolctl --help | true` exits 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = processes.popen(
            [sys.executable, "-m", "poolctl", *argv], stdout=write_end, stderr=subprocess.PIPE
        )
    finally:
        os.close(write_end)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.decode()) == (0, "")


@pytest.fixture(scope="module")
def ascii_poolctl(module_processes: Processes) -> Iterator[Forkserver]:
    """`poolctl` programs on an ASCII terminal (PYTHONIOENCODING=ascii), each a child forked
    from one interpreter started so (tests/forkserver.py): its stdout is ASCII as theirs would
    be, and the imports (0.4 s of CPU for each help) are paid once for the module."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = module_processes.popen(
        Forkserver.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    server = Forkserver(proc)
    yield server
    server.close()


@pytest.mark.parametrize("argv", [[*h, "--help"] for h in HELPS], ids=lambda a: " ".join(a))
def test_help_on_an_ascii_terminal_escapes_what_it_cannot_show(
    ascii_poolctl: Forkserver, tmp_path: Path, argv: list[str]
) -> None:
    """`PYTHONIOENCODING=ascii poolctl history --help`: a command's help (typer's, through
    rich) was an internal error, a UnicodeEncodeError on the `·` of its exit codes, while
    `poolctl --help` and every report write such a character as the terminal can (`-`)."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    out, err = tmp_path / "out", tmp_path / "err"
    pid = ascii_poolctl.start(argv, env=env, cwd=tmp_path, stdout=out, stderr=err)
    code = ascii_poolctl.wait(pid, 60)
    assert (code, err.read_text()) == (0, ""), err.read_text()
    assert f"Usage: poolctl {' '.join(argv[:-1])}" in out.read_bytes().decode("ascii")
    assert "Exit codes:" in out.read_bytes().decode("ascii")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(cli: RunCli, shell: str) -> None:
    code, out, _ = cli("completion", shell)
    assert code == 0 and "_POOLCTL_COMPLETE" in out and f"complete_{shell}" in out


def test_bash_completes_commands_and_choices(processes: Processes) -> None:
    poolctl = str(Path(sys.executable).parent / "poolctl")  # the function runs its argument
    script = (
        f'eval "$({poolctl} completion bash)"\n'
        f"COMP_WORDS=(poolctl pi); COMP_CWORD=1; _poolctl_completion '{poolctl}'\n"
        'echo "${COMPREPLY[@]}"\n'
        f"COMP_WORDS=(poolctl ping --framing ''); COMP_CWORD=3; _poolctl_completion '{poolctl}'\n"
        'echo "${COMPREPLY[@]}"\n'
    )
    done = processes.run(["bash", "-c", script], 60)
    first, second = done.stdout.splitlines()[-2:]
    assert first.split() == ["ping"], done.stdout + done.stderr
    assert {"packet-4", "line", "auto"} <= set(second.split())


def _command(argv: list[str]) -> Any:
    from poolctl.app import load_command
    from poolctl.commands.index import BY_NAME

    command = load_command(BY_NAME[argv[0]])
    for sub in argv[1:]:
        command = command.commands[sub]
    return command


def _option_names(argv: list[str]) -> list[str]:
    options = [p for p in _command(argv).params if p.param_type_name == "option"]
    return [name for p in options for name in (*p.opts, *p.secondary_opts)]


@pytest.mark.parametrize("columns", ["1", "40", "79"])
@pytest.mark.parametrize("argv", [[], *HELPS], ids=lambda a: " ".join(a) or "poolctl")
def test_a_narrow_terminal_s_help_keeps_every_option_name_whole(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, argv: list[str], columns: str
) -> None:
    """`COLUMNS=1 poolctl ping --help` cut every option name (`--f…`), and under 78 columns
    `--no-experiments`: a help is drawn at least 80 wide (poolctl/termenv.py help_width)."""
    monkeypatch.setenv("COLUMNS", columns)
    code, out, err = cli(*argv, "--help")
    assert code == 0, err
    names = _option_names(argv) if argv else ["--version", "--install-completion", "--help"]
    for name in names:
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", out), (name, out)


@pytest.mark.parametrize("argv", HELPS, ids=" ".join)
def test_an_80_column_help_cuts_no_word(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """At 80 columns typer's six columns leave an option's help about 20: rich's table cut
    `postgresql://USER:PASSWORD@HOST/DB` to `postgresql://USER…` and `$POOLCTL_KEEP_RUNS` to
    `$POOLCTL_KEEP_RUN…` in `ping --help` (poolctl/app.py _long_words_folded)."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = cli(*argv, "--help")
    assert code == 0, err
    assert "…" not in out, out
    joined = re.sub(r"[\s│]", "", out)  # a word folded onto the next line reads whole again
    helps = "".join(getattr(p, "help", None) or "" for p in _command(argv).params)
    for word in ("postgresql://USER:PASSWORD@HOST/DB", "$POOLCTL_KEEP_RUNS"):
        if word in helps:
            assert word in joined, out
