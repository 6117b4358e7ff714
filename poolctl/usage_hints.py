"""The closest right word for a misspelt option or option value, named alone: click lists
every near option in alphabetical order (`--tiemout` got 'Possible options: --quiet,
--timeout'), and names no choice for a value that is none of them (`--framing lien`)."""

from __future__ import annotations

import difflib
import re
from typing import Any

# the words of a value that is none of an option's choices (pydantic's check, which typer runs)
_NOT_ONE_OF = re.compile(r"'(?P<given>[^']*)' is not one of (?P<choices>'[^']*'(?:, '[^']*')*)")


def closest_option(usage: Any) -> str | None:
    """'No such option: --tiemout. Did you mean --timeout?' for click's NoSuchOption with
    possibilities, the most alike first; None for any other error."""
    possible = getattr(usage, "possibilities", None)
    given = getattr(usage, "option_name", None)
    if not possible or not isinstance(given, str):
        return None
    best = max(possible, key=lambda p: difflib.SequenceMatcher(None, given, p).ratio())
    return f"{usage.message}. Did you mean {best}?"


def closest_choice(message: str) -> str:
    """`message` with the nearest of the option's choices named, when its value is none of
    them and one is close ('… did you mean 'line'?')."""
    found = _NOT_ONE_OF.search(message)
    if found is None:
        return message
    choices = re.findall(r"'([^']*)'", found["choices"])
    close = difflib.get_close_matches(found["given"], choices, n=1)
    return f"{message.rstrip('.')}; did you mean '{close[0]}'?" if close else message
