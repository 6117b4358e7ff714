"""Where the worker's interpreter imports a module from, and whether that is installed code:
a distribution's, in a site directory (`site-packages`), not the user's own source.

Start-up advice depends on it: a slow import of the user's own module is theirs to make lazy;
an installed server's own package (`mcp_server_fetch`, run by its console script) is its
author's, and its user can only give its start the time it takes.
"""

from __future__ import annotations

import os
from pathlib import Path

from .target import Target, run_briefly

INSTALLED_PARTS = ("site-packages", "dist-packages")

# finds the module as its import would, without running it; sys.path[0] as the worker has it
_FIND = (
    "import importlib.util, sys\n"
    "if sys.argv[2]: sys.path[0] = sys.argv[2]\n"
    "spec = importlib.util.find_spec(sys.argv[1])\n"
    "print(spec.origin if spec is not None and spec.origin else '')\n"
)


def installed_origin(target: Target, module: str) -> str | None:
    """The file the worker's Python imports `module`'s top-level package from, when it lies
    in a site directory; None when it does not, or cannot be told."""
    py = target.python
    if py is None or not py.interpreter_path:
        return None
    first = ""  # -m and -c: the working directory, as in `python -c` here
    if py.kind == "script":  # the script's own folder comes first on its sys.path
        first = os.path.dirname(os.path.realpath(os.path.join(target.cwd or ".", py.target)))
    top = module.split(".")[0]
    ran = run_briefly(
        [py.interpreter_path, *py.options, "-c", _FIND, top, first],
        env=target.env,
        cwd=target.cwd,
        timeout=15,
        children=target.children,
    )
    origin = ran.stdout.strip() if ran.ok else ""
    if not origin or not any(part in INSTALLED_PARTS for part in Path(origin).parts):
        return None
    return origin
