"""The hypotheses of a silent worker, one module each.

Every module in this package registers one judge with `@hypothesis("<cause id>")`, the id of
its cause in the pattern YAML; importing the package imports them all. Adding a hypothesis is
adding a module here (and its cause, with its title, to the pattern's `causes:`, which also
sets the order in which the verdict prefers them).
"""

from __future__ import annotations

import importlib
import pkgutil

from ..judgement import REGISTRY, Judge


def registered() -> dict[str, Judge]:
    """Every hypothesis module's judge, by cause id (the modules are imported on first use)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(REGISTRY)


__all__ = ["registered"]
