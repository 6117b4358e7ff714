"""`doctor`'s Output hygiene, and the diagnosis Framing quotes, tell a worker that writes a
banner to stdout how to write it to stderr in the worker's own language: the one its command
names (Node, Ruby, PHP, Elixir), the one its binary was built from (Go), the one the text's
shape shows (a Python dict's repr behind a start script), or, where nothing tells it, the
general rule with the ways of the common languages. Real workers, each with its banner."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from poolctl.languages import command_language, stray_text_language
from tests.test_diagnose_workers import WORKERS
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name

SECTIONS = ("Output hygiene", "Framing")


def _needs(program: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(program) is None, reason=f"no {program} here")


@pytest.fixture(scope="module")
def go_banner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("go") is None:
        pytest.skip("go is not installed")
    built = tmp_path_factory.mktemp("go") / "prints_a_banner"
    env = {**os.environ, "GO111MODULE": "off"}  # one file, no module
    source = str(WORKERS / "go_prints_a_banner.go")
    subprocess.run(["go", "build", "-o", str(built), source], check=True, env=env)
    return built


def _stray_fixes(doctor: Doctor, argv: tuple[str, ...]) -> tuple[str, str]:
    """The Output hygiene remedy for the banner, and the Framing check's (the diagnosis')."""
    report = doctor(argv, *SECTIONS, init_timeout=5.0, framing="line")
    hygiene = only(report, "Output hygiene", "stdout")
    assert hygiene.status == "fail", hygiene.summary
    assert "to stdout before any frame" in hygiene.summary
    framing = only(report, "Framing")
    return hygiene.remedy, framing.remedy


@pytest.mark.parametrize(
    ("argv", "program", "language", "way"),
    [
        (("node_logs_listening.js",), "node", "JavaScript", "console.error"),
        (("ruby_puts_a_banner.rb",), "ruby", "Ruby", "$stderr.puts"),
        (("php", "php_echoes_a_banner.php"), "php", "PHP", "fwrite(STDERR"),
        (("elixir_puts_a_banner.exs",), "elixir", "Elixir", "IO.puts(:stderr"),
    ],
)
def test_a_banner_gets_the_way_to_stderr_of_the_language_its_command_names(
    doctor: Doctor, argv: tuple[str, ...], program: str, language: str, way: str
) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"no {program} here")
    argv = (*argv[:-1], str(WORKERS / argv[-1]))
    for fix in _stray_fixes(doctor, argv):
        assert f"in {language}, " in fix and way in fix, fix
        assert "sys.stderr" not in fix, fix  # Python's way is no help to it


def test_a_go_binary_is_told_by_its_build_id(doctor: Doctor, go_banner: Path) -> None:
    assert command_language((str(go_banner),), None) is not None
    for fix in _stray_fixes(doctor, (str(go_banner),)):
        assert "in Go, `fmt.Fprintln(os.Stderr, …)`" in fix and "sys.stderr" not in fix, fix
    # a C program (coreutils' sleep) says no language
    assert command_language(("/bin/sleep", "1"), None) is None


@_needs("python3")
def test_a_start_script_s_server_is_told_by_its_text_s_shape(doctor: Doctor) -> None:
    for fix in _stray_fixes(doctor, (str(WORKERS / "starts_a_dict_printer.sh"),)):
        assert "in Python, `print(…, file=sys.stderr)`" in fix, fix
        assert "the text reads as a Python dict's repr" in fix, fix


@_needs("ruby")
def test_a_start_script_s_ruby_server_is_told_by_its_symbol_keyed_hash(doctor: Doctor) -> None:
    """`p({model: "small"})` writes `{:model=>"small", …}` (Ruby 3.4: `{model: "small", …}`):
    only a Hash with string keys (`{"model"=>…}`) was read as Ruby's."""
    for fix in _stray_fixes(doctor, (str(WORKERS / "starts_a_symbol_hash_printer.sh"),)):
        assert "in Ruby, `$stderr.puts(…)`" in fix, fix
        assert "the text reads as a Ruby Hash's inspect" in fix, fix


def test_the_shapes_of_a_ruby_hash_and_of_node_s_object() -> None:
    """Ruby 3.4's inspect, not installed here: `{"a" => 1}`, `{a: 1}` (its documented form)."""
    for text, name in {
        b'{"a"=>1}': "Ruby",
        b'{"a" => 1}': "Ruby",
        b"{:a=>1, :ok?=>true}": "Ruby",
        b'{a: 1, b: "x"}': "Ruby",
        b"{ a: 1, b: 'x' }": "JavaScript",
    }.items():
        found, _ = stray_text_language(("./start.sh",), None, text)
        assert found is not None and found.name == name, text


@_needs("python3")
def test_where_nothing_tells_the_language_it_says_so_with_the_general_rule(
    doctor: Doctor,
) -> None:
    for fix in _stray_fixes(doctor, (str(WORKERS / "runs_a_banner_writer.sh"),)):
        assert "the worker's language cannot be told from its command or the text" in fix, fix
        assert "in Node `console.error`" in fix and "in a shell `echo … >&2`" in fix, fix


def test_the_interpreters_that_name_a_language() -> None:
    named = {
        ("deno", "run", "w.ts"): "JavaScript",
        ("bun", "w.js"): "JavaScript",
        ("escript", "w.escript"): "Erlang",
        ("mix", "run", "--no-halt"): "Elixir",
        ("go", "run", "main.go"): "Go",
    }
    for argv, name in named.items():
        found = command_language(argv, None)
        assert found is not None and found.name == name, argv


@_needs("python3")
def test_a_start_script_s_own_echo_gets_its_line_with_a_redirect(doctor: Doctor) -> None:
    """Output hygiene gave Python's print(..., file=sys.stderr) where the diagnosis had found
    the wrapper's echo that writes the line: both give the echo, redirected."""
    for fix in _stray_fixes(doctor, (str(WORKERS / "echoes_then_serves.sh"),)):
        assert fix.startswith("Send the text to stderr in its script echoes_then_serves.sh"), fix
        assert '`echo "Starting server..." >&2`' in fix, fix


@_needs("elixir")
def test_elixir_s_logger_on_stdout_is_told_elixir_s_way_not_its_launcher_s_echo(
    doctor: Doctor,
) -> None:
    """/usr/bin/elixir is a shell script whose `echo "$ELIXIR_VERSION"` matched any line:
    the Logger line was said to be written by it, and the fix was to redirect that echo."""
    for fix in _stray_fixes(doctor, ("elixir", str(WORKERS / "elixir_logs_at_start.exs"))):
        assert "in Elixir, `IO.puts(:stderr, …)`" in fix, fix
        assert "device: :standard_error" in fix and "ELIXIR_VERSION" not in fix, fix
