"""The JSON envelope of the DSPex bridge: requests with ids, responses correlated by id.

Request:  {"id", "command", "args", "timestamp"}
Response: {"id", "success", "result" | "error", "timestamp"}
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from poolctl.errors import FramingError, ProtocolError
from poolctl.framing import quote


def utc_timestamp() -> str:
    """An ISO 8601 UTC timestamp, as the bridge puts in every message."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Request:
    """One request envelope."""

    id: int
    command: str
    args: dict[str, Any] = field(default_factory=dict)
    timestamp: str = ""

    def to_json(self) -> bytes:
        """The envelope as compact UTF-8 JSON (no newline: framing adds what it needs)."""
        body = {"id": self.id, "command": self.command, "args": self.args}
        body["timestamp"] = self.timestamp or utc_timestamp()
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
        """The error as one string, whatever shape the worker gave it."""
        if isinstance(self.error, dict):
            return str(self.error.get("message", self.error))
        return str(self.error)


class NotJSON(ProtocolError):
    """The frame is not JSON (or not a JSON object)."""


class WrongId(ProtocolError):
    """The response answers another request."""

    def __init__(self, message: str, payload: bytes, got: Any) -> None:
        super().__init__(message, payload)
        self.got = got


class MissingSuccess(ProtocolError):
    """The response has no boolean `success` field."""


class TextBeforeFirstMessage(FramingError):
    """A frame that is not JSON where the first message should be (a banner, a log line): a
    strict reader stops there, so poolctl's reader stops there too."""

    def __init__(self, payload: bytes) -> None:
        super().__init__(f"text where the first message should be: {quote(payload, 60)}")
        self.payload = payload


def _loads(payload: bytes) -> Any:
    """orjson first (the pool's hot path), the standard library for what orjson refuses
    (NaN, integers over 64 bits), so that anything `json` accepts is accepted."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return json.loads(payload)


def parse_response(payload: bytes, expected_id: Any = None) -> Response:
    """Parse and check one response frame; `expected_id=None` skips the id check."""
    try:
        body = _loads(payload)
    except json.JSONDecodeError as exc:
        raise NotJSON(f"response is not JSON ({exc.msg} at byte {exc.pos})", payload) from None
    except UnicodeDecodeError as exc:
        raise NotJSON(
            f"response is not UTF-8 JSON ({exc.reason} at byte {exc.start})", payload
        ) from None
    if not isinstance(body, dict):
        raise NotJSON(f"response is JSON but not an object: {type(body).__name__}", payload)
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


class RequestIds:
    """Increasing request ids, one sequence per connection (0 is the init ping, as in DSPex)."""

    def __init__(self, start: int = 1) -> None:
        self._next = itertools.count(start)

    def request(self, command: str, args: dict[str, Any] | None = None) -> Request:
        """A new request with the next id."""
        return Request(next(self._next), command, dict(args or {}), utc_timestamp())
