"""The verdict and fix of a server that exited at start-up saying what it lacks (`asks.py`
finds it): environment variables, checked against the environment it was given, or a
command-line argument."""

from __future__ import annotations

from poolctl.model import Evidence

from .asks import Asked, unset
from .observe import Observations


def asked_words(
    obs: Observations, asked: Asked, verdict: str, ev: list[Evidence], origin: str
) -> tuple[str, str]:
    """`verdict` with what it asks for, and the fix; its line quoted in `ev` unless it is
    there already (`origin`: where it was said)."""
    what = asked.what()
    quoted = f"`{asked.line}`"
    said = "" if quoted in verdict else f", saying {quoted}"  # `NAME: …` would be redacted
    verdict += f"{said}: it asks for {what}"
    if ev[-1].note == "the end of its stderr" and ev[-1].text == asked.line:
        ev.pop()  # that line alone: said once, as what it asks for
    if all(e.text != asked.line for e in ev):  # not quoted already, as the exception
        ev.append(Evidence(asked.line, origin, "what it asks for"))
    if not asked.variables:
        return verdict, (
            f"Give it the command-line argument it asks for ({quoted}) in its command (after "
            "`--`; in a pool, the worker's `command`); its `--help` or README says its form."
        )
    environment = obs.worker.spec.environment()
    lacking = unset(asked, environment)
    if not lacking:  # every one is set: the value is what it refuses
        verdict += f" (set in its environment: {', '.join(asked.variables)})"
        return verdict, (
            f"Check the value of {', '.join(asked.variables)} in its environment: each is set, "
            f"and it exits all the same ({quoted})."
        )
    # given empty on purpose (`--env NAME=`, a scenario's `env`): "Set NAME" read as if the
    # user had forgotten it, when what they gave was the empty value
    emptied = [name for name in lacking if obs.worker.spec.env.get(name) == ""]
    missing = [name for name in lacking if name not in emptied]
    # the names after the words: `NAME: value` and `NAME=value` are what the redactor hides
    if missing:
        said = f"not set: {', '.join(missing)}"
        ev.append(Evidence(said, "the worker's environment", "an empty value counts as not set"))
    if emptied:
        said = f"given empty: {', '.join(emptied)}"
        ev.append(Evidence(said, "--env or the worker's `env`", "an empty value counts as not set"))
    joined = " or " if asked.either else " and "  # one of them, or each
    asks = [f"Set {joined.join(missing)} in its environment"] if missing else []
    given = ""
    if emptied:
        asks.append(f"{'give' if missing else 'Give'} {' and '.join(emptied)} a value")
        was = "were" if len(emptied) > 1 else "was"
        given = f"{' and '.join(emptied)} {was} given empty, which counts as not set: "
    # an option its words offer in place of the variable (@stripe/mcp's `--api-key=$KEY`)
    options = " or ".join(f"`{option}=…`" for option in asked.options)
    instead = (
        f", or give it {options} in its command (after `--`; in a pool, the worker's "
        "`command`), which its words offer in its place"
        if options
        else ""
    )
    # a traceback says nothing in words: what shows it is the KeyError `os.environ[…]` raised
    how = (
        f"as its traceback shows (it ends on {quoted}, raised by `os.environ`'s `__getitem__`)"
        if asked.key_error
        else "as it says"
    )
    return verdict, (
        f"{' and '.join(asks)} (`--env NAME=VALUE`"
        f"{', once for each' if len(lacking) > 1 and not asked.either else ''}; in a pool, "
        f"the worker's `env`){instead}: {given}it exits at start-up without "
        f"{'either' if options or asked.either else 'them' if len(lacking) > 1 else 'it'}, {how}."
    )
