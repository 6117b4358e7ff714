"""A single-valued option given twice is refused on every command alike (`poolctl.cli_repeats`):
before, click kept the last value without a word (`poolctl triage --log-format pytest
--log-format exunit` read the log as ExUnit's; `--fail-on never --fail-on any` failed on any).
Options documented as repeatable (each a list: `--patterns`, `--env`, `--from`…) and flags are
taken as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poolctl.app import load_command
from poolctl.cli_repeats import _single_valued
from poolctl.commands.index import COMMANDS
from tests.conftest import RunCli

LOG = Path(__file__).parent / "fixtures" / "mixed" / "tap_runs" / "prove_diag.log"


def _commands() -> Iterator[tuple[list[str], Any]]:
    """Every command line's words and its click command, subcommands included."""

    def walk(words: list[str], command: Any) -> Iterator[tuple[list[str], Any]]:
        subs = getattr(command, "commands", {})
        if not subs:
            yield words, command
        for name, sub in subs.items():
            yield from walk([*words, name], sub)

    for entry in COMMANDS:
        yield from walk([entry.name], load_command(entry))


SINGLE = [
    (words, max(p.opts, key=len))
    for words, command in _commands()
    for p in command.params
    if _single_valued(p)
]
REPEATABLE = [
    (words, max(p.opts, key=len))
    for words, command in _commands()
    for p in command.params
    if getattr(p, "param_type_name", "") == "option" and p.multiple
]


def test_every_command_has_options_of_both_kinds() -> None:
    assert len(SINGLE) > 50
    assert (["triage"], "--log-format") in SINGLE and (["triage"], "--fail-on") in SINGLE
    assert (["triage"], "--patterns") in REPEATABLE and (["ping"], "--env") in REPEATABLE


@pytest.mark.parametrize(
    ("words", "option"), [pytest.param(w, o, id=f"{' '.join(w)} {o}") for w, o in SINGLE]
)
def test_a_single_valued_option_given_twice_is_one_line_exit_2(
    cli: RunCli, words: list[str], option: str
) -> None:
    """Refused as the command line is parsed: the command never runs (nothing starts)."""
    code, out, err = cli(*words, option, "1", f"{option}=2")
    assert (code, out) == (2, "")
    assert err == (
        f"poolctl: error: {option} given 2 times: it takes one value; give it once "
        f"(see 'poolctl {' '.join(words)} --help')\n"
    )


def test_triage_of_a_real_log_with_two_formats_is_refused(cli: RunCli, tmp_path: Path) -> None:
    """prove's real capture, named pytest then ExUnit: before, read as ExUnit's (the last) and
    triaged, exit 1; now one line, exit 2, and no run folder."""
    run_dir = tmp_path / "run"
    code, out, err = cli(
        "triage", str(LOG), "--log-format", "pytest", "--log-format", "exunit",
        "--no-history", "--run-dir", str(run_dir),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--log-format given 2 times" in err
    assert not run_dir.exists()
    code, _, err = cli(
        "triage", str(LOG), "--fail-on", "never", "--fail-on", "any", "--no-history",
        "--run-dir", str(run_dir),
    )  # fmt: skip
    assert code == 2 and "--fail-on given 2 times" in err


def test_repeatable_options_and_flags_are_taken(cli: RunCli, tmp_path: Path) -> None:
    patterns = Path(__file__).resolve().parents[1] / "poolctl" / "patterns" / "builtin"
    code, _, err = cli(
        "triage", str(LOG), "--patterns", str(patterns), "--patterns", str(patterns),
        "-q", "-q", "--no-history", "--no-history", "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1, err
    assert "given 2 times" not in err
