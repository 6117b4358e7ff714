"""A TAP test's failure as its producer explains it, below its `not ok` line: read into a
`Failure`, so that it is classified as any other runner's failure is.

    not ok 2 checkout after the pool stopped          (bats)
    # (in test file diag/pool_diag.bats, line 13)
    #   `[ "$status" -eq 0 ]' failed
    # checkout failed: {:shutdown, {NimblePool, :checkout, [:test_pool_8962]}}

    not ok 3 - python bridge answers ping             (Test::More)
    #   Failed test 'python bridge answers ping'
    #   at diag/pool_diag.t line 9.
    # Python bridge timed out waiting for a response after 5000 ms

    not ok 2 - worker answers ping                    (node --test)
      ---
      location: '/tmp/x/pool.test.mjs:7:1'
      error: 'No response received within 5 seconds'
      code: 'ERR_TEST_FAILURE'
      stack: |-
        TestContext.<anonymous> (file:///tmp/x/pool.test.mjs:8:9)
      ...

The block is the `#` comment lines after the test line (not another test's `# Subtest:` line,
nor `node --test`'s counts or Test::More's `# Looks like you failed …`), or its indented YAML
diagnostic, from `---` to `...`. What the comments say is the failure's message (the where and
the name left out); the YAML's `error` is, its `name` or `code` the failure's kind. A subtest's
lines are read without their indent. Under prove, Test::More's `#   Failed test 'name'` comments
(a subtest's indented) come with no `not ok` line (or before it, under `prove -v`): they lead a
block of their own. A `Bail out!` line (prove: `Bailout called.  Further testing stopped:`) is a
block too, its reason the message.

Vitest's TAP reporter writes TAP 14's buffered subtests: a test file's or a describe's `not ok 3
- test/pool.test.js # time=604.37ms {` line, its subtests below it (indented four spaces more),
its `}`. Such a block reads to its `}` and gives its subtests back to be read: one that failed
(`not ok`, no directive) makes it a parent failed by its subtests, no failure of its own; with
none (a describe whose beforeAll threw: its tests `ok … # SKIP`) it is a failure. Its YAML's
`error` is a mapping, `name` and `message` (Vitest's), and `at` the place (`file:line:col`).
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from poolctl.logs import busted_block, tap_verdicts
from poolctl.logs.node_spec_block import read_error
from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "TAP"
SOURCE: Source = "tap"
HEADER_RE = re.compile(r"^not ok (?P<number>\d+)\b(?: -)? ?(?P<name>.*)$")
# Test::More's diagnostics of a failed test, on its stderr: under prove, with no `not ok` line
# (prove prints none), or before the TAP lines (`prove -v`, stderr first)
MORE_HEADER_RE = re.compile(r"^#   Failed test (?:'(?P<name>.*)'|.*)$")
MORE_TRIGGER = r"^#   Failed test "
# ... a subtest's, indented as its TAP is (`    #   Failed test 'after a resize'`)
SUBTEST_MORE_TRIGGER = r"^[ \t]+#   Failed test "
# the producer stopping the run (Test::More's BAIL_OUT), and prove's word of it: the reason is
# why the run failed
BAIL_RE = re.compile(r"^(?:Bail out!|Bailout called\.  Further testing stopped:)\s*(?P<why>.*)$")
BAIL_TRIGGER = r"^Bailout called\.  Further testing stopped:"
# comment lines that are no test's diagnostics: the next test's name (node --test; busted
# --verbose's `# spec/x.lua @ 6: name`, as the test starts), a producer's counts, Test::More's
# last word
_NOT_ITS_OWN = re.compile(
    r"^# (?:Subtest: |(?:tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+$"
    r"|Looks like |\S+ @ \d+: )"
)
# (after a `(from function … in file …, line 5,` line, bats goes on ` in test file …, line 9)`)
_BATS_WHERE = re.compile(r"^\(?in test file (?P<file>.+), line (?P<line>\d+)\)$")
_BATS_FROM = re.compile(r"^\(from function `.*' in (?:test )?file .+, line \d+,?\)?$")
_MORE_FAILED = re.compile(r"^Failed test (?:'.*'|\S.*)$|^Failed test$")
# where a test failed: on a line of its own, or, a test with no name, on its `Failed test` line
_MORE_WHERE = re.compile(r"^(?:Failed test )?at (?P<file>\S+) line (?P<line>\d+)\.$")
# busted's TAP handler: the failed test's spec file and line, its message after `Failure message: `
_BUSTED_WHERE = re.compile(r"^# (?P<file>\S+\.lua) @ (?P<line>\d+)$")
_BUSTED_SAID = "Failure message: "
_NODE_FILE = re.compile(r"^file://")
_TIME_RE = re.compile(r"\s+# time=[\d.]+m?s\s*$")
_BRACE = " {"  # a buffered subtest's `not ok` line ends so (TAP 14, Vitest's reporter)
_SIBLING = ("ok ", "not ok ", "1..", "# ", "Bail out!")  # a line of TAP's own
# where tape says an assertion failed: `Test.<anonymous> (file:///x/pool.test.mjs:27:5)`; or a
# stack's frame of an anonymous function, `at file:///x/pool.test.mjs:26:13`
_CALLED_AT = re.compile(
    r"\((?:file://)?(?P<file>[^():]+):(?P<line>\d+):\d+\)$"
    r"|^at (?:async )?(?:file://)?(?P<bare>/[^():\s]+):(?P<bare_line>\d+):\d+$"
)
# the fields of a failed assertion's YAML that say what failed, past node --test's `error`:
# tape's (`operator`, `expected`, `actual`, `stack`) and node-tap's (`diff`, `cause`, `stack`);
# a node-tap test's own YAML, failed by its assertions, has none (`at`, `source`)
_ASSERTION_FIELDS = ("stack", "operator", "diff", "tapCaught", "cause", "found", "wanted")
# the fields of bats' TAP13 formatter's block (`-F tap13`): its `message` is what its TAP
# formatter prints as `#` comments, `duration_ms` under `--timing` or past a slow threshold
_BATS_FIELDS = frozenset({"message", "duration_ms"})
_KIND_RE = re.compile(r"^(?P<kind>(?:[A-Z]\w*)?(?:Error|Exception))\b")
# Mocha's TAP reporter: a failed test's message, then its error's first line and stack, each
# indented two spaces, no `#` nor YAML: lines of TAP's own are none of them
_TAP_LINE = re.compile(r"^(?:not ok\b|ok\b|# |1\.\.|---$|Bail out!)")
_ERROR_LINE = re.compile(r"^[\w.$]*(?:Error|Exception)\w*(?: \[[\w.$]+\])?: ")
_RAW_PLACE = re.compile(r"\(?(?:file://)?(?P<file>[^\s():]+):(?P<line>\d+):\d+\)?$")


class TapFailureBlock:
    """A `not ok` line (a `#   Failed test` comment, a `Bail out!`) and the diagnostics after
    it (a consumer of a text parser's scan); the failure goes to `done` when the block ends."""

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        source: Source,
        done: Callable[[Failure, Lines], object],
        by_subtests: Callable[[int], object] = lambda _line: None,
        braced_end: Callable[[int, int], object] = lambda _line, _end: None,
    ) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.indent = line[: len(line) - len(line.lstrip())]  # a subtest's (node --test)
        self.input_file = input_file
        self.source = source
        self.done = done
        self.by_subtests = by_subtests  # told the line of a test failed by its subtests
        self.braced_end = braced_end  # told a buffered subtest's line and its last subtest's
        self.yaml_indent: str | None = None  # inside its YAML block: the `---` line's indent
        self.yaml_done = False
        self.raw = False  # its diagnostics are indented text (Mocha's TAP reporter)
        # a blank line right after it: `prove --merge` prints Test::More's diagnostics, which
        # begin with one under a harness, after the `not ok` line (their stderr merged)
        self.merged_blank = False
        # a buffered subtest's line (`not ok 3 - file {`): its subtests follow, to its `}`
        self.braced = line.rstrip().endswith(_BRACE) and bool(HEADER_RE.match(line.lstrip()))
        self.closed = False  # ... its `}` read

    def feed(self, number: int, line: str) -> bool:
        if len(self.lines) >= MAX_BLOCK_LINES:
            return False
        text = line.rstrip()
        if self.braced:
            return self._braced_line(number, text)
        if self.yaml_indent is not None:
            if text == f"{self.yaml_indent}...":
                self.yaml_indent, self.yaml_done = None, True
            self.lines.append((number, text))
            return True
        if not text.strip() and len(self.lines) == 1 and not self.merged_blank:
            self.merged_blank = True  # (under prove, Test::More's diagnostics begin so)
            return True
        if not text.startswith(self.indent):
            return False
        own = text[len(self.indent) :]
        if self.merged_blank and len(self.lines) == 1 and not own.startswith("#   Failed test "):
            return False  # a blank line after it, then no diagnostics of it: its end
        if own.lstrip() == "---" and own[:1] in " \t" and len(self.lines) == 1:
            self.yaml_indent = text[: len(text) - 3]
            self.lines.append((number, text))
            return True
        if own.startswith("#   Failed test ") and any(
            t[len(self.indent) :].startswith("#   Failed test ") for _, t in self.lines
        ):
            return False  # the next test's diagnostics
        if own.startswith("#") and not self.yaml_done and not _NOT_ITS_OWN.match(own):
            self.lines.append((number, text))
            return True
        if self._raw_line(own):
            self.raw = True
            self.lines.append((number, text))
            return True
        return False

    def _braced_line(self, number: int, text: str) -> bool:
        """Take a line of a buffered subtest's block: any to its `}` (a YAML message's line
        goes on at the left edge), but a line of TAP's own no more indented than its `not ok`
        line (a stream cut before the `}`)."""
        if self.closed:
            return False
        if text == f"{self.indent}}}":
            self.closed = True
        elif text.startswith(self.indent) and text[len(self.indent) :].startswith(_SIBLING):
            return False
        self.lines.append((number, text))
        return True

    def _close_braced(self) -> Lines:
        """A buffered subtest's block ends: its subtests' lines, given back to be read; it is a
        failure (no diagnostics) only when none of them failed."""
        subtests = self.lines[1:-1] if self.closed else self.lines[1:]
        self.braced_end(self.lines[0][0], self.lines[-1][0])
        self.lines = self.lines[:1]
        own = [t.strip() for _, t in subtests]
        if not any(t.startswith("not ok ") and tap_verdicts.failed_test(t, t) for t in own):
            self.braced = False
            self.close()
        return subtests

    def _raw_line(self, own: str) -> bool:
        """Whether `own` (the line past the block's indent) goes on Mocha's indented text right
        after the `not ok` line: a blank line inside it, or a line indented two spaces or more
        that is no TAP line of its own (a subtest's)."""
        if self.yaml_done or (len(self.lines) > 1 and not self.raw):
            return False
        if not own:
            return self.raw
        return own.startswith("  ") and _TAP_LINE.match(own.lstrip()) is None

    def close(self) -> Lines:
        if self.braced:
            return self._close_braced()
        header = HEADER_RE.match(self.lines[0][1].lstrip())
        more = MORE_HEADER_RE.match(self.lines[0][1].lstrip()) if header is None else None
        name = own_name(self.lines[0][1]) or ""  # (Test::More's comments alone: the block)
        bail = BAIL_RE.match(self.lines[0][1]) if header is None and more is None else None
        while self.raw and not self.lines[-1][1].strip():
            self.lines.pop()
        body = self.lines[1:] if more is None else self.lines
        if self.raw:
            kind, message, location, stack = _from_raw([t[len(self.indent) + 2 :] for _, t in body])
        elif body and body[0][1].strip() == "---":
            fields = _yaml_fields([t for _, t in body])
            if fields.get("failureType") == "subtestsFailed":
                if fields.get("type") != "suite":  # a test: `node --test` counts it too
                    self.by_subtests(self.lines[0][0])
                return []  # a suite that failed by its subtests: their lines are the failures
            kind, message, location, stack = _from_yaml(fields, [t for _, t in body], name)
        else:
            own = [t[len(self.indent) :] for _, t in body]  # (a subtest's are indented)
            kind, message, location, stack = _from_comments(own)
        if bail is not None:  # the run stopped: no test's name, its reason the message
            name, kind = "Bail out!", "Bail out!"
            message = "\n".join(filter(None, (bail["why"].strip(), message)))
        details = {"runner": RUNNER}
        if body:
            details["text"] = clip("\n".join(t for _, t in body), MAX_FIELD)
        if not name:  # a test with no name (`not ok 2`, `ok(0)`): named by its number or place
            name = f"test {header['number']}" if header else f"the test at {location}"
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=location.rpartition(":")[0] if location else "",
            location=location,
            kind=kind or "not ok",
            message=message,
            details=details,
            frames=stack,
        )
        self.done(failure, self.lines)
        return []


