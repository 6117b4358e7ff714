"""Extract a pattern's facts from a failure: regex groups, comparisons, and two builtins.

`key-comparison` (pattern 4) compares the keys a test pattern-matches with the keys it was
given and names the nearest; `pool-activity` (patterns 2 and 3) says whether the log shows the
failure's pool being started or checked out from.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poolctl.logs.records import Lines
from poolctl.model import Evidence, Failure
from poolctl.patterns.loader import Fact, Pattern
from poolctl.triage.fields import MAX_FIELD, FailureView, Text, line_at
from poolctl.triage.pools import PoolActivity, normalize
from poolctl.triage.regions import Regions
from poolctl.triage.source_pattern import failed_at, source_lines, written_pattern
from poolctl.triage.tied import names_in, tied_lines

# keys ExUnit puts in every test context: not provided by the test's own setup
EXUNIT_CONTEXT_KEYS = frozenset(
    [
        "async",
        "line",
        "module",
        "registered",
        "file",
        "test",
        "describe",
        "test_type",
        "describe_line",
        "test_pid",
        "case",
        "tmp_dir",
        "doctest",
        "test_group",
    ]
)
OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass
class FactContext:
    """What fact extraction may consult besides the failure: the log's pools, source files."""

    pools: PoolActivity | None = None
    source_roots: tuple[Path, ...] = ()
    fixtures: frozenset[str] = frozenset()  # pytest's "available fixtures", anywhere in the log
    regions: Regions | None = None  # which lines around an ExUnit block are whose


