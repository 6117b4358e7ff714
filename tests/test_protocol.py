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


# --- JSON-RPC 2.0 and the protocols built on it ------------------------------------------------


def test_jsonrpc_request_and_notification_envelopes() -> None:
    from poolctl.protocol import RequestIds as Ids

    ids = Ids(envelope="jsonrpc")
    assert json.loads(ids.request("tools/list", {}).to_json()) == {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/list",
        "params": {},
    }
    assert json.loads(ids.request_raw("shutdown", None).to_json()) == {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "shutdown",
    }
    note = json.loads(ids.notification("notifications/initialized").to_json())
    assert note == {"jsonrpc": "2.0", "method": "notifications/initialized"}


def test_jsonrpc_frames_are_answers_errors_or_messages_from_the_server() -> None:
    from poolctl.protocol import Incoming, NotAMessage, WrongEnvelope, parse_jsonrpc

    ok = parse_jsonrpc(b'{"jsonrpc":"2.0","id":3,"result":{}}', 3)
    assert not isinstance(ok, Incoming) and ok.success and ok.result == {}
    error = parse_jsonrpc(
        b'{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}}', 3
    )
    assert not isinstance(error, Incoming) and not error.success
    assert error.error_message == "Method not found (code -32601)"
    note = parse_jsonrpc(b'{"jsonrpc":"2.0","method":"window/logMessage","params":{}}')
    assert isinstance(note, Incoming) and not note.is_request
    asks = parse_jsonrpc(b'{"jsonrpc":"2.0","id":"s1","method":"roots/list"}')
    assert isinstance(asks, Incoming) and asks.is_request
    with pytest.raises(NotAMessage):  # what a JSON logger writes
        parse_jsonrpc(b'{"level":"info","msg":"server starting"}')
    with pytest.raises(WrongEnvelope):  # a DSPex reply to a JSON-RPC request
        parse_jsonrpc(b'{"id":1,"success":false,"error":"Unknown command: None"}')


def test_each_protocol_has_its_framing_and_handshake() -> None:
    from poolctl.protocol import PROTOCOLS, answer_server_request

    assert {n: p.framing for n, p in PROTOCOLS.items()} == {
        "dspex": "packet-4",
        "jsonrpc": "line",
        "mcp": "line",
        "lsp": "content-length",
    }
    mcp = [s.method for s in PROTOCOLS["mcp"].steps(None, None, None, None)]
    assert mcp == ["initialize", "notifications/initialized", "ping", "tools/list"]
    lsp = [s.method for s in PROTOCOLS["lsp"].steps(None, None, None, None)]
    assert lsp == ["initialize", "initialized", "shutdown", "exit"]
    params = PROTOCOLS["lsp"].opening().params or {}
    assert {"processId", "rootUri", "capabilities"} <= set(params)
    assert [s.method for s in PROTOCOLS["mcp"].handshake_steps()] == [
        "initialize",
        "notifications/initialized",
    ]
    assert answer_server_request("roots/list", None) == {"result": {"roots": []}}
    assert answer_server_request("workspace/configuration", {"items": [{}, {}]}) == {
        "result": [None, None]
    }
    assert answer_server_request("sampling/createMessage", {})["error"]["code"] == -32601