def own_name(first: str) -> str | None:
    """The name the first line of a TAP failure's block gives its test: a `not ok` line's, a
    `#   Failed test 'name'` comment's (a subtest's indented), "" for a test with no name (`not
    ok 2`, `#   Failed test at diag/x.t line 6.`); None for a line of no test (a `Bail out!`)."""
    header = HEADER_RE.match(first.lstrip())
    more = MORE_HEADER_RE.match(first.lstrip()) if header is None else None
    if header is None and more is None:
        return None
    name = header["name"] if header is not None else more["name"] if more is not None else ""
    name = (name or "").removesuffix(_BRACE)  # (a buffered subtest's brace, Vitest's)
    name = _TIME_RE.sub("", name)  # (node-tap's `# time=435.148ms`: no part of the name)
    return name.replace("\\#", "#").strip()


def _from_comments(texts: list[str]) -> tuple[str, str, str, list[str]]:
    """Kind, message, location and stack of bats', Test::More's or busted's `#` lines."""
    if texts and (spec := _BUSTED_WHERE.match(texts[0])):
        return _from_busted(spec, [t[2:] for t in texts[1:]])
    said: list[str] = []
    location = ""
    stack: list[str] = []
    for text in texts:
        comment = text[1:]
        comment = comment[1:] if comment.startswith(" ") else comment
        stripped = comment.strip()
        where = _BATS_WHERE.match(stripped) or _MORE_WHERE.match(stripped)
        if where is not None and not location:
            location = f"{where['file']}:{where['line']}"
            continue
        if _BATS_FROM.match(stripped):
            stack.append(stripped)
            continue
        if _MORE_FAILED.match(stripped) and not said:
            continue
        said.append(stripped)  # (Test::More aligns `got:` and `expected:`)
    return "", "\n".join(said).strip("\n"), location, stack


