"""The hypotheses and the knowledge base are one set: every hypothesis module is a cause of the
no-answer pattern in the YAML and every such cause a module, titles and order from the YAML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poolctl.diagnose import hypotheses as hypotheses_package
from poolctl.diagnose.hypotheses import registered
from poolctl.diagnose.judgement import REGISTRY, hypothesis, ruled_out
from poolctl.diagnose.knowledge import builtin_patterns, hypotheses, no_answer_pattern
from poolctl.patterns.loader import builtin_dir, load_patterns

PACKAGE = Path(hypotheses_package.__file__ or "").parent


def test_every_hypothesis_is_a_cause_of_the_pattern_and_every_cause_a_hypothesis() -> None:
    pattern = no_answer_pattern()
    assert sorted(registered()) == sorted(c.id for c in pattern.causes)


def test_the_pattern_is_pattern_1_of_the_builtin_knowledge_base() -> None:
    pattern = no_answer_pattern()
    assert (pattern.id, pattern.number) == ("port-no-response", 1)
    assert pattern is builtin_patterns().get("port-no-response")


def test_each_hypothesis_is_one_module_named_for_its_id() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    assert modules == {cid.replace("-", "_") for cid in registered()}
    for cid, judge in registered().items():
        assert judge.__module__ == f"{hypotheses_package.__name__}.{cid.replace('-', '_')}"


def test_titles_and_order_come_from_the_yaml() -> None:
    pattern = no_answer_pattern()
    ordered = hypotheses(pattern)
    assert [h.id for h in ordered] == [c.id for c in pattern.causes]
    assert [h.title for h in ordered] == [c.title for c in pattern.causes]
    titles = [c.title for c in pattern.causes]
    assert all(titles) and len(set(titles)) == len(titles)
    labels = [t.split(":", 1)[0] for t in titles]  # what `ping` shows
    assert len(set(labels)) == len(labels)


def test_every_cause_can_be_triaged_from_a_log() -> None:
    for cause in no_answer_pattern().causes:
        assert cause.text and cause.tell_apart, cause.id


def test_a_users_pattern_folder_overrides_the_texts(tmp_path: Path) -> None:
    folder = tmp_path / "patterns"
    folder.mkdir()
    source = builtin_dir() / "p1-port-no-response.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("title: Worker started but never answered", "title: Port is mute")
    text = text.replace("title: 'Crashed: the process exited'", "title: 'Gone: it died'")
    (folder / "p1.yaml").write_text(text, encoding="utf-8")
    patterns = load_patterns([folder])
    pattern = no_answer_pattern(patterns)
    assert pattern.title == "Port is mute" and pattern.number == 1
    titles = {h.id: h.title for h in hypotheses(pattern)}
    assert titles["crashed"] == "Gone: it died"
    assert titles["buffered"] == "Stdout block-buffered: answers stay in its buffer"


def test_a_users_pattern_without_the_causes_keeps_the_builtin_titles(tmp_path: Path) -> None:
    folder = tmp_path / "patterns"
    shutil.copytree(builtin_dir(), folder)
    path = folder / "p1-port-no-response.yaml"
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("causes:\n")
    path.write_text(head + "remediation:" + rest.split("\nremediation:", 1)[1], encoding="utf-8")
    pattern = no_answer_pattern(load_patterns([folder], builtin=False))
    assert pattern.causes == ()
    ordered = hypotheses(pattern)
    assert [h.id for h in ordered] == [c.id for c in no_answer_pattern().causes]
    assert ordered[0].title == "Crashed: the process exited"


def test_a_hypothesis_the_yaml_does_not_list_is_judged_last_under_its_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(REGISTRY, "made-up", lambda obs: ruled_out("never"))
    ordered = hypotheses(no_answer_pattern())
    assert (ordered[-1].id, ordered[-1].title) == ("made-up", "made-up")
    assert sorted(registered()) != sorted(c.id for c in no_answer_pattern().causes)


def test_an_id_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        hypothesis("crashed")(lambda obs: ruled_out("again"))
