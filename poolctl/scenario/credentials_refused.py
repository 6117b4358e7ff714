"""A tool error that says the database the worker connects to refused its credentials:
@modelcontextprotocol/server-postgres 0.6.2 given a URL whose password PostgreSQL refuses
answers `query` with `password authentication failed for user "poolctl"` (-32603); given a URL
with no password where the server asks one (scram-sha-256), node-postgres's `SASL:
SCRAM-SERVER-FIRST-MESSAGE: client password must be a string`. The service runs and the request
is sound: the worker's credentials are what to fix."""

from __future__ import annotations

import re

# the server's or its client library's words, and what they say
_REFUSED = (
    (
        re.compile(r'password authentication failed for user "(?P<user>[^"\n]+)"'),
        "the database refused the password the worker gives for user {user}",
    ),
    (
        re.compile(r"SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string"),
        "the database asked for a password, and the worker's connection gives none",
    ),
    (
        re.compile(r'role "(?P<user>[^"\n]+)" does not exist'),
        "the database has no user {user}, the one the worker connects as",
    ),
)


def credentials_refused(error: str) -> str:
    """What the finding adds when the tool's error says the database refused the worker's
    credentials ("" when it says no such thing)."""
    for pattern, words in _REFUSED:
        found = pattern.search(error)
        if found is not None:
            said = words.format(**found.groupdict())
            return (
                f"; {said} (`{found.group(0)}`): the database runs, and the request is not at "
                "fault; give the worker a user and password it accepts (in the connection URL "
                "or the settings of its `worker.command` or `worker.env`)"
            )
    return ""
