"""`poolctl patterns list | show | test | new` with the shared output options: `--json` (and
`--format json`) as documents valid against the shipped schema, `--format md`, `--output FILE`,
`-q` the names or the verdict alone, `-v` every detail."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from poolctl.logs import read_logs
from poolctl.patterns import load_patterns
from poolctl.report.groups_view import clusters_of
from poolctl.triage import triage
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
EXUNIT = str(FIXTURES / "exunit" / "pool_suite.log")
SCHEMA = json.loads(
    resources.files("poolctl").joinpath("schemas/patterns.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
IDS = [p.id for p in load_patterns([])]


def document(out: str, kind: str) -> dict[str, Any]:
    """The JSON printed, checked against the schema and of the `kind` expected."""
    doc: dict[str, Any] = json.loads(out)
    VALIDATOR.validate(doc)
    assert doc["schema_version"] == 1 and doc["kind"] == kind
    return doc


# --- list ------------------------------------------------------------------------------------
def test_list_as_json_names_every_pattern_and_where_it_comes_from(cli: RunCli) -> None:
    code, out, err = cli("patterns", "list", "--json")
    assert code == 0, err
    doc = document(out, "patterns")
    assert [p["id"] for p in doc["patterns"]] == IDS
    assert {p["origin"] for p in doc["patterns"]} == {"builtin"}
    assert all(p["signals"] > 0 and p["reproduce"].startswith("poolctl") for p in doc["patterns"])
    _, again, _ = cli("patterns", "list", "--format", "json")
    assert again == out


def test_list_quiet_prints_the_ids_alone_and_verbose_the_summaries(cli: RunCli) -> None:
    code, out, _ = cli("patterns", "list", "-q")
    assert code == 0 and out.split("\n") == [*IDS, ""]
    code, out, _ = cli("patterns", "list", "-v")
    first = load_patterns([]).get("1")
    assert code == 0 and " ".join(first.summary.split()) in out
    assert f"reproduce: {first.reproduce}" in out
    _, plain, _ = cli("patterns", "list")
    assert " ".join(first.summary.split()) not in plain and "reproduce:" not in plain


def test_list_as_markdown_to_a_file(cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "kb.md"
    code, out, err = cli("patterns", "list", "-f", "md", "-o", str(target))
    assert code == 0 and out == "", err
    md = target.read_text()
    assert md.startswith("# Failure patterns\n")
    rows = [line for line in md.splitlines() if line.startswith("| ") and "`" in line]
    assert [row.split("`")[1] for row in rows] == IDS


def test_a_folder_of_ones_own_is_listed_with_its_file(cli: RunCli, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "money.yaml").write_text(
        "id: unknown-currency\nnumber: 8\ntitle: Currency missing\nsummary: s\n"
        "signals:\n  - regex: 'key :currency not found'\n    weight: 0.9\n    why: w\n"
        "remediation: Add a currency.\n"
    )
    code, out, _ = cli("patterns", "list", "--patterns", str(kb), "--json")
    mine = document(out, "patterns")["patterns"][-1]
    assert code == 0 and mine["id"] == "unknown-currency"
    assert mine["origin"] == str(kb / "money.yaml") and mine["reproduce"] == ""


# --- show ------------------------------------------------------------------------------------
def test_show_as_json_holds_the_whole_pattern(cli: RunCli) -> None:
    code, out, err = cli("patterns", "show", "3", "--json")
    assert code == 0, err
    p = document(out, "pattern")["pattern"]
    source = yaml.safe_load(Path(p["path"]).read_text())
    assert p["id"] == source["id"] == "checkout-timeout-waiters"
    assert [s["weight"] for s in p["signals"]] == [s["weight"] for s in source["signals"]]
    assert [c["id"] for c in p["causes"]] == [c["id"] for c in source["causes"]]
    assert p["remediation"] == source["remediation"].strip()
    assert len(p["examples"]["match"]) == len(source["examples"]["match"])


def test_show_quiet_and_verbose(cli: RunCli) -> None:
    code, quiet, _ = cli("patterns", "show", "port-no-response", "-q")
    assert code == 0 and quiet.startswith("1 port-no-response — ")
    assert "Remediation" in quiet and "Signals" not in quiet and "Candidate causes" not in quiet
    _, plain, _ = cli("patterns", "show", "port-no-response")
    _, verbose, _ = cli("patterns", "show", "port-no-response", "-v")
    assert "Signals" in plain and "match[0]" not in plain
    assert verbose.startswith(plain.rstrip("\n")) and "match[0]" in verbose
    assert "no_match[0]" in verbose


def test_show_as_markdown_has_the_signals_table(cli: RunCli) -> None:
    code, out, _ = cli("patterns", "show", "5", "-f", "md")
    assert code == 0 and out.startswith("# Pattern 5: ")
    assert "| weight | field | regex or fact | why |" in out and "**Remediation**" in out


def test_show_an_unknown_pattern_is_one_line_whatever_the_format(cli: RunCli) -> None:
    code, out, err = cli("patterns", "show", "nope", "--json")
    assert code == 2 and out == "" and "no pattern 'nope'" in err and err.count("\n") == 1


# --- test ------------------------------------------------------------------------------------
def test_test_on_a_log_as_json_holds_every_failure(cli: RunCli) -> None:
    code, out, err = cli("patterns", "test", "checkout-timeout-waiters", EXUNIT, "--json")
    assert code == 0, err
    doc = document(out, "pattern-test")
    assert doc["claims"] == 4 and doc["failures"] == len(doc["results"]) == 31
    matched = [r for r in doc["results"] if r["verdict"] == "matches"]
    assert len(matched) == 4 and all(r["winner"] == "checkout-timeout-waiters" for r in matched)
    fired = matched[0]["rules"][0]
    assert fired["role"] == "signal" and "pool_suite.log:" in fired["origin"] and fired["quote"]
    assert any(r["verdict"] == "no signal" for r in doc["results"])  # JSON: every failure


def test_test_quiet_prints_the_verdict_and_verbose_every_failure(cli: RunCli) -> None:
    code, quiet, _ = cli("patterns", "test", "3", EXUNIT, "-q")
    assert code == 0
    assert quiet.strip().endswith("claims 4 of 31 failure(s) (threshold 0.50)")
    assert quiet.count("\n") == 1
    _, plain, _ = cli("patterns", "test", "3", EXUNIT)
    _, verbose, _ = cli("patterns", "test", "3", EXUNIT, "-v")
    _, every, _ = cli("patterns", "test", "3", EXUNIT, "--all")
    _, out, _ = cli("patterns", "test", "3", EXUNIT, "--json")
    silent = sum(r["verdict"] == "no signal" for r in json.loads(out)["results"])
    assert silent and f"{silent} failure(s) where no signal fires" in plain
    assert "· no signal" not in plain and verbose.count("· no signal") == silent
    assert verbose == every and plain.split("\n")[0] == verbose.split("\n")[0]


def test_test_as_markdown_to_a_file_keeps_the_exit_code(cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "p5.md"
    code, out, _ = cli("patterns", "test", "5", EXUNIT, "-f", "md", "-o", str(target))
    md = target.read_text()
    assert out == "" and md.startswith("# 5 required-field-missing on ")
    assert code == (0 if "| matches |" in md else 1)


def test_the_examples_as_json_and_quiet(cli: RunCli) -> None:
    code, out, _ = cli("patterns", "test", "p2", "--json")
    doc = document(out, "pattern-examples")
    assert code == 0 and doc["passed"] and doc["pattern"]["id"] == "pool-shutdown-during-checkout"
    assert {e["expect"] for e in doc["examples"]} == {"match", "no_match"}
    code, quiet, _ = cli("patterns", "test", "p2", "-q")
    assert code == 0 and quiet == "all examples pass\n"


def test_a_failing_example_exits_1_in_every_format(cli: RunCli, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "greedy.yaml").write_text(
        "id: greedy\nnumber: 9\ntitle: Claims what it should not\nsummary: s\n"
        "signals:\n  - regex: 'timeout'\n    weight: 0.9\n    why: w\n"
        "remediation: r\n"
        "examples:\n"
        "  match:\n    - message: 'a timeout'\n"
        "  no_match:\n    - message: 'a plain timeout'\n      note: it claims this too\n"
    )
    code, out, _ = cli("patterns", "test", "greedy", "--patterns", str(kb), "--json")
    doc = document(out, "pattern-examples")
    assert code == 1 and not doc["passed"]
    assert [e["ok"] for e in doc["examples"]] == [True, False]
    code, quiet, _ = cli("patterns", "test", "greedy", "--patterns", str(kb), "-q")
    assert code == 1 and quiet == "1 failed\n"
    code, md, _ = cli("patterns", "test", "greedy", "--patterns", str(kb), "-f", "md")
    assert code == 1 and "| ✗ | no_match[0] | it claims this too | `greedy` |" in md


def test_a_match_example_whose_facts_are_not_extracted_fails(cli: RunCli, tmp_path: Path) -> None:
    """An example's `facts:` are what the diagnosis must extract: one it does not (or not
    with that value) fails the example, named in every format."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "waits.yaml").write_text(
        "id: waits\nnumber: 9\ntitle: Waits\nsummary: s\n"
        "signals:\n  - regex: 'gave up after \\d+ ms'\n    weight: 0.9\n    why: w\n"
        "facts:\n  - name: waited_ms\n    regex: 'after (?P<waited_ms>\\d+) ms'\n"
        "    transform: int\n"
        "remediation: r\n"
        "examples:\n"
        "  match:\n    - message: 'gave up after 300 ms'\n      facts: {waited_ms: 300}\n"
        "    - message: 'gave up after 500 ms'\n      note: wrong value\n"
        "      facts: {waited_ms: 300, pool: p1}\n"
        "  no_match:\n    - message: 'a plain timeout'\n"
    )
    code, out, _ = cli("patterns", "test", "waits", "--patterns", str(kb), "--json")
    doc = document(out, "pattern-examples")
    assert code == 1 and not doc["passed"]
    assert [e["ok"] for e in doc["examples"]] == [True, False, True]
    assert doc["examples"][1]["wrong_facts"] == [
        "waited_ms: expected 300, got 500",
        "pool: expected 'p1', got None",
    ]
    code, shown, _ = cli("patterns", "test", "waits", "--patterns", str(kb))
    assert code == 1 and "fact waited_ms: expected 300, got 500" in shown
    code, md, _ = cli("patterns", "test", "waits", "--patterns", str(kb), "-f", "md")
    assert "; fact pool: expected 'p1', got None |" in md


