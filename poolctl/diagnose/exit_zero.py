"""A worker that exited with code 0 and said nothing: how much of the request it took from its
stdin pipe (the pipe keeps what no process took), and so where to look for the exit."""

from __future__ import annotations

from poolctl.model import Evidence

from .observe import Observations


def request_taken(obs: Observations) -> tuple[str, str, Evidence | None]:
    """How much of the request a worker that exited with code 0, saying nothing, took from its
    stdin pipe (the pipe keeps what no process took), and where to look for the exit."""
    full = len(obs.request_frame)
    unwritten = obs.worker.unwritten  # the write's rest found no reader: it was gone
    size = full - unwritten  # the bytes that reached its stdin pipe
    left = obs.unread_at_exit
    start_up = (
        "a code path in its start-up that returns or exits before reading a request (a "
        "main that returns early, a serve loop never entered, a condition not met)"
    )
    if size <= 0:  # the write found no reader: it was gone before the request came
        said = "it was gone before the request reached its stdin pipe"
        return said, _exit_zero_fix(start_up), None
    if left is None:
        said = "whether it read the request is not known (its stdin pipe could not be measured)"
        where = "a code path that returns or exits instead of serving"
        return said, _exit_zero_fix(where), None
    rest = f" ({unwritten:,} more found no reader)" if unwritten else ""
    if left >= size and unwritten:
        said = (
            f"it had not read the request: all {size:,} bytes of the {full:,}-byte request "
            f"that reached its stdin pipe were still there{rest}"
        )
        where = start_up
    elif left >= size:
        said = f"it had not read the request: its {size} bytes were still in its stdin pipe"
        where = start_up
    else:
        took = "the whole" if left == 0 and not unwritten else f"{size - left} bytes of the"
        said = f"it took {took} {full}-byte request from its stdin pipe{rest}, and did not answer"
        where = (
            "a code path after the read that returns or exits instead of answering (a "
            "`return` or `sys.exit(0)` on a request it did not expect, a loop that ends, a "
            "read that did not get the length or line it waited for)"
        )
    if obs.framing == "line" and size - left == _SCANNER_LIMIT < full:
        said = (
            f"it took 65,536 bytes (64 KiB) of the {full:,}-byte request line from its stdin "
            f"pipe{rest}, and did not answer"
        )
        where = (
            "a line reader that stops at a line longer than it takes: 64 KiB is the limit of "
            "Go's bufio.Scanner, whose `for scanner.Scan()` loop ends on such a line with "
            "`scanner.Err()` = bufio.ErrTooLong, unchecked; give it a larger buffer "
            "(`scanner.Buffer(make([]byte, 64*1024), 64*1024*1024)`) or read with "
            "`bufio.Reader.ReadBytes('\\n')`, and log `scanner.Err()` when the loop ends"
        )
    note = "read after it exited: the pipe keeps the bytes no process took"
    unread = Evidence(f"{left} of {size} bytes unread", "FIONREAD on the stdin pipe", note)
    return said, _exit_zero_fix(where), unread


# the longest line Go's bufio.Scanner takes by default (bufio.MaxScanTokenSize): one longer
# ends its Scan loop, the bytes read so far taken from the pipe
_SCANNER_LIMIT = 64 * 1024


def _exit_zero_fix(where: str) -> str:
    return (
        "It exited with code 0, as if on purpose, and wrote nothing to say why: look for "
        f"{where}; a pool's worker answers each request and exits only when its stdin closes."
    )
