"""A server that threw, as it started, on an option of its own command line, read from its
exception line whatever parser (or none) checked it: @stripe/mcp 0.3.3 checks its options by hand,
and throws `Error: Invalid argument: bogus. Accepted arguments are: api-key, stripe-account` on one
it does not take, `Error: Stripe account must start with "acct_".` on `--stripe-account=foo`, and
`Error: Invalid API key format. Expected sk_* (secret key) or rk_* (restricted key).` on a key of
another shape. The option not taken is to be dropped, the others it takes named; the value refused
is to be replaced by one its words describe (`must start with "acct_"`)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from poolctl.model import Evidence

# an option the server names as not its own, its name bare or with its dashes
_UNTAKEN = re.compile(
    r"\b(?:invalid|unknown|unrecogni[sz]ed|unexpected|unsupported) (?:argument|option|flag"
    r"|parameter)s?:? [`'\"]?(?P<name>-{0,2}\w[\w.-]*?)[`'\"]?(?=[\s.,;:]|$)",
    re.I,
)
# the options it says it takes, listed after that
_TAKEN = re.compile(
    r"\b(?:accepted|valid|allowed|available|supported|known) (?:arguments|options|flags"
    r"|parameters)(?: are)?:? (?P<names>[\w.-]+(?:(?:,|,? or|,? and) [\w.-]+)*)",
    re.I,
)
# words refusing a value, and what they ask of one in its place
_REFUSING = re.compile(
    r"\b(?:must|invalid|expected|expects?|should|malformed|not (?:a )?valid|unsupported|bad)\b",
    re.I,
)
_ASKS = re.compile(
    r"\b(?P<verb>must|should|expected|expects?)\b:? (?P<what>[^\n]+?)\.?\s*$", re.I | re.M
)


@dataclass(frozen=True)
class OptionRefused:
    option: str  # its name with its dashes, `--stripe-account`
    given: str  # as the command line gives it, `--stripe-account=foo`
    why_text: str
    fix_text: str

    def why(self) -> str:
        return self.why_text

    def fix(self) -> str:
        return self.fix_text

    def evidence(self) -> Evidence:
        return Evidence(f"`{self.given}` in its command", "the worker's command")


def option_refused(exc: str, argv: Sequence[str]) -> OptionRefused | None:
    """The option of `argv` the exception line `exc` refuses, not taken or given a value it
    does not take, or None."""
    said = re.sub(r"^\w*Error: ", "", exc.strip())
    options = list(_options(argv[1:]))
    untaken = _UNTAKEN.search(said)
    if untaken is not None:
        name = untaken["name"].lstrip("-")
        given = next((o for o in reversed(options) if o[0].lstrip("-") == name), None)
        if given is not None:
            return _untaken(given, said)
    if not _REFUSING.search(said):
        return None
    for option, whole, valued in reversed(options):  # given twice, the last is the one used
        if valued and len(option.lstrip("-")) > 2 and _names(said, option):
            return _refused_value(option, whole, said)
    return None


def _untaken(given: tuple[str, str, bool], said: str) -> OptionRefused:
    option, whole, _ = given
    dashes = option[: len(option) - len(option.lstrip("-"))]
    taken = _TAKEN.search(said)
    names = re.split(r",? or |,? and |, ", taken["names"]) if taken is not None else []
    others = ", ".join(f"`{dashes}{n.lstrip('-')}`" for n in names)
    takes = f"; it takes {others}" if others else "; its `--help` or README lists what it takes"
    return OptionRefused(
        option,
        whole,
        f"it does not take `{option}`, which its command line gives",
        f"Drop `{whole}` from its command line (after `--`; in a pool, the worker's "
        f"`command`): it does not take it (`{said}`){takes}.",
    )


def _refused_value(option: str, whole: str, said: str) -> OptionRefused:
    asks = _ASKS.search(said)
    if asks is None:
        wanted = "a value it takes"
    elif asks["verb"].lower() in ("must", "should"):
        wanted = f"a value that it says {asks['verb'].lower()} {asks['what']}"
    else:
        wanted = f"a value of the form it expects ({asks['what']})"
    return OptionRefused(
        option,
        whole,
        f"it refuses the value its command line gives `{option}`: `{whole}`",  # no `)` after:
        # a closing backtick is read as one only before a space (a secret's redaction)
        f"Give `{option}` {wanted} in its command line (after `--`; in a pool, the worker's "
        f"`command`): it refused the one given (`{said}`).",
    )


def _options(args: Sequence[str]) -> Iterator[tuple[str, str, bool]]:
    """Each option of `args`: its name, the words that give it (`--x=1`, `--x 1`), and whether
    a value comes with it."""
    for i, arg in enumerate(args):
        if not arg.startswith("-") or arg in ("-", "--"):
            continue
        name, eq, _ = arg.partition("=")
        if eq:
            yield name, arg, True
        elif i + 1 < len(args) and not args[i + 1].startswith("-"):
            yield name, shlex.join(args[i : i + 2]), True
        else:
            yield name, arg, False


def _names(said: str, option: str) -> bool:
    """Whether `said` names the option by its words (`--stripe-account`: 'Stripe account')."""
    words = [w for w in re.split(r"[-_.]+", option.lstrip("-")) if w]
    if not words:
        return False
    spelled = r"[\s_-]*".join(re.escape(w) for w in words)
    return re.search(rf"(?<![\w-]){spelled}(?![\w-])", said, re.I) is not None
