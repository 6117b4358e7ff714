"""behave's JSON formatter sent to stdout (`behave -f json`, no `-o`): its report among the
console's lines, one feature a line, what the tests' processes printed between them, then the
lists of failed scenarios and the run's counts that behave prints after it:

    [
    {"keyword": "Feature", "name": "Pool settings", "location": "features/misc.feature:1", …}
    worker 19081 ready (mode exit)
    ,
    {"keyword": "Feature", "name": "Worker pool", …}
    ]

    Failing scenarios:
      features/misc.feature:3  The pool counts its workers

The lists name the failures (`poolctl.logs.behave_block`); each feature's line says what its
failed scenarios failed of (an assertion's message, the step that raised), read as behave's
JSON report is (`poolctl.logs.cucumber_json`), as a scenario's block above the lists would."""

from __future__ import annotations

import json

from poolctl.logs import cucumber_json

START = '{"keyword": "Feature", '  # a feature's line (behave 1.2.6 and 1.3 alike)
TRIGGER = r'^\{"keyword": "Feature", '


def failed_scenarios(text: str) -> list[tuple[str, str, str, str, list[str]]]:
    """The failed scenarios of a feature's line, each its name, place, kind, message and
    frames; none if the line holds no whole feature's JSON (cut short, or another tool's). A
    process's output after it on its line (a worker's, printed before behave's newline) is
    left out."""
    try:
        feature = json.JSONDecoder().raw_decode(text)[0]
    except ValueError:
        return []
    if not isinstance(feature, dict) or not isinstance(feature.get("elements", []), list):
        return []
    uri = str(feature.get("location", "")).rpartition(":")[0]
    found = []
    for element in feature.get("elements", []):
        if not isinstance(element, dict) or element.get("type") == "background":
            continue
        failed = cucumber_json.failure_of(uri, element, "", cucumber_json.BEHAVE)
        if failed is not None:
            said = (failed.name, failed.location, failed.kind, failed.message)
            found.append((*said, [*failed.stacktrace]))
    return found