def comments_said(texts: list[str]) -> tuple[str, str]:
    """The message and place of a failure's `#` lines (bats', Test::More's), as a `not ok`
    block's are read: for a report that holds them (TAP::Formatter::JUnit's under --merge)."""
    _, message, location, _ = _from_comments(texts)
    return message, location


def _from_busted(spec: re.Match[str], texts: list[str]) -> tuple[str, str, str, list[str]]:
    """Kind, message, location and stack of busted's TAP lines below `# spec/x.lua @ 6` (the
    spec's file and the test's line, `spec`): `Failure message: ` and the message, its lines
    each behind `# `, then under --verbose `stack traceback:` and its frames behind a tab. busted
    prints no word here of whether an assertion failed or an error was raised: no kind."""
    frames = texts.index(busted_block.TRACEBACK) if busted_block.TRACEBACK in texts else len(texts)
    said = [t for t in texts[:frames] if not t.startswith("Random seed: ")]
    message = "\n".join(said).removeprefix(_BUSTED_SAID).strip("\n")
    stack = [t.strip() for t in texts[frames + 1 :] if t.strip()]
    place = busted_block.spec_place(spec["file"], spec["line"], message, texts[frames + 1 :])
    return "", message, place, stack


def _from_raw(texts: list[str]) -> tuple[str, str, str, list[str]]:
    """Kind, message, location and stack of Mocha's TAP diagnostics (dedented): the message,
    then the error's first line, its message again and its stack, as its spec reporter prints
    them; its place the first frame of the project's own code (not node's, nor a package's)."""
    error = next((i for i, t in enumerate(texts) if _ERROR_LINE.match(t)), None)
    if error is None:  # (a thrown value no Error: its message alone, and any frames)
        frames = [t.strip()[3:] for t in texts if t.strip().startswith("at ")]
        said = [t for t in texts if t.strip() and not t.strip().startswith("at ")]
        kind, message = "", "\n".join(said)
    else:
        kind, _code, message, frames = read_error(texts[error:])
    places = [p for f in frames if (p := _RAW_PLACE.search(f))]
    mine = [p for p in places if not p["file"].startswith(("node:", "node_modules/"))]
    place = (mine or places)[0] if places else None
    return kind, message, f"{place['file']}:{place['line']}" if place else "", frames


