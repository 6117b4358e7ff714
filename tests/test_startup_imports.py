"""What a triage's start imports: the XML parser only for a JUnit file, the YAML parser only for a
TAP log's YAML diagnostics, and no `--help` drawing
(`poolctl.root_help`, rich's panels) for a command that runs; what a ping imports: not the
triage engine, though its run is recorded in the history under a name the triage's own code
gives (`poolctl.triage.normalize`); what a history command's `--help` imports: not the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import REFERENCE, Processes

FIXTURES = Path(__file__).parent / "fixtures"
PYTEST_LOG = FIXTURES / "pytest" / "matrix" / "postgres-1.txt"  # a real capture, two tests
JUNIT = FIXTURES / "junit" / "pytest_pypool.xml"
# `node --test`'s TAP, its failures' diagnostics in YAML blocks (a real capture)
NODE_TAP = FIXTURES / "mixed" / "tap_runs" / "node_tap_diag.log"
PROBE = (
    "import json, sys\n"
    "from poolctl.cli import main\n"
    "code = main(['triage', sys.argv[1], '--no-history', '--run-dir', sys.argv[2], '-q'])\n"
    "sys.stderr.write(json.dumps([code, sorted(sys.modules)]))\n"
)


def _imported(processes: Processes, log: Path, run_dir: Path) -> tuple[int, set[str]]:
    done = processes.run([sys.executable, "-c", PROBE, str(log), str(run_dir)], 120)
    code, modules = json.loads(done.stderr.rsplit("\n", 1)[-1])
    return code, set(modules)


def test_a_pytest_log_is_triaged_without_an_xml_parser_or_the_help(
    processes: Processes, tmp_path: Path
) -> None:
    code, modules = _imported(processes, PYTEST_LOG, tmp_path / "run")
    assert code == 0 and (tmp_path / "run" / "report.json").is_file()
    assert "poolctl.triage.engine" in modules  # it did triage
    assert not {m for m in modules if m.startswith(("defusedxml", "xml.etree", "pyexpat"))}
    assert "poolctl.root_help" not in modules and "rich.panel" not in modules


def test_a_log_without_tap_yaml_is_triaged_without_the_yaml_parser(
    processes: Processes, tmp_path: Path
) -> None:
    """`poolctl.logs.tap_block` imported PyYAML with the parsers: 20-30 ms of CPU of every
    triage's start (measured at load 12) for the YAML blocks of `node --test`'s TAP alone. The
    second of two: the first may compile the knowledge base's cache, with the YAML parser."""
    for _ in range(2):
        code, modules = _imported(processes, PYTEST_LOG, tmp_path / "run")
    assert code == 0 and "poolctl.logs.tap_block" in modules  # the parsers were imported
    assert "yaml" not in modules
    code, modules = _imported(processes, NODE_TAP, tmp_path / "tap")
    report = json.loads((tmp_path / "tap" / "report.json").read_text())
    messages = [f["failure"]["message"] for f in report["findings"]]
    assert code == 1 and "yaml" in modules
    assert "No response received within 5 seconds" in messages  # the YAML block's `error`


def test_a_junit_file_still_gets_its_xml_parser(processes: Processes, tmp_path: Path) -> None:
    code, modules = _imported(processes, JUNIT, tmp_path / "run")
    assert code == 1 and "defusedxml.ElementTree" in modules  # its failures were read


PING_PROBE = (
    "import json, sys\n"
    "from poolctl.cli import main\n"
    "code = main(['ping', '--timeout', '20', '--run-dir', sys.argv[1], '--', *sys.argv[2:]])\n"
    "sys.stderr.write(json.dumps([code, sorted(sys.modules)]))\n"
)


def test_a_ping_recorded_in_the_history_does_not_import_the_triage_engine(
    processes: Processes, tmp_path: Path, history_in_tmp: Path
) -> None:
    """The package's `__init__` imported the engine (its parsers, its knowledge base) for any of
    its modules: every ping, doctor and pool run paid for it to name its findings."""
    argv = [sys.executable, "-c", PING_PROBE, str(tmp_path / "run"), *REFERENCE]
    done = processes.run(argv, 120)
    code, modules = json.loads(done.stderr.rsplit("\n", 1)[-1])
    assert code == 0 and history_in_tmp.stat().st_size > 0
    assert "poolctl.triage.normalize" in modules  # the run was named for the history
    assert "poolctl.triage.engine" not in modules


