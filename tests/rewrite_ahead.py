"""The test modules' assertion rewriting, done once before the xdist processes start.

pytest rewrites each test module's asserts and caches the result in `__pycache__/` (a pyc
checked by the source's hash). On a fresh clone (CI's) no cache exists yet, and each of the
`make test` processes rewrote all 172 modules itself, side by side: 8 s of CPU each, 6 times.
The controller rewrites what is stale once, before it starts them, and they read the cache.
A warm tree costs a hash of each module (about 50 ms).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def starts_xdist_processes(config: pytest.Config) -> bool:
    """This process is the controller of an xdist run (`-n N`, N > 0), not one of its workers."""
    if hasattr(config, "workerinput"):
        return False
    processes = getattr(config.option, "numprocesses", None)
    return bool(processes) and getattr(config.option, "dist", "no") != "no"


def modules_asked(config: pytest.Config) -> list[Path]:
    """The test modules of this run's arguments (files, folders, node ids; the test folder
    when none is given): `pytest -n 2 tests/test_x.py` rewrites one module, not all."""
    modules: set[Path] = set()
    for arg in config.args or [str(TESTS)]:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path.is_dir() and (path == TESTS or TESTS.is_relative_to(path)):
            modules.update(TESTS.glob("test_*.py"))
        elif path.parent == TESTS and path.name.startswith("test_") and path.suffix == ".py":
            modules.add(path)
    return sorted(modules)


def rewrite_ahead(config: pytest.Config) -> int:
    """Rewrite and cache every test module whose cached rewrite is missing or stale, as the
    xdist processes would; return how many. Uses pytest's own rewriting (private functions):
    should they change, nothing is done here and each process rewrites as before."""
    if sys.dont_write_bytecode or config.getoption("assertmode") != "rewrite":
        return 0
    try:
        from _pytest.assertion import rewrite

        read, rewrite_test, write = rewrite._read_pyc, rewrite._rewrite_test, rewrite._write_pyc
        state = config.stash[rewrite.assertstate_key]
        tail = rewrite.PYC_TAIL
    except (ImportError, AttributeError, KeyError):
        return 0
    done = 0
    for source in modules_asked(config):
        cache = rewrite.get_cache_dir(source)
        pyc = cache / (source.name[:-3] + tail)
        if read(source, pyc) is not None:
            continue
        if not rewrite.try_makedirs(cache):
            return done
        try:
            source_hash, code = rewrite_test(source, config)
        except SyntaxError:
            continue  # the process that collects it reports the error
        done += write(state, code, source_hash, pyc)
    return done
