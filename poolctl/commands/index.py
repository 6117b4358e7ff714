"""Every command's name, one-line help, examples and exit codes, importable without importing
any command: `poolctl --help` and `poolctl --version` list them and load none.

The examples and exit codes are each command's `--help` epilog.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandEntry:
    """Where a command lives and what its `--help` says around its options."""

    name: str
    module: str  # imported only when the command runs (or its --help is asked for)
    attr: str  # the command function, or a typer app for a group of commands
    summary: str  # one line, in `poolctl --help`
    examples: tuple[tuple[str, str], ...]  # (command line, what it shows)
    exit_codes: str


COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry(
        "doctor",
        "poolctl.commands.doctor",
        "doctor",
        "Check the interpreter, the worker and the pool settings before anything runs.",
        (
            ("poolctl doctor", "the bundled reference worker"),
            ("poolctl doctor -- python -m my_worker", "your worker command"),
            ("poolctl doctor pool.yaml -v", "a scenario's worker and pool, with the evidence"),
        ),
        "0 no check fails · 1 a check fails · 2 bad usage · 3 internal error (traceback saved) · "
        "130 interrupted",
    ),
    CommandEntry(
        "ping",
        "poolctl.commands.ping",
        "ping",
        "Start one worker, send a framed ping, report the round trip or why no answer came.",
        (
            ("poolctl ping", "the bundled reference worker"),
            ("poolctl ping --timeout 2 -- python -m my_worker", "why your worker does not answer"),
            ("poolctl ping --protocol mcp -- node server.js", "an MCP server's handshake"),
            ("poolctl ping --framing auto -- ./worker.sh", "find the framing it speaks"),
        ),
        "0 an answer came · 1 none came (the verdict says why) · 2 bad usage · 3 internal error "
        "(traceback saved) · 130 interrupted",
    ),
    CommandEntry(
        "triage",
        "poolctl.commands.triage",
        "triage_command",
        "Classify a test log's failures by pattern; print the fix plan.",
        (
            ("mix test 2>&1 | poolctl triage -", "read the log as it comes"),
            ("poolctl triage test.log --top 3 -v", "the three biggest groups, with their evidence"),
            ("poolctl triage results.xml --format md -o triage.md", "JUnit XML in, Markdown out"),
        ),
        "0 no failure · 1 failures (as --fail-on says) · 2 nothing could be read, or a log "
        "named is missing (the rest triaged) · 3 internal error · 130 interrupted",
    ),
    CommandEntry(
        "run-scenario",
        "poolctl.commands.scenario",
        "run_scenario_command",
        "Run bundled or YAML scenarios against a real pool; classify what failed.",
        (
            ("poolctl run-scenario", "the tour: every bundled scenario"),
            ("poolctl run-scenario --list", "the bundled scenarios"),
            ("poolctl run-scenario p1-merged-stderr", "one bundled scenario by name"),
            ("poolctl run-scenario my-pool.yaml --check", "validate a file, run nothing"),
        ),
        "0 every scenario produced what it expects · 1 one did not · 2 an invalid scenario "
        "(file:line) · 3 internal error · 130 interrupted",
    ),
    CommandEntry(
        "report",
        "poolctl.commands.report",
        "report_command",
        "Re-render saved runs (their report.json) in any --format, running nothing again.",
        (
            ("poolctl report reports/<time>-triage", "the run as its command printed it"),
            ("poolctl report reports/<time>-ping -f md -o ping.md", "as Markdown"),
        ),
        "0 rendered · 2 a run folder cannot be read · 3 internal error",
    ),
    CommandEntry(
        "patterns",
        "poolctl.commands.patterns",
        "patterns_app",
        "List, show and test the failure patterns (the knowledge base).",
        (
            ("poolctl patterns list", "every pattern"),
            ("poolctl patterns show 3", "one pattern in full"),
            ("poolctl patterns test 2 test.log", "which lines fire its signals"),
        ),
        "0 ok · 1 a pattern test did not match · 2 bad usage or pattern file (file:line)",
    ),
    CommandEntry(
        "history",
        "poolctl.commands.history",
        "history_app",
        "What the run history holds: runs, a test's outcomes, flaky tests, patterns over time.",
        (
            ("poolctl history runs", "the last runs, with their new, known and flaky counts"),
            ("poolctl history flaky", "the tests whose outcomes flip, by flip rate"),
            ("poolctl history patterns --by week -f html -o trend.html", "a chart per pattern"),
            ("poolctl history prune --older-than 90d", "forget the runs older than 90 days"),
        ),
        "0 answered · 2 bad usage, or a store that cannot be used (one line)",
    ),
    CommandEntry(
        "completion",
        "poolctl.commands.completion",
        "completion_command",
        "Print the shell completion script for bash, zsh or fish.",
        (
            ("poolctl completion bash > ~/.local/share/bash-completion/completions/poolctl", ""),
            ("poolctl completion zsh > ~/.zfunc/_poolctl", "with fpath+=~/.zfunc in ~/.zshrc"),
            ("poolctl completion fish > ~/.config/fish/completions/poolctl.fish", ""),
        ),
        "0 printed · 2 unknown shell",
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}

# `poolctl --help`'s line under its usage (the typer app's help too)
ROOT_HELP = "Diagnose pools of JSON-over-stdio workers and triage the test failures they cause."

# `poolctl --help`'s examples and exit codes
ROOT_EPILOG: tuple[tuple[tuple[str, str], ...], str] = (
    (
        ("poolctl doctor -- python -m my_worker", "check a worker before a pool runs it"),
        ("poolctl ping -- python -m my_worker", "why a worker does not answer"),
        ("mix test 2>&1 | poolctl triage -", "what a test run's failures have in common"),
        ("poolctl run-scenario", "the tour: each failure pattern, reproduced"),
        ("poolctl COMMAND --help", "a command's options, examples and exit codes"),
    ),
    "0 ok · 1 findings · 2 bad usage or input · 3 internal error (traceback saved) · "
    "130 interrupted",
)


def epilog(examples: tuple[tuple[str, str], ...], exit_codes: str) -> str:
    """Examples and exit codes, as the end of a `--help`: each example's command line, and
    under it what it shows (typer reads it as rich markup: `[` is escaped)."""
    lines = ["Examples:"]
    for cmd, what in examples:
        lines.append(f"  {_escape(cmd)}")
        if what:
            lines.append(f"      {_escape(what)}")
    return "\n".join(lines) + f"\n\nExit codes: {_escape(exit_codes)}"


def _escape(text: str) -> str:
    return text.replace("[", "\\[")
