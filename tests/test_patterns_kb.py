"""The knowledge base: every builtin pattern's own examples (semgrep-style rule tests), the
schema's errors (file, line, key path), and `--patterns` folders that add or override."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.errors import InputError
from poolctl.patterns import PatternError, builtin_dir, load_patterns
from poolctl.patterns.examples import to_failure, walk
from poolctl.scenario import bundled_scenarios
from poolctl.triage.classifier import diagnose, pick, score
from poolctl.triage.facts import FactContext
from poolctl.triage.fields import FailureView

KB = load_patterns()
CASES = [
    pytest.param(p.id, expect, i, id=f"{p.number}-{p.id}-{expect}-{i}")
    for p in KB
    for expect, i, _ in walk(p)
]


@pytest.mark.parametrize(("pattern_id", "expect", "index"), CASES)
def test_pattern_examples(pattern_id: str, expect: str, index: int) -> None:
    """A `match` example is claimed by its pattern (with its facts); a `no_match` one is not."""
    pattern = KB.get(pattern_id)
    assert pattern.examples is not None
    example = (pattern.examples.match if expect == "match" else pattern.examples.no_match)[index]
    view = FailureView(to_failure(example))
    best, nearest = pick(score(p, view, FactContext()) for p in KB)
    got = best.pattern.id if best else None
    if expect == "no_match":
        assert got != pattern_id, f"{example.note}: claimed by {pattern_id}"
        return
    assert got == pattern_id, (
        f"{example.note}: got {got} (nearest {nearest and nearest.pattern.id})"
    )
    assert best is not None
    facts = diagnose(best, view, FactContext()).facts
    for name, value in example.facts.items():
        assert facts.get(name) == value, f"{example.note}: fact {name}"


def test_seven_builtin_patterns_with_stable_ids() -> None:
    assert [(p.number, p.id) for p in KB] == [
        (1, "port-no-response"),
        (2, "pool-shutdown-during-checkout"),
        (3, "checkout-timeout-waiters"),
        (4, "fixture-key-mismatch"),
        (5, "required-field-missing"),
        (6, "adapter-misconfigured"),
        (7, "dependency-not-started"),
    ]
    assert len(list(builtin_dir().glob("p*.yaml"))) == 7


@pytest.mark.parametrize("pattern", list(KB), ids=lambda p: p.id)
def test_each_pattern_is_tested_in_two_runners_and_two_wordings(pattern: object) -> None:
    from poolctl.patterns.loader import Pattern

    assert isinstance(pattern, Pattern) and pattern.examples is not None
    matches = pattern.examples.match
    assert len({m.source for m in matches}) >= 2
    assert len({m.message for m in matches}) >= 2
    assert pattern.examples.no_match
    # a command that works from an install: a bundled scenario by name
    command, _, name = pattern.reproduce.rpartition(" ")
    assert command == "poolctl run-scenario"
    assert name in {p.stem for p in bundled_scenarios()}
    assert pattern.causes and all(c.tell_apart for c in pattern.causes)


def test_lookup_by_id_number_or_p_number() -> None:
    assert KB.get("3").id == KB.get("p3").id == KB.get("checkout-timeout-waiters").id
    with pytest.raises(PatternError, match="no pattern 'nope'"):
        KB.get("nope")


GOOD = """\
id: my-pattern
number: 8
title: Mine
summary: A test pattern.
signals:
  - regex: 'flux capacitor'
    weight: 0.9
    why: it says so
remediation: Fix the capacitor.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_a_folder_adds_patterns(tmp_path: Path) -> None:
    write(tmp_path / "kb", "mine.yaml", GOOD)
    kb = load_patterns([tmp_path / "kb"])
    assert len(kb) == 8 and kb.get("8").title == "Mine"


def test_a_folder_overrides_by_id(tmp_path: Path) -> None:
    text = GOOD.replace("id: my-pattern", "id: port-no-response").replace("number: 8", "number: 1")
    write(tmp_path / "kb", "p1.yaml", text)
    kb = load_patterns([tmp_path / "kb"])
    assert len(kb) == 7 and kb.get("port-no-response").title == "Mine"


FLOW = """\
id: my-pattern
number: 8
title: Mine
summary: A test pattern.
signals: [{regex: 'flux capacitor', weight: 0.9, why: it says so},
  {regex: 'capacitor', weight: 0.5,
   why: again}]
facts: [{name: part, regex: '(?P<part>flux)'}]
remediation: Fix the {part|capacitor}.
examples:
  match:
    - message: the flux capacitor broke
      details: {left: one}
  no_match:
    - message: all fine
"""


