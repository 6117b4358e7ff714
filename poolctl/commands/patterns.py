"""`poolctl patterns list | show ID | test ID [LOG] | new --from LOG --cluster ID`: read, test and
extend the knowledge base."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, assert_never

import typer
from rich.console import Console

from poolctl.boundedread import open_writable
from poolctl.commands.index import BY_NAME, epilog
from poolctl.console import stderr_console, stderr_stream, stdout_console, text_console
from poolctl.context import RunContext
from poolctl.errors import ExitCode, UsageProblem
from poolctl.options import (
    DocFormat,
    DocFormatOpt,
    JsonOpt,
    LogFormat,
    LogFormatOpt,
    OutputOpt,
    QuietOpt,
    VerboseOpt,
    output_options,
)
from poolctl.patterns import Pattern, PatternSet, builtin_dir, load_patterns
from poolctl.patterns.loader import load_file
from poolctl.patterns.regex import timing
from poolctl.redact import Secrets
from poolctl.report import Format
from poolctl.report import patterns_doc as doc
from poolctl.report.patterns_doc import ExampleOutcome
from poolctl.report.patterns_view import (
    render_examples,
    render_list,
    render_new,
    render_pattern,
    render_slowest,
    render_test,
)
from poolctl.report.publish import OutputOptions, prepare, write_output

# The log readers, the examples' schema (pydantic's models) and the triage engine are imported
# where a subcommand runs them: `poolctl patterns ... --help` draws its options without them.
if TYPE_CHECKING:
    from poolctl.triage.explain import RegexTime

PATTERNS_EXIT = "0 ok · 1 no example or log line matched as expected · 2 bad usage or pattern file"
patterns_app = typer.Typer(
    name="patterns",
    help="List, show and test the failure patterns (the knowledge base).",
    epilog=epilog(BY_NAME["patterns"].examples, BY_NAME["patterns"].exit_codes),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

PatternDirs = Annotated[
    list[str] | None,
    typer.Option("--patterns", help="A folder of pattern files that add or override (repeat)."),
]


def _origin_of(p: Pattern) -> str:
    return "builtin" if p.path.startswith(str(builtin_dir())) else p.path


def _options(
    fmt: DocFormat, output: str, as_json: bool, quiet: bool, verbose: bool
) -> OutputOptions:
    """The shared output options, as every command reads them (`--json` and another
    `--format`, or `-q` and `-v`, are refused)."""
    return output_options(
        Format(fmt.value),
        output,
        False,
        False,
        Secrets(),
        as_json=as_json,
        quiet=quiet,
        verbose=verbose,
    )


def _emit(
    opts: OutputOptions,
    term: Callable[[Console], None],
    as_json: Callable[[], dict[str, Any]],
    as_md: Callable[[], str],
) -> None:
    """The document in the format asked for, to `--output` (redacted, as every output)."""
    match opts.fmt:
        case Format.JSON:
            write_output(doc.dumps(as_json()), opts.output, document=True)
        case Format.MD:
            write_output(as_md(), opts.output, document=True)
        case Format.TERM if opts.to_stdout:
            term(stdout_console())
        case Format.TERM:
            out = io.StringIO()
            term(text_console(out, color=False, width=100))
            write_output(out.getvalue(), opts.output)
        case Format.JUNIT | Format.HTML:  # not a DocFormat: the option cannot give them
            raise UsageProblem(f"--format {opts.fmt}: choose term, md or json")
        case _:
            assert_never(opts.fmt)


@patterns_app.command(
    "list",
    help="Every pattern: number, id, title and where it comes from.",
    epilog=epilog(
        (
            ("poolctl patterns list", "the builtin patterns"),
            ("poolctl patterns list --patterns my-patterns", "with a folder of your own"),
            ("poolctl patterns list -q", "their ids alone, one a line"),
            ("poolctl patterns list -v", "with each one's summary and how to reproduce it"),
            ("poolctl patterns list --json", "as JSON (kind: patterns)"),
        ),
        "0 listed · 2 a pattern file is invalid (file:line), or bad usage",
    ),
)
def list_patterns(
    patterns: PatternDirs = None,
    fmt: DocFormatOpt = DocFormat.TERM,
    output: OutputOpt = "-",
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    opts = _options(fmt, output, as_json, quiet, verbose)
    kb = list(load_patterns(patterns or []))
    origins = [_origin_of(p) for p in kb]
    _emit(
        opts,
        lambda c: render_list(kb, origins, c, quiet=quiet, verbose=verbose),
        lambda: doc.list_json(kb, origins),
        lambda: doc.list_md(kb, origins),
    )


@patterns_app.command(
    "show",
    help="One pattern in full: signals, facts, causes, remediation.",
    epilog=epilog(
        (
            ("poolctl patterns show 3", "by number"),
            ("poolctl patterns show port-no-response", "by id"),
            ("poolctl patterns show 3 -q", "its title, summary and remediation"),
            ("poolctl patterns show 3 -v", "and each of its examples"),
            ("poolctl patterns show 3 -f md -o p3.md", "as Markdown, for a pull request"),
        ),
        "0 shown · 2 no such pattern, or bad usage",
    ),
)
def show_pattern(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="Its id or number.")],
    patterns: PatternDirs = None,
    fmt: DocFormatOpt = DocFormat.TERM,
    output: OutputOpt = "-",
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    opts = _options(fmt, output, as_json, quiet, verbose)
    p = load_patterns(patterns or []).get(pattern_id)
    origin = _origin_of(p)
    _emit(
        opts,
        lambda c: render_pattern(p, c, quiet=quiet, verbose=verbose),
        lambda: doc.pattern_json(p, origin),
        lambda: doc.pattern_md(p, origin),
    )


@patterns_app.command(
    "test",
    help="Which lines of LOG fire the pattern's signals, and why; without LOG, its own examples.",
    epilog=epilog(
        (
            ("poolctl patterns test 2 test.log", "which failures pattern 2 claims, and why"),
            ("poolctl patterns test 2 test.log -v", "every failure, those where nothing fires too"),
            ("poolctl patterns test 2", "its own examples"),
            ("poolctl patterns test 2 -q", "the verdict alone: all examples pass, or N failed"),
            ("poolctl patterns test 2 test.log --json", "as JSON (kind: pattern-test)"),
        ),
        PATTERNS_EXIT,
    ),
)
def test_pattern(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="Its id or number.")],
    log: Annotated[
        list[str] | None, typer.Argument(metavar="[LOG]...", help="Test logs; - is stdin.")
    ] = None,
    patterns: PatternDirs = None,
    log_format: LogFormatOpt = LogFormat.AUTO,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list failures where no signal fires (as -v).")
    ] = False,
    fmt: DocFormatOpt = DocFormat.TERM,
    output: OutputOpt = "-",
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    from poolctl.logs import read_logs
    from poolctl.triage.explain import explain, slowest

    opts = _options(fmt, output, as_json, quiet, verbose)
    kb = load_patterns(patterns or [])
    for note in kb.engine_notes():  # a user's regex RE2 cannot run: named when it loads
        stderr_stream().write(f"poolctl: note: {note}\n")
    pattern = kb.get(pattern_id)
    if not log:
        with timing() as times:
            outcomes = run_examples(pattern, kb)
        _say_slowest(slowest(kb, times), quiet)
        _emit(
            opts,
            lambda c: render_examples(pattern, outcomes, c, quiet=quiet),
            lambda: doc.examples_json(pattern, outcomes),
            lambda: doc.examples_md(pattern, outcomes),
        )
        raise typer.Exit(ExitCode.OK if all(o.ok for o in outcomes) else ExitCode.FINDINGS)
    parsed = read_logs(log, log_format.value)
    with timing() as times:
        results = explain(pattern, parsed, kb)
    _say_slowest(slowest(kb, times), quiet)
    every = show_all or verbose
    _emit(
        opts,
        lambda c: render_test(
            pattern, parsed.inputs, results, parsed.skipped, c, show_all=every, quiet=quiet
        ),
        lambda: doc.on_log_json(pattern, parsed.inputs, results, parsed.skipped),
        lambda: doc.on_log_md(pattern, parsed.inputs, results, parsed.skipped, show_all=every),
    )
    matched = any(r.verdict == "matches" for r in results)
    raise typer.Exit(ExitCode.OK if matched else ExitCode.FINDINGS)


def _say_slowest(rows: Sequence[RegexTime], quiet: bool) -> None:
    """The knowledge base's slowest regexes of the run, on standard error: their times vary
    from run to run, the document on standard output does not."""
    if not quiet:
        render_slowest(rows, stderr_console())


def run_examples(pattern: Pattern, kb: PatternSet) -> list[ExampleOutcome]:
    """The pattern's own examples against the whole knowledge base."""
    from poolctl.patterns.examples import to_failure, walk
    from poolctl.triage.classifier import diagnose, pick, score
    from poolctl.triage.explain import raising, scores_of
    from poolctl.triage.facts import FactContext
    from poolctl.triage.fields import FailureView

    outcomes = []
    for expect, i, example in walk(pattern):
        where = f"{pattern.path} example {expect}[{i}]"
        view = FailureView(to_failure(example, where))
        with raising(pattern, f"its example {expect}[{i}]"):
            own = score(pattern, view, FactContext())
        best, _ = pick([own, *scores_of((p for p in kb if p is not pattern), view, FactContext())])
        got = best.pattern.id if best else None
        ok = got == pattern.id if expect == "match" else got != pattern.id
        wrong: tuple[str, ...] = ()
        if ok and expect == "match" and example.facts and best is not None:
            with raising(pattern, f"its example {expect}[{i}]"):
                facts = diagnose(best, view, FactContext()).facts
            wrong = tuple(
                f"{name}: expected {value!r}, got {facts.get(name)!r}"
                for name, value in example.facts.items()
                if facts.get(name) != value
            )
        outcomes.append(ExampleOutcome(expect, i, example.note, got, ok and not wrong, wrong))
    return outcomes


