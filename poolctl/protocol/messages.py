"""The two envelopes a message can come in, and what a read message can be.

- `dspex`, the DSPex bridge's: request `{"id", "command", "args", "timestamp"}`, response
  `{"id", "success", "result" | "error", "timestamp"}`.
- `jsonrpc`, JSON-RPC 2.0 (MCP and LSP speak it): request `{"jsonrpc", "id", "method",
  "params"}`, response `{"jsonrpc", "id", "result" | "error"}`; a message with a `method` and no
  `id` is a notification, one with both is a request from the server to the client.

A frame read in either envelope is a `Response`, an `Incoming` message from the server (JSON-RPC
only), or raises a `ProtocolError` saying why it is neither.
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from poolctl.errors import FramingError, ProtocolError
from poolctl.framing import quote
from poolctl.json_text import MAX_DEPTH, clipped, too_deep

_second: tuple[int, str] = (-1, "")  # the last whole second formatted, and how


def utc_timestamp() -> str:
    """An ISO 8601 UTC timestamp to the microsecond, as the bridge puts in every message.

    The date and time of day are formatted once a second, not for every request."""
    global _second
    now = time.time()
    whole = int(now)
    second = _second
    if second[0] != whole:
        second = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{second[1]}.{int((now - whole) * 1_000_000):06d}Z"


ENVELOPES = ("dspex", "jsonrpc")


@dataclass(frozen=True)
class Request:
    """One request (or, with `id` None, a JSON-RPC notification) in its envelope.

    `command` is the DSPex command or the JSON-RPC method; `args` its args or params (None:
    JSON-RPC params left out, as LSP's `shutdown` has none)."""

    id: int | None
    command: str
    args: dict[str, Any] | None = field(default_factory=dict)
    timestamp: str = ""
    envelope: str = "dspex"

    def to_json(self) -> bytes:
        """The envelope as compact UTF-8 JSON (no newline: framing adds what it needs)."""
        body: dict[str, Any]
        if self.envelope == "jsonrpc":
            body = {"jsonrpc": "2.0"}
            if self.id is not None:
                body["id"] = self.id
            body["method"] = self.command
            if self.args is not None:
                body["params"] = self.args
        else:
            body = {"id": self.id, "command": self.command, "args": self.args or {}}
            body["timestamp"] = self.timestamp or utc_timestamp()
        return dumps(body)


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(body)
    except TypeError:  # what orjson refuses (integers over 64 bits), json takes
        return json.dumps(body, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Response:
    """One response envelope; `result` when `success`, `error` otherwise."""

    id: Any
    success: bool
    result: Any = None
    error: Any = None
    timestamp: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def error_message(self) -> str:
        """The error as one string, whatever shape the worker gave it (a JSON-RPC error with
        its code)."""
        if isinstance(self.error, dict):
            message = str(self.error.get("message", self.error))
            code = self.error.get("code")
            return f"{message} (code {code})" if code is not None else message
        return str(self.error)


@dataclass(frozen=True)
class Incoming:
    """A JSON-RPC message from the server that answers nothing: a notification (`id` None) or
    a request from the server to the client (`roots/list`, `client/registerCapability`…)."""

    method: str
    params: Any = None
    id: Any = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_request(self) -> bool:
        return "id" in self.raw


class NotJSON(ProtocolError):
    """The frame is not JSON (or not a JSON object)."""


ENCODED_TWICE = "response is encoded twice"
IN_A_LIST = "response is JSON but not an object: a list holding its answer"
NOT_JSON_ANSWER = "response is not JSON, though it carries the request's id"
# an answer printed as its language's own literal of a map, not as JSON
RUBY_INSPECT = "response is not JSON but a Ruby Hash's inspect form"
PYTHON_REPR = "response is not JSON but a Python dict's repr"
BLANK_LINE = "response is not JSON: an empty message (a blank line, in line framing)"
# the fix for blank lines between messages
ONE_NEWLINE_FIX = (
    "End each message with one newline, not two (`\\r\\n\\r\\n`, `print(line + '\\n')`, "
    "`puts` of a line that ends in one): to a line reader a blank line is an empty message, "
    "and JSON.parse(''), Jason and json.loads('') fail on it."
)
# what `_object` says of text that no JSON reader takes
_NOT_JSON = re.compile(r"response is not JSON \((?P<why>.*) at byte (?P<pos>\d+)\)$")
NOT_UTF8 = "response is not UTF-8 JSON"
# the fix for a message no client can read as sent
READABLE_FIX = (
    "Write each answer as one JSON object encoded in UTF-8, as RFC 8259 requires between "
    "programs (Python: `json.dumps(answer).encode('utf-8')`, not Latin-1 nor the locale's "
    "encoding), with no byte order mark."
)


class Misencoded(NotJSON):
    """The frame is a JSON object a client cannot read as it was sent: encoded twice (a JSON
    string holding it: `json.dumps` of what `json.dumps` returned), in another encoding than
    UTF-8 (Latin-1), or the one object of a list. It is the worker's message, no stray text:
    a frame that answers nothing, not a broken stream."""


class WrongId(ProtocolError):
    """The response answers another request."""

    def __init__(self, message: str, payload: bytes, got: Any) -> None:
        super().__init__(message, payload)
        self.got = got


class MissingSuccess(ProtocolError):
    """The response has no boolean `success` field."""


class WrongEnvelope(ProtocolError):
    """A reply with an id, in another envelope (a DSPex `success` reply to a JSON-RPC request)."""


class NotAMessage(ProtocolError):
    """JSON that is not a JSON-RPC message (no `jsonrpc`, or neither `method` nor a result):
    what a JSON logger writes."""


class StrayOutput(FramingError):
    """A frame that is no message where a message should be: text (a banner, a log line) or
    JSON that is not a JSON-RPC message (a JSON logger). A strict reader stops there, so
    poolctl's reader stops there too. `json` tells the second kind."""

    def __init__(self, payload: bytes, *, json: bool = False, first: bool = True) -> None:
        where = "the first message" if first else "a message"
        what = "JSON that is not a JSON-RPC message" if json else "text"
        shown = f": {quote(payload, 60)}"
        if not payload.strip():  # an empty message: its quote ('') would say nothing
            what, shown = "a blank line", ""
        super().__init__(f"{what} where {where} should be{shown}")
        self.payload = payload
        self.json = json
        self.first = first


TextBeforeFirstMessage = StrayOutput  # the name it had before JSON-RPC: text, first message


def _loads(payload: bytes) -> Any:
    """orjson first (the pool's hot path), the standard library for what orjson refuses
    (NaN, integers over 64 bits), so that anything `json` accepts is accepted."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        if too_deep(exc):  # the standard library's reader recurses past its limit there
            raise
        return json.loads(payload)


def _object(payload: bytes) -> dict[str, Any]:
    """The frame as a JSON object, or `NotJSON` saying why not."""
    if payload.startswith(codecs.BOM_UTF8):
        # json.loads takes it off bytes, but a client reading text does not: Node's
        # JSON.parse, Jason and Python's json.loads of a str all refuse it.
        raise NotJSON(
            "response starts with a UTF-8 byte order mark (EF BB BF), which JSON readers refuse",
            payload,
        )
    if not payload.strip():  # what a reader of lines takes from a blank line
        raise NotJSON(BLANK_LINE, payload)
    try:
        body = clipped(_loads(payload), payload)
    except json.JSONDecodeError as exc:
        if too_deep(exc):
            raise NotJSON(
                f"response nests JSON deeper than {MAX_DEPTH:,} levels (at byte {exc.pos}),"
                " past what poolctl reads",
                payload,
            ) from None
        raise NotJSON(f"response is not JSON ({exc.msg} at byte {exc.pos})", payload) from None
    except UnicodeDecodeError as exc:
        # a JSON object all the same, its text in Latin-1 (or cp1252): the worker's answer
        otherwise = _inner_object(payload.decode("latin-1"))
        kind = Misencoded if isinstance(otherwise, dict) else NotJSON
        raise kind(f"{NOT_UTF8} ({exc.reason} at byte {exc.start})", payload) from None
    if isinstance(body, str) and isinstance(_inner_object(body), dict):
        raise Misencoded(
            f"{ENCODED_TWICE}: a JSON string holding a JSON object (`json.dumps` of what "
            "`json.dumps` returned)",
            payload,
        )
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        # `[answer]`, as `json.dumps([answer])` or a handler returning a list of results
        # writes: the worker's message all the same, no stray text
        raise Misencoded(f"{IN_A_LIST} (a list of one object)", payload)
    if not isinstance(body, dict):
        raise NotJSON(f"response is JSON but not an object: {type(body).__name__}", payload)
    return body


def _inner_object(text: str) -> Any:
    """What a JSON string's text holds, when it is JSON itself (None when not)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return _loads(text.encode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):  # what is not JSON, or nests past a reader
        return None


def parse_response(payload: bytes, expected_id: Any = None) -> Response:
    """Parse and check one DSPex response frame; `expected_id=None` skips the id check."""
    body = _object(payload)
    if expected_id is not None and body.get("id") != expected_id:
        raise WrongId(
            f"response carries id {body.get('id')!r}, expected {expected_id!r}",
            payload,
            body.get("id"),
        )
    success = body.get("success")
    if not isinstance(success, bool):
        have = ", ".join(sorted(body)) or "nothing"
        raise MissingSuccess(f"response lacks a boolean 'success' field (has: {have})", payload)
    return Response(
        id=body.get("id"),
        success=success,
        result=body.get("result"),
        error=body.get("error"),
        timestamp=body.get("timestamp"),
        raw=body,
    )


def parse_jsonrpc(payload: bytes, expected_id: Any = None) -> Response | Incoming:
    """Parse one JSON-RPC 2.0 frame: a response (to `expected_id`, when given), or a message
    from the server. JSON that is not a JSON-RPC message raises `NotAMessage`."""
    body = _object(payload)
    method = body.get("method")
    answers = "result" in body or "error" in body
    if body.get("jsonrpc") != "2.0" and "id" in body and ("success" in body or answers):
        raise WrongEnvelope(
            f"a reply in another envelope (no jsonrpc 2.0; has: {', '.join(sorted(body))})",
            payload,
        )
    if body.get("jsonrpc") != "2.0" or not (isinstance(method, str) or answers):
        have = ", ".join(sorted(body)) or "nothing"
        raise NotAMessage(
            f"JSON that is not a JSON-RPC message (no jsonrpc 2.0 with a method, result or "
            f"error; has: {have})",
            payload,
        )
    if isinstance(method, str):
        return Incoming(method, body.get("params"), body.get("id"), raw=body)
    if expected_id is not None and body.get("id") != expected_id:
        raise WrongId(
            f"response carries id {body.get('id')!r}, expected {expected_id!r}",
            payload,
            body.get("id"),
        )
    return Response(
        id=body.get("id"),
        success="error" not in body,
        result=body.get("result"),
        error=body.get("error"),
        raw=body,
    )


def parse_message(
    payload: bytes, expected_id: Any = None, envelope: str = "dspex"
) -> Response | Incoming:
    """One frame read in `envelope`."""
    try:
        if envelope == "jsonrpc":
            return parse_jsonrpc(payload, expected_id)
        return parse_response(payload, expected_id)
    except Misencoded:
        raise
    except NotJSON as exc:
        broken = _NOT_JSON.match(exc.message)
        shaped = payload.lstrip().startswith(b"{") and expected_id is not None
        literal = payload.lstrip().startswith(b"{") and _literal_answer(
            payload, expected_id, envelope
        )
        if literal:  # by its id, or any id when none is expected (a pool's reader)
            raise Misencoded(literal, payload) from None
        if broken is None or not shaped or not carries_answer(payload, expected_id, envelope):
            raise
        # its answer, made by hand and broken (a backslash or a newline left unescaped):
        # the worker's message all the same, no stray text breaking the stream
        pos = int(broken["pos"])
        near = quote(payload[max(0, pos - 12) : pos + 12], 40)
        why = broken["why"].removesuffix(" at")  # json's "starting at" is followed by ours
        raise Misencoded(f"{NOT_JSON_ANSWER} ({why} at byte {pos}, near {near})", payload) from None


# A Ruby Hash's key as its inspect writes it: a string (`"id"=>`; Ruby 3.4: `"id" => `), a
# symbol before Ruby 3.4 (`:id=>`), or a symbol in Ruby 3.4 (`{id: 1, success: true}`)
_RUBY_KEY = r'(?:"{0}"\s*=>\s*|:{0}\s*=>\s*|(?:\{{|,\s){0}:\s)'
# Node's util.inspect: a space after the brace, which neither Ruby nor Python writes
_NODE_INSPECT = re.compile(rb"\s*\{\s")


def _literal_answer(payload: bytes, request_id: Any, envelope: str) -> str:
    """Which language's literal of a map `payload` is, when it holds the answer to
    `request_id` so written ("" when it is none): Ruby's `{"id"=>1, "success"=>true}` (`puts
    hash`; with symbol keys `{:id=>1, …}`, in Ruby 3.4 `{id: 1, …}`), Python's `{'id': 1,
    'success': True}` (`print(answer)`)."""
    if _NODE_INSPECT.match(payload):
        return ""
    fields = ("result", "error") if envelope == "jsonrpc" else ("success",)
    ruby_id = re.escape(json.dumps(request_id)).encode() if request_id is not None else b"[^,}]+"
    python_id = re.escape(repr(request_id)).encode() if request_id is not None else b"[^,}]+"
    shapes = (
        (RUBY_INSPECT, _RUBY_KEY.format("id").encode() + ruby_id + rb"\s*[,}]", _RUBY_KEY),
        (PYTHON_REPR, rb"'id'\s*:\s*" + python_id + rb"\s*[,}]", "'{}'\\s*:"),
    )
    for said, by_id, key in shapes:
        named = (re.search(key.format(f).encode(), payload) for f in fields)
        if re.search(by_id, payload) and any(named):
            return said
    return ""


def carries_answer(data: bytes, request_id: Any, envelope: str = "dspex") -> bool:
    """Whether `data`, JSON or not, holds an answer to `request_id` anywhere: its id, and its
    envelope's success (dspex) or result or error (JSON-RPC) field."""
    pattern = rb'"id"\s*:\s*' + re.escape(json.dumps(request_id).encode()) + rb"\s*[,}]"
    fields = (b'"result"', b'"error"') if envelope == "jsonrpc" else (b'"success"',)
    return re.search(pattern, data) is not None and any(f in data for f in fields)


class RequestIds:
    """Increasing request ids, one sequence per connection (0 is the init ping, as in DSPex)."""

    def __init__(self, start: int = 1, envelope: str = "dspex") -> None:
        self._next = itertools.count(start)
        self.envelope = envelope
        self.start = start
        self.last = start - 1  # the last id handed out: those from `start` to it were asked

    def request(self, command: str, args: dict[str, Any] | None = None) -> Request:
        """A new request with the next id."""
        self.last = next(self._next)
        return Request(self.last, command, dict(args or {}), utc_timestamp(), self.envelope)

    def request_raw(self, command: str, args: dict[str, Any] | None) -> Request:
        """A new request whose params are sent as given (None: left out)."""
        self.last = next(self._next)
        return Request(self.last, command, args, utc_timestamp(), self.envelope)

    def asked(self, request_id: Any) -> bool:
        """Whether `request_id` is one this sequence handed out (JSON's true is no id 1)."""
        return type(request_id) is int and self.start <= request_id <= self.last

    def notification(self, method: str, params: dict[str, Any] | None = None) -> Request:
        """A JSON-RPC notification: no id, no answer."""
        return Request(None, method, params, utc_timestamp(), "jsonrpc")