def test_the_flow_style_pattern_is_valid(tmp_path: Path) -> None:
    write(tmp_path / "kb", "flow.yaml", FLOW)
    pattern = load_patterns([tmp_path / "kb"]).get("my-pattern")
    assert len(pattern.signals) == 2 and pattern.facts[0].name == "part"


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (
            ("weight: 0.5,", "weigth: 0.5,"),
            "6: signals[1].weigth: unknown key (did you mean 'weight'?)",
        ),
        (("weight: 0.5,", "weight: lots,"), "6: signals[1].weight: Input should be a valid number"),
        (
            ("   why: again}", "   why: [again]}"),
            "7: signals[1].why: Input should be a valid string",
        ),
        (("name: part,", "name: part, aggregate: most,"), "8: facts[0].aggregate: Input should be"),
        (("{name: part,", "{nam: part,"), "8: facts[0].nam: unknown key (did you mean 'name'?)"),
        (
            ("details: {left: one}", "detials: {left: one}"),
            "13: examples.match[0].detials: unknown key",
        ),
        (
            ("details: {left: one}", "details: {left: [1]}"),
            "13: examples.match[0].details.left: Input",
        ),
        (
            ("    - message: all fine", "    - 3"),
            "15: examples.no_match[0]: must be a mapping of keys",
        ),
        (("number: 8", "number: {n: 8}"), "2: number: Input should be a valid integer"),
    ],
)
def test_flow_style_errors_name_their_own_line(
    tmp_path: Path, edit: tuple[str, str], where: str
) -> None:
    assert edit[0] in FLOW
    path = write(tmp_path / "kb", "bad.yaml", FLOW.replace(*edit))
    with pytest.raises(PatternError) as err:
        load_patterns([tmp_path / "kb"])
    assert str(err.value).startswith(f"{path}:{where}"), str(err.value)


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (("weight: 0.9", "weight: 1.9"), ":7", "signals[0].weight: Input should be less than"),
        (("    why: it says so\n", "    why: it says so\n    colour: red\n"), ":9", "colour"),
        (
            ("    weight: 0.9", "    wieght: 0.9"),
            ":7",
            "signals[0].wieght: unknown key (did you mean 'weight'?)",
        ),
        (("'flux capacitor'", "'flux ('"), ":6", "signals[0].regex: not a valid regular"),
        (("title: Mine\n", ""), ":1", "title: required key is missing"),
        (("field: any", "field: any"), None, None),
        (("id: my-pattern", "id: My Pattern"), ":1", "id: String should match"),
    ],
)
def test_schema_errors_name_file_line_and_key_path(
    tmp_path: Path, edit: tuple[str, str], where: str | None, message: str | None
) -> None:
    path = write(tmp_path / "kb", "bad.yaml", GOOD.replace(*edit))
    if message is None:
        load_patterns([tmp_path / "kb"])
        return
    with pytest.raises(InputError) as err:
        load_patterns([tmp_path / "kb"])
    assert str(err.value).startswith(f"{path}{where}: "), str(err.value)
    assert message in str(err.value)


def test_reference_errors_point_at_the_key(tmp_path: Path) -> None:
    text = GOOD + (
        "causes:\n  - id: c\n    text: t\n    tell_apart: x\n    evidence_fact: nowhere\n"
    )
    path = write(tmp_path / "kb", "bad.yaml", text)
    with pytest.raises(PatternError, match=rf"{path}:14: causes\[0\]\.evidence_fact: unknown fact"):
        load_patterns([tmp_path / "kb"])


def test_yaml_syntax_errors_and_unsafe_tags_are_input_errors(tmp_path: Path) -> None:
    write(tmp_path / "a", "bad.yaml", "id: [unclosed\n")
    with pytest.raises(PatternError, match=r"bad.yaml:2: invalid YAML"):
        load_patterns([tmp_path / "a"])
    write(tmp_path / "b", "evil.yaml", "!!python/object/apply:os.system ['true']\n")
    with pytest.raises(PatternError, match=r"evil\.yaml:1: invalid YAML"):
        load_patterns([tmp_path / "b"])


def test_folder_problems(tmp_path: Path) -> None:
    with pytest.raises(PatternError, match="does not exist"):
        load_patterns([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(PatternError, match=r"no \*\.yaml"):
        load_patterns([tmp_path / "empty"])
    one = write(tmp_path / "dup", "one.yaml", GOOD)
    two = write(tmp_path / "dup", "two.yaml", "# another\n" + GOOD.replace("my-pattern", "other"))
    with pytest.raises(PatternError) as clash:
        load_patterns([tmp_path / "dup"])
    # both places named by file and line: the `number:` keys
    assert str(clash.value) == (
        f"{two}:3: pattern number 8 is used by both 'my-pattern' ({one}:2) and 'other'"
    )


def test_a_pattern_id_given_twice_in_a_folder_names_both_lines(tmp_path: Path) -> None:
    one = write(tmp_path / "kb", "one.yaml", GOOD)
    two = write(tmp_path / "kb", "two.yaml", "# the same id\n\n" + GOOD.replace("8", "9"))
    with pytest.raises(PatternError) as clash:
        load_patterns([tmp_path / "kb"])
    assert str(clash.value) == f"{two}:3: pattern id 'my-pattern' is also defined at {one}:1"