def _yaml_source(texts: list[str]) -> str:
    """A YAML diagnostic block's text, between its `---` and `...` lines, dedented."""
    inner = texts[1:-1] if texts[-1].strip() == "..." else texts[1:]
    indent = len(texts[0]) - len(texts[0].lstrip())
    # (a quoted message's next line may begin at the left edge, Vitest's: kept whole)
    return "\n".join(t[indent:] if not t[:indent].strip() else t for t in inner)


def _yaml_fields(texts: list[str]) -> dict[str, Any]:
    """A YAML diagnostic block's fields; none when it is no YAML mapping. (The YAML parser is
    imported here: most triages read no TAP, and it was 5% of their imports' time.)"""
    import yaml

    try:
        fields = yaml.load(_yaml_source(texts), Loader=_first_key_loader())
    except yaml.YAMLError:
        return {}
    return fields if isinstance(fields, dict) else {}


@functools.cache
def _first_key_loader() -> Any:
    """A safe YAML loader that keeps a mapping's first value of a key written twice. node
    --test writes an Error that is an assertion's `actual` (doesNotThrow's) as its own fields
    at the block's indent, not under `actual:`: its `error:` after the assertion's, which the
    last value (yaml.safe_load's) took for the failure's message."""
    import yaml

    class FirstKeyLoader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        fields: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key not in fields:
                fields[key] = loader.construct_object(value_node, deep=True)
        return fields

    FirstKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return FirstKeyLoader


