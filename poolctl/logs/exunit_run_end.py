"""A `mix test` run that printed no closing line, ended (`poolctl.logs.exunit`): the summary
line said in place of its closing line, and, at the input's end, how its last lines show it
ended (what killed the VM, the test it stopped in, a log cut in a test) and whether it began.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from poolctl.logs import exunit_stopped, run_end_lines
from poolctl.logs.unfinished import exunit_running, exunit_test_ended

if TYPE_CHECKING:
    from poolctl.logs.exunit import ExUnitParser

# where a run that stopped after a test's end may be, besides the next test
_ON_EXIT = ", or in a module's setup_all on_exit callbacks, run after its last test"


def no_closing_line(
    why: str,
    before: int,
    failures: int,
    by_mix: bool,
    end: run_end_lines.Ending | None,
    cut: str,
) -> tuple[str, str]:
    """The text said in place of the closing line of a run that ends before line `before`
    (`why`; with `failures` failure blocks; Mix stopped it before any test when `by_mix`; its
    last lines saying how, `end`; `cut` in a test: `cut` says how), and the source of the
    ending."""
    if why == "numbering restarts":
        text = f"(no closing line: the run ends before line {before}, where numbering restarts)"
        source = "numbering restart"
    elif why == "end of input":
        text = "(no closing line: the input ends after this run's failures)"
        if not failures:
            text = "(no closing line: the run ends with the input, before ExUnit's result)"
        source = "end of input"
        if end is not None:
            text = f"{text[:-1]}; its last lines say how it ended: {end.quoted()})"
        elif by_mix and not cut:  # the log ends where Mix stopped: not cut
            text = "(no closing line: Mix stopped the run before any test: its error is read)"
        elif cut:  # as pytest's letters cut before their `[ NN%]` (where, if stopped)
            text = f"{text[:-1]}; {run_end_lines.MAY_BE_CUT}; {cut})"
        else:  # a kill there and a CI log's size limit leave the same bytes
            text = f"{text[:-1]}; {run_end_lines.MAY_BE_CUT})"
    else:
        text = f"(no closing line: the run ends before line {before}, where {why})"
        source = "new run" if why == "a new run starts" else "next app"
    return text, source


def end_with_input(parser: ExUnitParser) -> None:
    """The input ended with the run no closing line closed: its last lines say how (what killed
    the VM), or show it stopped in a test, or that it began; or nothing of it got out."""
    tail = [(n, t) for n, t in parser.last_lines() if n >= parser.run_start]
    end = run_end_lines.ending(tail)  # what killed the VM, or what ran it, said so
    # ExUnit's last line, before what another program printed after it; when a SIGTERM
    # notice ended the run (`ExUnitParser._sigterm`), the input's last line
    last = parser.last_line() if parser.run_stopped else run_end_lines.runners_last(tail)
    final = end.before if end is not None else last
    running = exunit_running(final, parser.trace_module, parser.name)
    began = bool(parser.run_failures) or exunit_stopped.began(t for _, t in tail)
    ended = run_end_lines.exunit_ended(running, end, began, parser.app, parser.name)
    if ended is not None:  # the run ended in that test, or where its last lines say
        parser.run_read += parser.keep(*ended)
        parser.run_failures += 1
        parser.run_last_line = ended[0].line_end
    # the dots last, or under `--trace` a test's result: it stopped in a test that printed
    # no result (a VM halted at once; a log cut there looks the same, and is no clean run
    # either)
    # (or, after a module's last test, in the on_exit callbacks of its setup_all, which
    # ExUnit runs before the next module: a pool stopped there that never stops)
    cut = ""
    if ended is None and final is not None and exunit_stopped.dots(final[1]):
        cut = f"its last line is progress dots: it stops in a test{_ON_EXIT}"
    elif ended is None and final is not None and exunit_test_ended(final[1]):
        cut = (
            "its last line is a test's result under --trace: it stops after that test, in "
            f"the next test, whose start never got out{_ON_EXIT}"
        )
    elif ended is None and end is None and _block_last(parser, final):
        cut = (
            "its last lines are a failure block, after the run's progress: it stops in the "
            f"next test, which printed no result{_ON_EXIT}"
        )
    if parser.run_failures:
        parser.run_end(parser.run_last_line + 1, "end of input", end, cut)
    elif exunit_stopped.began(t for _, t in tail):
        parser.run_end(tail[-1][0] + 1, "end of input", cut=cut)  # it began, never ended
    elif parser.app_line and parser.app_line == max((n for n, _ in parser.last_lines()), default=0):
        # `==> app` last: Mix began the app's run and nothing of it got out (a VM halted
        # before ExUnit's formatter wrote a line)
        cut = f"Mix began app {parser.app}'s run (`==> {parser.app}`) and nothing of it got out"
        parser.run_start = parser.app_line  # the line that shows it began
        parser.run_end(parser.app_line + 1, "end of input", cut=cut)


def _block_last(parser: ExUnitParser, final: tuple[int, str] | None) -> bool:
    """Whether this run, shown from its start (progress marks before its first failure),
    printed nothing after its last failure block, whose last line `final` is: the VM
    stopped in the test after it (a halt, a crashed NIF). A paste of failures alone has
    no progress before them."""
    return bool(
        parser.run_failures
        and parser.run_progress
        and final is not None
        and final[0] <= parser.run_last_line
    )
