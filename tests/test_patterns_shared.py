"""Negative signals written once in a folder's `_shared.yaml` and taken by every pattern."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from poolctl.patterns import PatternError, builtin_dir, load_patterns
from tests.conftest import RunCli
from tests.test_patterns_kb import GOOD as MINE
from tests.test_patterns_kb import write

FIXTURES = Path(__file__).parent / "fixtures"
SHUTDOWN_LOG = FIXTURES / "exunit" / "genserver_pool_shutdown.log"


def test_no_negative_signal_is_written_in_two_builtin_pattern_files() -> None:
    """The same regex on the same field, whatever its weight or words (the linked process'
    exit veto was written in four files, each with its own `why`)."""
    seen: Counter[tuple[object, ...]] = Counter()
    for path in sorted(builtin_dir().glob("p*.yaml")):
        for n in yaml.safe_load(path.read_text()).get("negative", []):
            seen[(n.get("field", "any"), n["regex"])] += 1
    assert [key for key, count in seen.items() if count > 1] == []


def test_every_builtin_pattern_but_the_one_that_skips_it_takes_the_shared_negative() -> None:
    kb = load_patterns()
    taking = {p.number for p in kb if any(n.shared == "literal-comparison" for n in p.negative)}
    assert taking == {1, 2, 3, 5, 6, 7}
    for p in kb:
        if p.number in taking:  # ahead of the pattern's own, and once
            assert p.negative[0].shared == "literal-comparison"
            assert p.negative[0].field == "details.code" and p.negative[0].weight == 0.3
            assert [n.shared for n in p.negative].count("literal-comparison") == 1
    assert kb.get("4").skip_shared == ("literal-comparison",)
    # an exit signal from a linked process vetoes every pattern, once, after the first
    for p in kb:
        shared = [n.shared for n in p.negative if n.shared]
        first = [] if p.number == 4 else ["literal-comparison"]
        assert shared == [*first, "linked-exit"]
        [veto] = [n for n in p.negative if n.shared == "linked-exit"]
        assert veto.veto and veto.regex.search("** (EXIT from #PID<0.918.0>) shutdown")


def test_a_users_shared_file_reaches_the_builtin_patterns_and_replaces_by_id(
    tmp_path: Path,
) -> None:
    write(tmp_path / "kb", "mine.yaml", MINE)
    write(
        tmp_path / "kb",
        "_shared.yaml",
        "negative:\n"
        "  - id: literal-comparison\n    field: details.code\n    regex: 'assert'\n"
        "    weight: 0.5\n    why: mine\n"
        "  - id: decoy\n    regex: 'DECOY'\n    veto: true\n    why: a decoy\n",
    )
    kb = load_patterns([tmp_path / "kb"])
    for p in kb:
        ids = [n.shared for n in p.negative if n.shared]
        builtin = ["linked-exit"] if p.number == 4 else ["literal-comparison", "linked-exit"]
        assert ids == [*builtin, "decoy"], p.id
    replaced = kb.get("2").negative[0]
    assert (replaced.regex.pattern, replaced.weight, replaced.why) == ("assert", 0.5, "mine")
    decoy = kb.get("8").negative[2]  # the user's own pattern takes them too
    assert decoy.shared == "decoy" and decoy.veto


def test_a_shared_veto_changes_the_triage_of_every_pattern(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("triage", str(SHUTDOWN_LOG), "--json")
    assert code == 1 and json.loads(out)["summary"]["diagnosed"] == 3
    write(
        tmp_path / "kb",
        "_shared.yaml",
        "negative:\n  - id: all\n    field: block\n    regex: 'test'\n    veto: true\n"
        "    why: every failure of this log\n",
    )
    code, out, _ = run_cli(
        "triage", str(SHUTDOWN_LOG), "--patterns", str(tmp_path / "kb"), "--json"
    )
    summary = json.loads(out)["summary"]
    assert (summary["diagnosed"], summary["unclassified"]) == (0, 3)


def test_a_skip_of_an_unknown_shared_id_names_the_file_and_line(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = write(tmp_path / "kb", "mine.yaml", MINE + "skip_shared: [literal-comparisn]\n")
    with pytest.raises(PatternError) as err:
        load_patterns([tmp_path / "kb"])
    assert str(err.value) == (
        f"{path}:10: skip_shared: no shared negative signal 'literal-comparisn' "
        "(known: literal-comparison, linked-exit)"
    )
    code, out, err_text = run_cli("patterns", "list", "--patterns", str(tmp_path / "kb"))
    assert (code, out, err_text.splitlines()) == (2, "", [f"poolctl: error: {err.value}"])


def test_shared_file_errors_name_file_line_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "kb",
        "_shared.yaml",
        "negative:\n  - id: one\n    regex: 'a'\n    veto: true\n    why: w\n"
        "  - id: one\n    regex: 'b'\n    weight: 2\n    why: w\n",
    )
    with pytest.raises(PatternError, match=rf"^{path}:8: negative\[1\]\.weight: "):
        load_patterns([tmp_path / "kb"])
    path.write_text(path.read_text().replace("weight: 2", "weight: 0.2"))
    with pytest.raises(PatternError, match=rf"^{path}:6: negative\[1\]\.id: duplicate shared id"):
        load_patterns([tmp_path / "kb"])
    path.write_text("negative:\n  - regex: 'a'\n    veto: true\n    why: w\n")
    with pytest.raises(
        PatternError, match=rf"^{path}:2: negative\[0\]\.id: required key is missing"
    ):
        load_patterns([tmp_path / "kb"])


def test_a_folder_of_shared_signals_alone_loads(tmp_path: Path) -> None:
    write(
        tmp_path / "kb",
        "_shared.yaml",
        "negative:\n  - id: x\n    regex: 'x'\n    veto: true\n    why: w\n",
    )
    kb = load_patterns([tmp_path / "kb"])
    assert len(kb) == 7
    for p in kb:
        assert [n.shared for n in p.negative if n.shared][-1] == "x"
        own = [n.shared is None for n in p.negative]
        assert own == sorted(own), p.id  # the shared ones ahead of the pattern's own
    assert all(any(n.shared == "x" for n in p.negative) for p in kb)
