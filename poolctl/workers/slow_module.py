"""A module that is slow to import, as a heavy library (an ML framework) is.

The reference worker imports it under `--import-delay S`; the sleep runs at import time, so a
stack dump of the worker shows it inside this `import` statement.
"""

import os
import time


def _load_heavy_dependencies(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


_load_heavy_dependencies(float(os.environ.get("POOLCTL_SLOW_IMPORT_SECONDS", "0")))
