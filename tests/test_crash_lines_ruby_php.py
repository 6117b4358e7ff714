"""A Ruby worker's uncaught exception and PHP's fatal error are the line that says why the
worker died, as a Python traceback's, a Node error or a Go panic are: the diagnosis said only
'exited with code 1' (255), its fix to run it by hand. Real workers: a Ruby require of a gem
that is not installed, a PHP call of an undefined function."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose


@pytest.mark.skipif(shutil.which("ruby") is None, reason="no ruby here")
def test_a_ruby_load_error_is_quoted(run_cli: RunCli) -> None:
    worker = str(WORKERS / "ruby_requires_a_missing_gem.rb")
    d = diagnose(run_cli, "--timeout", "3", "--framing", "line", "--", "ruby", worker)
    assert confirmed(d) == ["crashed"], d["cause"]
    said = "cannot load such file -- no_such_gem_for_poolctl (LoadError)"
    assert "exited with code 1, after the exception `" in d["cause"], d["cause"]
    assert said in d["cause"] and said in d["remediation"], d


@pytest.mark.skipif(shutil.which("php") is None, reason="no php here")
def test_a_php_fatal_error_is_quoted(run_cli: RunCli) -> None:
    worker = str(WORKERS / "php_calls_an_undefined_function.php")
    php = ("php", "-d", "display_errors=0", "-d", "log_errors=1", "-d", "error_log=", worker)
    d = diagnose(run_cli, "--timeout", "3", "--framing", "line", "--", *php)
    assert confirmed(d) == ["crashed"], d["cause"]
    said = (
        "PHP Fatal error:  Uncaught Error: Call to undefined function "
        "no_such_function_for_poolctl()"
    )
    assert said in d["cause"] and said in d["remediation"], d
