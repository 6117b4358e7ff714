"""YAML within bounds: an alias bomb or an oversized document is refused when it loads, with
file:line, before anything is built from it (a scenario's `--check` and the knowledge base);
libyaml parses, each pattern file once per process."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl import yamlfile
from poolctl.cli import main
from poolctl.errors import InputError
from poolctl.patterns import PatternError, load_patterns
from poolctl.patterns.loader import load_file
from poolctl.yamlfile import MAX_NODES, expanded_sizes, load_yaml
from tests.conftest import RunCli

SCENARIO = """\
worker:
  command: [python3, -m, poolctl.workers.reference]
steps:
  - request:
      command: ping
      args:
{args}
"""
# ten aliases of ten aliases of ... : a few lines, a billion nodes once expanded
BOMB = "\n".join(
    [
        "        a: &a [x, x, x, x, x, x, x, x, x, x]",
        *(
            f"        {name}: &{name} [{', '.join([f'*{prev}'] * 10)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_alias_bomb_in_request_args_fails_check_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bomb.yaml", SCENARIO.format(args=BOMB))
    code = main(["run-scenario", "--check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    # named at the innermost collection too big alone: `e` (111,111 nodes), on line 11
    assert err.startswith(f"poolctl: error: {path}:11: the document is 1,")
    assert err.endswith(
        f"nodes once its aliases are expanded, over the limit of {MAX_NODES:,}: this "
        "collection's aliases blow it up\n"
    )
    assert err.count("\n") == 1 and "Traceback" not in err


def test_aliases_that_stay_small_are_fine(tmp_path: Path) -> None:
    text = "base: &base {size: 2, timeout: 1}\npool: *base\nother: *base\n"
    doc = load_yaml(write(tmp_path, "ok.yaml", text))
    assert doc.data["pool"] == {"size": 2, "timeout": 1}
    assert doc.root is not None and expanded_sizes(doc.root)[id(doc.root)] == 19


def test_an_alias_bomb_in_a_pattern_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    text = "id: bomb\nnumber: 9\ntitle: t\nsummary: s\nrationale:\n" + BOMB.replace(
        "        ", "  "
    )
    write(folder, "bomb.yaml", text)
    with pytest.raises(PatternError) as refused:
        load_patterns([folder])
    assert str(refused.value).startswith(f"{folder / 'bomb.yaml'}:10: the document is ")


def test_a_document_too_big_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 1000)
    path = write(tmp_path, "big.yaml", "steps:\n" + "  - sleep: 0.1\n" * 100)
    with pytest.raises(InputError, match=r"big\.yaml: the file is 1,507 bytes; .* at most 1,000"):
        load_yaml(path)


def test_a_file_that_never_ends_is_read_no_further_than_the_bound(
    cli: RunCli, tmp_path: Path
) -> None:
    """/dev/zero says it holds 0 bytes: read whole, it ran out of memory (an internal error),
    as a scenario, a pattern file or a doctor's settings."""
    patterns = tmp_path / "kb"
    patterns.mkdir()
    (patterns / "zero.yaml").symlink_to("/dev/zero")
    log = str(Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt")
    for argv in (
        ("run-scenario", "--check", "/dev/zero"),
        ("triage", log, "--patterns", str(patterns), "--no-history"),
    ):
        code, _, err = cli(*argv)
        assert code == 2 and err.count("\n") == 1, err
        assert f"goes on past {yamlfile.MAX_BYTES:,} bytes" in err


def test_libyaml_parses_and_keeps_the_lines_of_errors(tmp_path: Path) -> None:
    assert yamlfile.Loader.__name__ == "CSafeLoader"  # PyYAML built with libyaml
    path = write(tmp_path, "broken.yaml", "worker:\n  command: [python3\nsteps: []\n")
    with pytest.raises(InputError, match=r"broken\.yaml:3: invalid YAML: did not find expected"):
        load_yaml(path)


def test_a_pattern_file_is_parsed_once_per_process_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[Path] = []
    real = yamlfile.load_yaml

    def counted(path: Path, error_type: type[InputError] = InputError) -> yamlfile.YamlDocument:
        parses.append(path)
        return real(path, error_type)

    monkeypatch.setattr("poolctl.patterns.loader.load_yaml", counted)
    text = (
        "id: once\nnumber: 9\ntitle: t\nsummary: s\nremediation: r\n"
        "signals:\n  - {regex: 'x', weight: 0.5, why: w}\n"
    )
    path = write(tmp_path, "once.yaml", text)
    first = load_file(path)
    assert load_file(path) is first and len(parses) == 1
    path.write_text(text.replace("title: t", "title: u"))
    assert load_file(path).title == "u" and len(parses) == 2


def test_a_key_given_twice_is_refused_with_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML would keep the last value silently: `size: 1, size: 5` ran a pool of 5."""
    text = SCENARIO.format(args="        n: 1") + "pool:\n  size: 1\n  lazy: true\n  size: 5\n"
    path = write(tmp_path, "twice.yaml", text)
    assert main(["run-scenario", str(path), "--check"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"poolctl: error: {path}:11: duplicate key 'size' (first at line 9): YAML would keep "
        "the last value without a word; keep one"
    )


def test_merge_keys_and_the_same_key_in_two_mappings_are_fine(tmp_path: Path) -> None:
    text = "base: &base {size: 1}\npool:\n  <<: *base\n  lazy: true\nother: {size: 2}\n"
    assert load_yaml(write(tmp_path, "merge.yaml", text)).data["pool"] == {"size": 1, "lazy": True}


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: p\ndescription: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError) as refused:
        load_yaml(path)
    assert refused.value.where == f"{path}:2"
    assert refused.value.message.startswith("not UTF-8: byte 0xe9 at column 17")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("worker: &w\n  command: [python3]\n  again: *w\n", 1),  # a mapping holding itself
        ("worker:\n  command: [python3]\nsteps: &s\n  - *s\n", 3),  # a sequence holding itself
    ],
)
def test_an_alias_inside_the_collection_it_names_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int
) -> None:
    """It never ended: the walk that counts the nodes grew until memory ran out."""
    path = write(tmp_path, "loop.yaml", text)
    code = main(["run-scenario", "--check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == (
        f"poolctl: error: {path}:{line}: an alias inside the collection it names (its anchor "
        "is on this line): the document would never end; write the values out, or alias "
        "another collection\n"
    )


def test_an_alias_inside_the_collection_it_names_in_a_pattern_file_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    write(folder, "loop.yaml", "id: loop\nnumber: 9\ntitle: t\nsummary: s\nrationale: &r [*r]\n")
    with pytest.raises(PatternError) as refused:
        load_patterns([folder])
    assert str(refused.value).startswith(f"{folder / 'loop.yaml'}:5: an alias inside the")