def _from_yaml(
    fields: dict[str, Any], texts: list[str], name: str
) -> tuple[str, str, str, list[str]]:
    """Kind, message, location and stack of a YAML diagnostic block (`node --test`'s, tape's,
    node-tap's): its raw text as the message when it is no YAML mapping."""
    if not fields:
        return "", _yaml_source(texts), "", []
    if isinstance(said := fields.get("message"), str) and "severity" in fields:
        return _from_deno(said, fields.get("at"))
    if isinstance(said, str) and set(fields) <= _BATS_FIELDS:  # bats' `-F tap13`
        return _from_comments([f"# {t}" for t in said.splitlines()])  # (as `-F tap` prints it)
    import yaml  # (see `_yaml_fields`)

    error = fields.get("error")
    message = error if isinstance(error, str) else yaml.safe_dump(error).strip() if error else ""
    kind = str(fields.get("name") or _own_code(fields))
    if isinstance(error, dict) and isinstance(error.get("message"), str):  # Vitest's
        message, kind = error["message"], str(error.get("name") or kind)
    location = _NODE_FILE.sub("", str(fields.get("location") or ""))
    location = location.rsplit(":", 1)[0] if location.count(":") >= 2 else location
    at = fields.get("at")
    if not location and error and isinstance(at, str) and (place := _RAW_PLACE.search(at)):
        location = f"{place['file']}:{place['line']}"  # Vitest's `at: "file:line:col"`
    stack = str(fields.get("stack") or "").splitlines()
    if not error and any(field in fields for field in _ASSERTION_FIELDS):
        kind, message, location = _assertion(fields, name, stack)
    return kind, message, location, [s.strip() for s in stack if s.strip()]


def _from_deno(said: str, at: Any) -> tuple[str, str, str, list[str]]:
    """Kind, message, location and stack of `deno test --reporter=tap`'s block, a JSON object on
    one line (`{"message":"Error: …\\n    at …","severity":"fail","at":{"file":…,"line":20}}`):
    its message the error as the console's ERRORS section prints it, read so."""
    from poolctl.logs.deno_block import error_of

    kind, message, frames = error_of(said.splitlines())
    place = at if isinstance(at, dict) else {}
    file = str(place.get("file") or "").removeprefix("./")
    location = f"{file}:{place['line']}" if file and place.get("line") else file
    return kind, message, location, frames


def _own_code(fields: dict[str, Any]) -> str:
    """The kind a YAML block with no `name` gives by its `code` (the error's own, `ETIMEDOUT`),
    but for an error thrown in a test or its hook (`failureType: testCodeFailure`,
    `hookFailed`): node writes no name for a plain Error, only its own `ERR_TEST_FAILURE`,
    which wraps whatever failed a test; its spec and dot reporters print `Error:`. A test that
    threw nothing (past its timeout, cancelled) keeps that code."""
    code = str(fields.get("code") or "")
    thrown = fields.get("failureType") in ("testCodeFailure", "hookFailed")
    return "Error" if code == "ERR_TEST_FAILURE" and thrown else code


