"""The request/response envelope and its error messages."""

from __future__ import annotations

import json

import pytest

from poolctl.protocol import MissingSuccess, NotJSON, RequestIds, WrongId, parse_response


def test_requests_carry_increasing_ids_and_a_timestamp() -> None:
    ids = RequestIds()
    first, second = ids.request("ping"), ids.request("echo", {"a": 1})
    body = json.loads(second.to_json())
    assert (first.id, second.id) == (1, 2)
    assert body["command"] == "echo" and body["args"] == {"a": 1}
    assert body["timestamp"].endswith("Z")


def test_parse_success_and_error_responses() -> None:
    ok = parse_response(b'{"id": 3, "success": true, "result": {"x": 1}}', 3)
    assert ok.success and ok.result == {"x": 1}
    err = parse_response(b'{"id": 3, "success": false, "error": "Program ID is required"}', 3)
    assert not err.success and err.error_message == "Program ID is required"


def test_not_json_says_where_it_broke() -> None:
    with pytest.raises(NotJSON, match="not JSON"):
        parse_response(b"Warming up", 1)
    with pytest.raises(NotJSON, match="not an object"):
        parse_response(b"[1, 2]", 1)


def test_wrong_id_names_both_ids() -> None:
    with pytest.raises(WrongId, match="carries id 7, expected 8") as info:
        parse_response(b'{"id": 7, "success": true}', 8)
    assert info.value.got == 7


def test_missing_success_lists_the_fields_present() -> None:
    with pytest.raises(MissingSuccess, match="has: id, result"):
        parse_response(b'{"id": 1, "result": 2}', 1)