@patterns_app.command(
    "new",
    help="Write a starter pattern from a cluster of unclassified failures in a log "
    "(the clusters are listed by `poolctl triage`); then `patterns test` shows what it claims. "
    "Its --output is where the pattern goes; --json, -q and -v say what was written.",
    epilog=epilog(
        (
            ("poolctl patterns new --from test.log --cluster 5fe3", "patterns/<id>.yaml"),
            ("poolctl patterns new --from test.log --cluster 5fe3 -v", "and print what it holds"),
            ("poolctl patterns new --from test.log --cluster 5fe3 -q", "print its path alone"),
            ("poolctl patterns test <id> test.log --patterns patterns", "what it claims"),
        ),
        "0 written · 2 no such cluster, the file exists (--force), or bad usage",
    ),
)
def new_pattern(
    logs: Annotated[
        list[str], typer.Option("--from", metavar="LOG", help="The test log (repeat); - is stdin.")
    ],
    cluster: Annotated[
        str, typer.Option("--cluster", metavar="ID", help="The cluster's id (or a prefix of it).")
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="A folder of pattern files, or the .yaml file to write."
        ),
    ] = "patterns",
    patterns: PatternDirs = None,
    log_format: LogFormatOpt = LogFormat.AUTO,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    from poolctl.logs import read_logs
    from poolctl.triage.engine import triage
    from poolctl.triage.starter import starter_pattern

    opts = _options(DocFormat.TERM, "-", as_json, quiet, verbose)
    target = Path(output)
    to_file = target.suffix in (".yaml", ".yml")
    folder = target.parent if to_file else target
    dirs = list(patterns or [])
    # the log is triaged as `triage --patterns` does, so its clusters are the ones it lists;
    # the patterns written in the output folder before only take their ids and numbers
    report = prepare(triage(read_logs(logs, log_format.value), load_patterns(dirs)), RunContext())
    if not to_file and any(folder.glob("*.y*ml")) and str(folder) not in dirs:
        dirs.append(str(folder))
    kb = load_patterns(dirs)
    taken = [p.stem for p in folder.glob("*.y*ml")] if folder.is_dir() else []
    starter = starter_pattern(report, cluster, kb, " ".join(logs), taken)
    path = target if to_file else folder / f"{starter.pattern_id}.yaml"
    if path.exists() and not force:
        raise UsageProblem(
            f"{path} exists; choose another --output or add --force", where="--output"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open_writable(path) as fh:  # a FIFO nobody reads: refused, not waited on
            fh.write(starter.text.encode("utf-8"))
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {path}: {exc.strerror or exc}", where="--output"
        ) from None
    load_file(path)  # what was written loads as every pattern file does
    _emit(
        opts,
        lambda c: render_new(starter, path, logs, folder, c, quiet=quiet, verbose=verbose),
        lambda: doc.new_json(starter, path, logs, folder),
        lambda: starter.text,  # not asked for: `new` takes no --format
    )