def _assertion(fields: dict[str, Any], name: str, stack: list[str]) -> tuple[str, str, str]:
    """Kind, message and location of a failed assertion as tape and node-tap explain it: no
    `error` field, the assertion named by what it said (tape's `Error: checkout timed out …`,
    node-tap's thrown error's message, or the assertion's own message), what it compared, the
    error its cause (node-tap) or stack (tape) begins with."""
    said = [name] if name else []
    for field in ("expected", "actual", "found", "wanted"):
        if field in fields:
            said.append(f"{field}: {str(fields[field]).strip()}")
    if isinstance(diff := fields.get("diff"), str):
        said.append(diff.strip())
    cause = fields.get("cause")
    if isinstance(cause, dict) and isinstance(cause.get("message"), str):
        said.append(f"cause: {cause['message']}")
    raised = stack[0].strip() if stack and _KIND_RE.match(stack[0].strip()) else ""
    if raised and raised not in said and raised.partition(": ")[2] != name:
        said.append(raised)  # (tape: its stack's first line is the error's)
    kind = _KIND_RE.match(raised)
    thrown = _thrown(fields)
    at = fields.get("at")
    location = ""
    if isinstance(at, dict) and at.get("fileName") and at.get("lineNumber"):
        location = f"{at['fileName']}:{at['lineNumber']}"  # node-tap's
    elif isinstance(at, str) and (called := _CALLED_AT.search(at.strip())):
        location = _place(called)  # tape's
    else:  # (tape's error raised in the test: the first frame of its stack outside packages)
        frames = (_CALLED_AT.search(f.strip()) for f in stack[1:] if "node_modules" not in f)
        called = next((f for f in frames if f is not None), None)
        location = _place(called) if called else ""
    kind_named = _tape_kind(fields, raised) or (kind["kind"] if kind else thrown)
    if not kind_named and isinstance(at, dict):  # node-tap's assertion, as its reporter says
        kind_named = "AssertionError"
    return kind_named, "\n".join(said), location


def _place(frame: re.Match[str]) -> str:
    """The file:line a `_CALLED_AT` match names."""
    if frame["file"]:
        return f"{frame['file']}:{frame['line']}"
    return f"{frame['bare']}:{frame['bare_line']}"


def _tape_kind(fields: dict[str, Any], raised: str) -> str:
    """The kind of a tape failure, which names its assertion's `operator`: an error the test
    threw (`error`: an async test's rejection, `t.error`) is of its class, its stack's first
    line's; any other operator (`equal`, `deepEqual`, `ok`, `throws`, …) is an assertion that
    failed, its stack's `Error: <its name>` only tape's way to find where it was called. ""
    when no operator is named (node-tap's YAML)."""
    operator = fields.get("operator")
    if not isinstance(operator, str):
        return ""
    if operator != "error":
        return "AssertionError"
    kind = _KIND_RE.match(raised)
    return kind["kind"] if kind else "Error"


def _thrown(fields: dict[str, Any]) -> str:
    """The name of the error node-tap caught in a test (its `tapCaught`: a function that threw,
    a promise rejected): its `type`, which node-tap (@tapjs/core's extraFromError) writes for
    any name but `Error`; else Error. "" for an assertion that failed (no `tapCaught`): of
    kind AssertionError, as tape's, Jest's and node-tap's own reporter's are."""
    if "tapCaught" not in fields:
        return ""
    return str(fields.get("type") or "Error")


# each parser's Test::More diagnostics a `not ok` line was taken for, by (input, line): one
# line each (a raw TAP script's nameless `not ok 1` after them under `prove -v` is a failure of
# its own, not theirs again)
_CLAIMED: weakref.WeakKeyDictionary[TextParser, set[tuple[str, int]]] = weakref.WeakKeyDictionary()


def told_before(parser: TextParser, header: str) -> bool:
    """Whether Test::More's diagnostics of the test whose `not ok` line is `header` were read
    before it, no other runner's failure between (`prove -v` prints the script's stderr first):
    those of a test of the same name, or, a test with no name, of one with no name. Such a test
    is named by its number on its `not ok` line (`test 2`) and by its place in its diagnostics
    (`the test at diag/x.t:6`): comparing those names, it was counted twice. A subtest's `not
    ok` line is indented, its diagnostics as much. Diagnostics stand for one `not ok` line."""
    name = own_name(header)
    indent = header[: len(header) - len(header.lstrip())]  # a subtest's: its diagnostics' too
    claimed = _CLAIMED.setdefault(parser, set())
    for earlier in reversed(parser.out.failures):
        if earlier.input_file != parser.name or earlier.details.get("runner") != RUNNER:
            return False
        first = earlier.details.get("text", "").partition("\n")[0]
        told = first.startswith(f"{indent}#   Failed test ")
        at = (earlier.input_file, earlier.line_start)
        if told and own_name(first) == name and at not in claimed:
            claimed.add(at)
            return True
    return False