def test_the_terminal_view_to_a_file_is_plain_text(cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "p3.txt"
    code, out, _ = cli("patterns", "test", "3", EXUNIT, "-o", str(target))
    _, shown, _ = cli("patterns", "test", "3", EXUNIT)
    assert code == 0 and out == "" and "\x1b[" not in target.read_text()
    assert target.read_text() == shown


# --- new -------------------------------------------------------------------------------------
def _cluster() -> str:
    """The biggest cluster of the log's unclassified failures, as triage names it."""
    return clusters_of(triage(read_logs([EXUNIT]), load_patterns([])))[0].id


def test_new_as_json_says_what_it_wrote(cli: RunCli, tmp_path: Path) -> None:
    cluster = _cluster()
    code, out, err = cli(
        "patterns", "new", "--from", EXUNIT, "--cluster", cluster, "-o", str(tmp_path), "--json"
    )
    assert code == 0, err
    doc = document(out, "pattern-new")
    path = Path(doc["path"])
    assert path.parent == tmp_path and path.read_text() == doc["text"]
    assert doc["cluster"] == cluster and doc["failures"] >= 1
    assert doc["next"] == (
        f"poolctl patterns test {doc['pattern_id']} {EXUNIT} --patterns {tmp_path}"
    )


def test_new_quiet_prints_the_path_and_verbose_the_pattern(cli: RunCli, tmp_path: Path) -> None:
    cluster = _cluster()
    code, out, _ = cli(
        "patterns", "new", "--from", EXUNIT, "--cluster", cluster, "-o", str(tmp_path / "a"), "-q"
    )
    path = Path(out.strip())
    assert code == 0 and out.count("\n") == 1 and path.exists() and path.parent == tmp_path / "a"
    code, out, _ = cli(
        "patterns", "new", "--from", EXUNIT, "--cluster", cluster, "-o", str(tmp_path / "b"), "-v"
    )
    written = next((tmp_path / "b").glob("*.yaml")).read_text()
    assert code == 0 and out.startswith("wrote ") and "next: poolctl patterns test" in out
    assert all(f"  {line}" in out for line in written.splitlines() if line.strip())


@pytest.mark.parametrize("sub", [["list"], ["show", "3"], ["test", "3", EXUNIT]], ids=str)
def test_json_to_a_file_is_the_same_document(cli: RunCli, tmp_path: Path, sub: list[str]) -> None:
    target = tmp_path / "doc.json"
    code, out, _ = cli("patterns", *sub, "--json", "-o", str(target))
    _, printed, _ = cli("patterns", *sub, "--json")
    assert code == 0 and out == "" and target.read_text() == printed


def test_new_takes_each_cluster_the_triage_lists_and_says_when_its_signals_match_others(
    cli: RunCli, tmp_path: Path
) -> None:
    """Two one-failure clusters of plain asserts: a starter from one matches the other too
    (`assert` is all they share). It says so, takes that failure as its no_match example (so
    `patterns test` fails until it is told apart), and the second cluster stays one `new` can
    start from, though the first starter, in the output folder, would claim it."""
    log = str(FIXTURES / "pytest" / "pool_suite.txt")
    out = tmp_path / "patterns"
    code, said, _ = cli("patterns", "new", "--from", log, "--cluster", "6eae0858", "-o", str(out))
    assert code == 0
    assert "note: its signals also match 1 failure(s) of other clusters (test_arithmetic)" in said
    written = yaml.safe_load((out / "assert.yaml").read_text())
    assert "which the signals match too" in written["examples"]["no_match"][0]["note"]
    code, _, _ = cli("patterns", "test", "assert", "--patterns", str(out))
    assert code == 1  # its examples: the look-alike is claimed, and the check fails, as it should
    code, said, err = cli("patterns", "new", "--from", log, "--cluster", "b8d9a382", "-o", str(out))
    assert code == 0, err
    assert said.startswith(f"wrote {out}/assert-b8d9a382.yaml")


RAISES = """\
id: frobnicator-rejects-input
number: 8
title: The frobnicator rejects its input
summary: The frobnicator raises ValueError on values it does not accept.
signals:
  - regex: 'frobnicator rejected input'
    weight: 0.9
    why: the failure says the frobnicator rejected its input
  - fact: bad_input
    weight: 0.1
    why: the rejected value is quoted
facts:
  - name: bad_input
    regex: "rejected input '(?P<bad_input>[^']*)'"
    transform: int
remediation: Pass the frobnicator a number.
examples:
  match:
    - note: a word where a number goes
      source: pytest
      kind: ValueError
      message: "ValueError: frobnicator rejected input 'abc'"
  no_match:
    - note: another error
      source: pytest
      kind: KeyError
      message: "KeyError: 'pool'"
"""


@pytest.mark.parametrize("with_log", [False, True])
def test_a_pattern_that_raises_is_named_by_patterns_test(
    cli: RunCli, tmp_path: Path, with_log: bool
) -> None:
    """Its fact's `transform: int` meets a word: `patterns test`, the command to debug such a
    pattern, was an internal error (exit 3, a traceback file); now one line naming the pattern
    file, the failure and the error, exit 2 (triage skips such a pattern, with a note)."""
    folder = tmp_path / "patterns"
    folder.mkdir()
    (folder / "frobnicator.yaml").write_text(RAISES)
    log = tmp_path / "run.txt"
    log.write_text(
        "=================================== FAILURES ===================================\n"
        "__________________________________ test_frob __________________________________\n"
        "E   ValueError: frobnicator rejected input 'abc'\n"
        "============================== 1 failed in 0.01s ===============================\n"
    )
    argv = ["patterns", "test", "frobnicator-rejects-input", "--patterns", str(folder)]
    code, out, err = cli(*argv, *([str(log)] if with_log else []))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "frobnicator.yaml: pattern frobnicator-rejects-input raised ValueError on " in err
    assert "invalid literal for int()" in err