def _snake(value: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", value.strip()).strip("_").lower()


def _transform(value: str, how: str | None) -> Any:
    match how:
        case None:
            return value
        case "snake":
            return _snake(value)
        case "lower":
            return value.lower()
        case "strip-colon":
            return normalize(value)
        case "int":
            return int(value.replace(",", "").replace("_", ""))
    raise ValueError(f"unknown transform {how!r}")


_FORMAT_FIELD = re.compile(r"\{(\w+)\}")


def _formatted(template: str, match: re.Match[str]) -> str:
    """`template` with each `{group}` replaced by what the regex's named group matched."""
    return _FORMAT_FIELD.sub(lambda f: match.group(f.group(1)) or "", template)


def _related(view: FailureView, facts: dict[str, Any], ctx: FactContext) -> list[Text]:
    """The failure's context, its test's own lines and those after it (after an ExUnit block,
    only those naming its pool), with every indexed line naming its pool.

    Only when the failure names its pool: without it, nearby lines may be any test's. Computed
    once per failure and pool (every `related` fact of a pattern reads the same lines).
    """
    pool = facts.get("pool")
    if not isinstance(pool, str):
        return []
    cached = view.related.get(pool)
    if cached is None:
        cached = view.related[pool] = _related_lines(view, pool, ctx)
    return cached


def _related_lines(view: FailureView, pool: str, ctx: FactContext) -> list[Text]:
    texts = list(view.texts("context"))
    have = {t.line for t in texts}
    ours = normalize(pool)
    own: Lines = []
    if ctx.regions is not None:  # ExUnit: the test's own lines
        own = ctx.regions.own(view.failure)
    for n, line in own:
        if n not in have:
            texts.append(Text("context", line, n))
            have.add(n)
    # An ExUnit block is printed when its test has ended: a line after it is a later test's
    # (a passing one leaves no block to tell where its lines start) unless it names the pool.
    exunit = view.failure.source == "exunit"
    for n, line in view.blocks.after(view.failure):
        if n not in have and (not exunit or ours in names_in(line)):
            texts.append(Text("context", line, n))
            have.add(n)
    if ctx.pools is None:
        return texts
    for ln in ctx.pools.naming(pool, view.failure):
        if ln.file == view.failure.input_file and ln.line not in have:
            texts.append(Text("context", ln.text[:MAX_FIELD], ln.line))
    # a line about another pool says nothing about this one; lines naming this pool come first
    known = ctx.pools.known_set_for(view.failure)
    kept = [(t, names_in(t.value)) for t in texts]
    kept = [(t, n) for t, n in kept if ours in n or not (n & known)]
    return [t for t, n in kept if ours in n] + [t for t, n in kept if ours not in n]


def _distance(failure: Failure, line: int | None) -> tuple[bool, int]:
    """How far `line` is from the failure's block (0 inside it; unknown lines come last). An
    ExUnit test's own lines are printed before its block: a line after it comes after those."""
    if line is None:
        return True, 1 << 30
    end = max(failure.line_end, failure.line_start)
    if failure.line_start <= line <= end:
        return False, 0
    later = line > end and failure.source == "exunit"
    return later, min(abs(line - failure.line_start), abs(line - end))


def _regex_fact(
    fact: Fact, view: FailureView, ctx: FactContext, facts: dict[str, Any]
) -> tuple[Any, list[Evidence]] | None:
    """The fact's value and evidence, or None when the failure does not show it; (None,
    evidence) when lines show it but none is tied to the failure (`poolctl.triage.tied`)."""
    assert fact.regex is not None
    if fact.field == "related":
        texts = _related(view, facts, ctx)
        if not fact.regex.may_match("\n".join(t.value for t in texts)):
            return None
    elif view.may_match(fact.regex, fact.field):
        texts = view.texts(fact.field)
    else:
        return None
    if fact.aggregate == "nearest":  # stable: lines naming the failure's pool stay first
        pool = normalize(str(facts.get("pool", ""))) if fact.field == "related" else ""

        def rank(t: Text) -> tuple[bool, tuple[bool, int]]:
            return (not (pool and pool in t.value), _distance(view.failure, t.line))

        texts = sorted(texts, key=rank)
        if fact.field == "context" and view.failure.source == "exunit":
            texts, untied = tied_lines(fact, view, texts, facts)
            if untied is not None:
                return None, [untied]
    values: list[Any] = []
    first: tuple[Text, re.Match[str]] | None = None
    count = 0
    for text in texts:
        if not fact.regex.may_match(text.value):
            continue
        for m in fact.regex.finditer(text.value):
            if fact.unless is not None and fact.unless.search(line_at(text.value, m.start())):
                continue
            count += 1
            if first is None:
                first = (text, m)
            if fact.aggregate != "count":
                raw = _formatted(fact.format, m) if fact.format else m.group(fact.group)
                values.append(_transform(raw, fact.transform))
            if fact.aggregate in ("first", "nearest"):
                break
        if first is not None and fact.aggregate in ("first", "nearest"):
            break
    if first is None:
        return None
    value: Any
    match fact.aggregate:
        case "first" | "nearest":
            value = values[0]
        case "count":
            value = count
        case "distinct":
            value = len(dict.fromkeys(values))
        case "all":
            value = list(dict.fromkeys(values))
        case "max":
            value = max(values)
        case other:
            raise ValueError(f"unknown aggregate {other!r}")
    evidence: list[Evidence] = []
    text, m = first
    if text.field == "context":
        quote = line_at(text.value, m.start())
        more = f" ({count} lines)" if fact.aggregate in ("count", "distinct") and count > 1 else ""
        evidence.append(
            Evidence(
                quote,
                view.origin(text, quote),
                f"{fact.name} = {value}{more}",
            )
        )
    return value, evidence


def _compare(fact: Fact, facts: dict[str, Any]) -> bool | None:
    assert fact.compare is not None
    left, op, right = fact.compare

    def value(operand: str) -> Any:
        return int(operand) if operand.isdigit() else facts.get(operand)

    a, b = value(left), value(right)
    if not isinstance(a, int) or not isinstance(b, int):
        return None
    return OPS[op](a, b)


# --- pattern 4: keys -------------------------------------------------------------------------

_KEY_ATOM = re.compile(r"([a-z_][\w?!]*):(?=\s)")
_KEY_QUOTED = re.compile(  # (an Erlang map's bare atom: `#{pid => <0.98.0>}`)
    r"""(?:"([^"]+)"|'([^']+)'|:([a-z_][\w?!]*)|([a-z][\w@]*)(?=\s*=>))\s*(?:=>|:)"""
)
_OPEN = {"{": "}", "[": "]", "(": ")"}


def map_keys(text: str) -> list[str]:
    """Top-level keys of the first Elixir map (`%{a: 1, "b" => 2}`) or Python dict in `text`."""
    start = text.find("%{")
    start = start + 1 if start != -1 else text.find("{")
    if start == -1:
        return []
    keys: list[str] = []
    depth = 0
    quote = ""
    expect_key = False
    i = start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
            i += 1
            continue
        if c in _OPEN:
            depth += 1
            if depth == 1:
                expect_key = True
            i += 1
            continue
        if c in _OPEN.values():
            depth -= 1
            if depth == 0:
                break
            i += 1
            continue
        if depth == 1 and c == ",":
            expect_key = True
            i += 1
            continue
        if depth == 1 and expect_key and not c.isspace():
            expect_key = False
            rest = text[i : i + 200]
            m = _KEY_ATOM.match(rest) or _KEY_QUOTED.match(rest)
            if m:
                keys.append(next(g for g in m.groups() if g))
        if c in "\"'":
            quote = c
        i += 1
    return list(dict.fromkeys(keys))


def _tokens(key: str) -> set[str]:
    return {t for t in re.split(r"[_\W]+", key.lower()) if t}


@functools.lru_cache(maxsize=8192)
def _likeness(wanted: str, key: str) -> float | None:
    """How alike two key names are (None: not alike): shared name parts first, then spelling,
    and the same last part (the name's head noun: `pool_pid` is a pid) breaks a tie. Once per
    pair of names: the failures of one mismatch compare the same names, one by one."""
    want, have = _tokens(wanted), _tokens(key)
    jaccard = len(want & have) / len(want | have) if want | have else 0.0
    ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
    if jaccard == 0 and ratio < 0.75:
        return None
    same_head = wanted.lower().rsplit("_", 1)[-1] == key.lower().rsplit("_", 1)[-1]
    return jaccard + 0.5 * ratio + (0.01 if same_head else 0.0)


def nearest_key(wanted: str, given: Iterable[str]) -> str | None:
    """The given key most like `wanted`: shared name parts first, then spelling."""
    best: tuple[float, str] | None = None
    for key in given:
        score = _likeness(wanted, key)
        if score is not None and (best is None or score > best[0]):
            best = (score, key)
    return best[1] if best else None


def nearest_each(wanted: Sequence[str], given: Sequence[str]) -> dict[str, str | None]:
    """Each wanted key's nearest given key, no given key twice: the most alike pair first."""
    pairs = sorted(
        (
            (score, i, j)
            for i, w in enumerate(wanted)
            for j, g in enumerate(given)
            if (score := _likeness(w, g)) is not None
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    out: dict[str, str | None] = dict.fromkeys(wanted)
    used: set[int] = set()
    for _, i, j in pairs:
        if out[wanted[i]] is None and j not in used:
            out[wanted[i]] = given[j]
            used.add(j)
    return out


_ASSIGN = re.compile(r"^\s*(\w+) = (\{.*\}|[A-Za-z_][\w.]*\(.*\))\s*$", re.MULTILINE)


def available_fixtures(texts: Iterable[str]) -> frozenset[str]:
    """Fixture names from pytest's "available fixtures: a, b, ..." lines."""
    names: set[str] = set()
    for text in texts:
        for m in re.finditer(r"available fixtures: ([^\n]*)", text):
            names |= {k for k in re.split(r"[,\s]+", m.group(1)) if re.fullmatch(r"\w+", k)}
    return frozenset(names)


def _python_given(view: FailureView, key: str) -> tuple[str | None, list[str]]:
    """The object a Python test indexed (`ctx["k"]`, `h.k`) and its keys, when printed.

    Keys come from the traceback's argument lines: `ctx = {...}` or `h = C(k=v, ...)`.
    """
    block = "\n".join(t.value for t in view.texts("block"))
    code = "\n".join(t.value for t in view.texts("details.source")) + "\n" + block
    k = re.escape(key)
    owner_at = re.search(rf"(\w+)\[['\"]{k}['\"]\]|(\w+)\.{k}\b", code)
    owner = (owner_at.group(1) or owner_at.group(2)) if owner_at else None
    found: dict[str, str] = {}
    for m in _ASSIGN.finditer(block):
        found.setdefault(m.group(1), m.group(2))
    value = found.get(owner or "") or next(iter(found.values()), "")
    if value.startswith("{"):
        return owner, map_keys(value)
    return owner, list(dict.fromkeys(re.findall(r"[(,]\s*(\w+)=", value)))


_UNMATCHED_MAP_RE = re.compile(r"no match of right hand side value: (%\{.*)", re.DOTALL)


def key_comparison(view: FailureView, ctx: FactContext) -> tuple[dict[str, Any], list[Evidence]]:
    """Expected keys vs given keys for a context/fixture mismatch; nearest given key."""
    f = view.failure
    everything = "\n".join(t.value for t in view.texts("any") + view.texts("details"))
    expected: list[str] = []
    given: list[str] = []
    source = ""
    fixture_owner = ""
    evidence: list[Evidence] = []
    facts_at: dict[str, str] = {}  # where a failed match is written, when not the test head
    suggested = _suggested_keys(everything)
    if m := re.search(r"key :?\"?([\w?!]+)\"? not found in:\s+(%?\{.*)", everything, re.DOTALL):
        # Elixir: the map on the same line, or (1.18+) pretty-printed on the lines after
        expected, given, source = [m.group(1)], map_keys(m.group(2)), "the KeyError"
    elif m := re.search(r"\{badkey,\s*'?([\w@]+)'?\}", everything):
        # Erlang: the key, and the map it was looked up in where a BIF's frame prints its call
        expected, source = [m.group(1)], "the badkey error"
        if g := re.search(r"called as (?:[\w@]+:)?[\w@]+\(\s*'?[\w@]+'?,\s*(#\{.*)", everything):
            given = map_keys(g.group(1))
    elif m := re.search(r"fixture '(\w+)' not found", everything):
        expected, source = [m.group(1)], "pytest"
        # the list goes on over lines of names only (not `use 'pytest --fixtures …'`)
        if a := re.search(
            r"available fixtures: ([^\n]*(?:\n[ \t]*\w[\w, ]*(?=\n|$))*)", everything
        ):
            given = [k for k in re.split(r"[,\s]+", a.group(1)) if re.fullmatch(r"\w+", k)]
    elif m := re.search(r"KeyError: '(\w+)'|object has no attribute '(\w+)'", everything):
        key = m.group(1) or m.group(2)
        expected, source = [key], "the KeyError" if m.group(1) else "the AttributeError"
        owner, given = _python_given(view, key)
        if owner and owner in ctx.fixtures:
            fixture_owner = owner
    else:
        arguments = f.details.get("arguments", "")
        given_at = re.search(
            r"arguments were given to .*?:\s*(?:#\s*1\s*)?(%\{.*)", everything, re.DOTALL
        )
        if "%{" in arguments:
            given = map_keys(arguments)
        elif given_at:
            given = map_keys(given_at.group(1))
        # a MatchError's map: what a setup helper returned, bound to a pattern of other keys
        elif unmatched := _UNMATCHED_MAP_RE.search(everything):
            given = map_keys(unmatched.group(1))
        code = f.details.get("code", "")
        expected = [k for k in map_keys(code) if k] if "{" in code else []
        source = "the code line" if expected else ""
        at = failed_at(f)
        if at.location != f.location.strip():
            facts_at["failed_at"] = at.location
        if at.in_setup:
            name = f" `{at.setup_name}`" if at.setup_name else ""
            facts_at["expected_by"] = f"the setup callback{name} at {at.location}"
        if not expected:
            found = source_lines(at.location, ctx.source_roots)
            if found:
                text, where = found
                pattern = written_pattern(text)
                expected = map_keys(pattern)
                if expected:
                    source = where
                    evidence.append(Evidence(pattern.splitlines()[0].strip(), where, at.note))
    facts: dict[str, Any] = dict(facts_at)
    if fixture_owner:
        facts["fixture_owner"] = fixture_owner
    if given:
        facts["given_keys"] = given
        provided = [k for k in given if k not in EXUNIT_CONTEXT_KEYS]
        if provided != given:
            facts["provided_keys"] = provided
    if expected:
        facts["expected_keys"] = expected
        facts["keys_source"] = source
    if expected and given:
        missing = [k for k in expected if k not in given]
        if missing:
            facts["missing_key"] = missing[0]
            facts["missing_keys"] = missing
            provided = facts.get("provided_keys", given)
            near = nearest_key(missing[0], provided)
            if len(missing) > 1:  # several keys: each its own nearest, none given twice
                each = nearest_each(missing, provided)
                facts["renames"] = [f"{k} → {n or 'none close'}" for k, n in each.items()]
                first = next((k for k, n in each.items() if n), None)
                if first is not None:
                    facts["missing_key"], near = first, each[first]
            if near:
                facts["nearest_key"] = near
    elif expected:
        facts["missing_key"] = expected[0]
    if suggested:
        facts["suggested_keys"] = suggested
        if expected and "nearest_key" not in facts:
            facts["nearest_key"] = suggested[0]  # the runtime's own "Did you mean"
    return facts, evidence


_DID_YOU_MEAN = re.compile(r"Did you mean(?: one of)?:\s*((?:\*\s*:?\"?[\w?!]+\"?\s*)+)")


def _suggested_keys(text: str) -> list[str]:
    """The keys Elixir's KeyError suggests (`Did you mean: * :role`), in its order."""
    m = _DID_YOU_MEAN.search(text)
    if not m:
        return []
    return list(dict.fromkeys(re.findall(r"\*\s*:?\"?([\w?!]+)", m.group(1))))


def pool_activity(
    view: FailureView, facts: dict[str, Any], ctx: FactContext
) -> tuple[dict[str, Any], list[Evidence]]:
    """Whether the log shows the failure's pool (fact `pool`) started or checked out from."""
    pool = facts.get("pool")
    # a pid is no name a log line shows a pool started under: its absence says nothing
    if not isinstance(pool, str) or ctx.pools is None or pool.startswith("#PID<"):
        return {}, []
    lines = ctx.pools.activity(pool, view.failure)
    if lines:
        # (noted as the fact it shows, for a cause it confirms to quote the line)
        note = f"pool_seen = yes: pool {pool} is in use here"
        ev = [Evidence(lines[0].text.strip(), lines[0].origin, note)]
        return {"pool_seen": True}, ev
    ours = normalize(pool)
    others = list(itertools.islice((p for p in ctx.pools.known_for(view.failure) if p != ours), 7))
    out: dict[str, Any] = {"pool_seen": False}
    if not others:
        return out, []
    out["wrong_process"] = True
    out["pools_seen"] = others[:6]
    shown = ", ".join(others[:6]) + (", …" if len(others) > 6 else "")
    absent = f"no line outside the failures shows {pool} started or checked out from"
    note = f"wrong_process = yes: {absent}; pools in use: {shown}"
    # the quote is the failure's own line naming the pool; the absence is what the note says
    line = view.blocks.locate(view.failure, pool)
    held = dict(view.blocks.lines(view.failure)).get(line) if line is not None else None
    if held is not None:
        return out, [Evidence(held.strip(), f"{view.failure.input_file}:{line}", note)]
    return out, [Evidence(absent, view.failure.origin or "(whole log)", note)]


def extract_facts(
    pattern: Pattern, view: FailureView, ctx: FactContext
) -> tuple[dict[str, Any], list[Evidence]]:
    """Every fact `pattern` defines that this failure shows; the first extractor to yield wins."""
    facts: dict[str, Any] = {}
    evidence: list[Evidence] = []
    untied: set[str] = set()  # facts nearby lines give that none ties to the failure
    for fact in pattern.facts:
        if fact.builtin == "key-comparison":
            found, ev = key_comparison(view, ctx)
        elif fact.builtin == "pool-activity":
            found, ev = pool_activity(view, facts, ctx)
        elif fact.compare is not None:
            result = _compare(fact, facts)
            found, ev = ({fact.name: result} if result is not None else {}), []
        else:
            if fact.name in facts or fact.name in untied:
                continue
            got = _regex_fact(fact, view, ctx, facts)
            if got is None:
                continue
            if got[0] is None:  # not tied to this failure: said so, and not read elsewhere
                evidence += got[1]
                untied.add(fact.name)
                continue
            found, ev = {fact.name: got[0]}, got[1]
        for k, v in found.items():
            facts.setdefault(k, v)
        evidence += ev
    return facts, evidence