JSON_PROBE = (
    "import json, sys\n"
    "from poolctl.cli import main\n"
    "code = main(['triage', sys.argv[1], '--no-history', '--run-dir', sys.argv[2], '-f', 'json',"
    " '-o', sys.argv[3], '--fail-on', 'never', '--top', '3', '--keep', '2'])\n"
    "sys.stderr.write(json.dumps([code, sorted(sys.modules)]))\n"
)


def test_a_triage_does_not_import_pydantic(processes: Processes, tmp_path: Path) -> None:
    """Typer checked each value given (a log, `-f json`, `--fail-on never`, `--top 3`) through a
    pydantic adapter, and report.json's writer imported pydantic for the reading back: about
    50 ms of a small triage's 200 went to importing it (`poolctl.cli_values`). The second of
    two: the first may compile the knowledge base's cache, with pydantic."""
    argv = [sys.executable, "-c", JSON_PROBE, str(PYTEST_LOG), str(tmp_path / "run")]
    for _ in range(2):
        done = processes.run([*argv, str(tmp_path / "out.json")], 120)
    code, modules = json.loads(done.stderr.rsplit("\n", 1)[-1])
    assert code == 0 and json.loads((tmp_path / "out.json").read_text())["kind"] == "triage"
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}


HELP_PROBE = (
    "import json, sys\n"
    "from poolctl.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(json.dumps([code, sorted(sys.modules)]))\n"
)


def test_a_history_help_does_not_import_the_store(processes: Processes) -> None:
    """`poolctl history runs --help` imported the store and its queries (SQLAlchemy) to draw
    its options: 0.36 s of CPU for the help instead of 0.16."""
    done = processes.run([sys.executable, "-c", HELP_PROBE, "history", "runs", "--help"], 120)
    code, modules = json.loads(done.stderr.rsplit("\n", 1)[-1])
    assert code == 0 and "Exit codes:" in done.stdout, done.stdout
    assert "poolctl.history.store" not in modules
    assert not {m for m in modules if m.split(".")[0] == "sqlalchemy"}


HELPS_PROBE = (
    "import json, sys\n"
    "from poolctl.cli import main\n"
    "for command in sys.argv[1:]:\n"
    "    code = main([*command.split(), '--help'])\n"
    "    print(json.dumps([command, code, sorted(sys.modules)]), file=sys.stderr)\n"
)
# what drawing the options of a command needs none of: pydantic's models (the scenario and
# pattern-example schemas), the doctor's checks, the log readers and the triage engine
NOT_FOR_A_HELP = ("pydantic", "pydantic_core", "poolctl.scenario.schema", "poolctl.doctor",
                  "poolctl.patterns.examples", "poolctl.logs", "poolctl.triage.engine")  # fmt: skip


def test_a_help_imports_nothing_the_command_alone_runs(processes: Processes) -> None:
    """`poolctl doctor --help` and `run-scenario --help` imported the doctor's checks and the
    scenario schema (pydantic's models) to draw their options, `patterns list|show|test|new
    --help` the log readers, the triage engine and the examples' schema: 0.7-1.0 s of CPU for a
    help instead of about 0.4 (as `ping --help`). The helps run one after another in one
    process: a module is blamed on the first help after which it was imported."""
    helps = ["doctor", "run-scenario", "patterns list", "patterns show", "patterns test",
             "patterns new"]  # fmt: skip
    done = processes.run([sys.executable, "-c", HELPS_PROBE, *helps], 120)
    ran = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("[")]
    assert [command for command, _, _ in ran] == helps, done.stderr[-2000:]
    for command, code, modules in ran:
        assert code == 0, command
        assert not [m for m in modules if m.startswith(NOT_FOR_A_HELP)], command
    assert done.stdout.count("Exit codes:") == len(helps)
