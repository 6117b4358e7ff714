"""A remediation template may name only facts its pattern extracts or the engine gives."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from poolctl.patterns import PatternError, load_patterns
from poolctl.patterns.schema import BUILTIN_FACTS, ENGINE_FACTS
from poolctl.patterns.template import fact_names
from tests.conftest import RunCli
from tests.test_patterns_kb import GOOD, write

POOLCTL = Path(__file__).parent.parent / "poolctl"


def with_remediation(text: str) -> str:
    return GOOD.replace("remediation: Fix the capacitor.", f"remediation: '{text}'") + (
        "facts:\n  - name: part\n    regex: '(?P<part>flux)'\n"
    )


def test_a_users_remediation_naming_an_unknown_fact_is_one_line_exit_2(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = write(tmp_path / "kb", "mine.yaml", with_remediation("Raise it to {pool_sze}."))
    log = Path(__file__).parent / "fixtures" / "exunit" / "genserver_pool_shutdown.log"
    code, out, err = run_cli("triage", "--patterns", str(tmp_path / "kb"), str(log))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"poolctl: error: {path}:9: remediation: unknown fact 'pool_sze': no fact of the "
        "pattern extracts it and the engine never gives it (did you mean 'pool_size'?)"
    ]


@pytest.mark.parametrize(
    ("template", "unknown"),
    [
        ("Fix the {part} now.", None),
        ("Fix {part|the capacitor}.", None),  # the last alternative is the text shown
        ("Raise it past {pool_size}.", None),  # a scenario gives it
        ("{?part:Fix the {part}.}{!part:Look around.}", None),
        ("Fix the {color}.", "color"),
        ("Fix {color|part|it}.", "color"),
        ("Fix {part|color|it}.", "color"),
        ("{?broken:Fix it.}", "broken"),
        ("{!part:Fix {?deep:the {depth}}.}", "deep"),
    ],
)
def test_every_fact_a_template_names_is_checked(
    tmp_path: Path, template: str, unknown: str | None
) -> None:
    path = write(tmp_path / "kb", "mine.yaml", with_remediation(template))
    if unknown is None:
        assert load_patterns([tmp_path / "kb"]).get("8").remediation == template
        return
    with pytest.raises(PatternError) as err:
        load_patterns([tmp_path / "kb"])
    assert str(err.value).startswith(f"{path}:9: remediation: unknown fact {unknown!r}: ")


def test_no_builtin_remediation_names_an_unknown_fact() -> None:
    for p in load_patterns():
        known = {f.name for f in p.facts} | ENGINE_FACTS
        for f in p.facts:
            known |= BUILTIN_FACTS[f.builtin] if f.builtin else set()
        names = fact_names(p.remediation)
        assert names and set(names) <= known, (p.id, set(names) - known)


def _facts_written(path: Path) -> set[str]:
    """The keys the code at `path` writes into a dict named `facts` (a literal or `facts[k] =`)."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id == "facts" and isinstance(node.value, ast.Dict):
                    keys |= {str(k.value) for k in node.value.keys if isinstance(k, ast.Constant)}
                named = getattr(t, "value", None)
                if (
                    isinstance(t, ast.Subscript)
                    and "facts" in (getattr(named, "id", None), getattr(named, "attr", None))
                    and isinstance(t.slice, ast.Constant)
                ):
                    keys.add(str(t.slice.value))
    return keys


@pytest.mark.parametrize("builtin", sorted(BUILTIN_FACTS))
def test_the_builtin_facts_are_every_fact_the_builtin_extractor_writes(builtin: str) -> None:
    """A fact a builtin extractor gives and its list lacks would be refused in a remediation
    (the key comparison's `expected_by` was)."""
    tree = ast.parse((POOLCTL / "triage" / "facts.py").read_text())
    name = builtin.replace("-", "_")
    (function,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    written: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.slice, ast.Constant):
                written.add(str(node.slice.value))
        elif isinstance(node, ast.Dict):
            written |= {str(k.value) for k in node.keys if isinstance(k, ast.Constant)}
    assert written == BUILTIN_FACTS[builtin]


def test_the_engine_facts_are_every_fact_a_scenario_rule_or_the_engine_writes() -> None:
    written: set[str] = set()
    for folder in ("scenario", "diagnose"):
        for path in sorted((POOLCTL / folder).rglob("*.py")):
            written |= _facts_written(path)
    assert written == ENGINE_FACTS
