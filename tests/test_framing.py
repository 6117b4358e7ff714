"""Framings: encode, incremental decode, the maximum frame size, and `explain`."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poolctl.errors import FrameTooLarge, FramingError, UsageProblem
from poolctl.framing import FRAMINGS, LineDecoder, PacketDecoder, get_framing, quote
from poolctl.framing_explain import explain, header_cut_short


@pytest.mark.parametrize("name,header", [("packet-1", 1), ("packet-2", 2), ("packet-4", 4)])
def test_packet_header_is_big_endian_length(name: str, header: int) -> None:
    framed = get_framing(name).encode(b"x" * 200)
    assert framed[:header] == (200).to_bytes(header, "big")
    assert framed[header:] == b"x" * 200


def test_packet_1_rejects_payload_over_255() -> None:
    with pytest.raises(FramingError, match="do not fit"):
        get_framing("packet-1").encode(b"x" * 256)


def test_line_rejects_embedded_newline() -> None:
    with pytest.raises(FramingError):
        get_framing("line").encode(b'{"a":\n1}')


def test_unknown_framing_names_the_choices() -> None:
    with pytest.raises(UsageProblem, match="packet-4, packet-2, packet-1, line, content-length"):
        get_framing("packet-3")


@given(
    name=st.sampled_from(sorted(FRAMINGS)),
    payloads=st.lists(st.binary(min_size=1, max_size=300), max_size=8),
    cuts=st.lists(st.integers(min_value=1, max_value=50), max_size=20),
)
def test_round_trip_through_arbitrary_chunking(
    name: str, payloads: list[bytes], cuts: list[int]
) -> None:
    framing = FRAMINGS[name]
    if name == "line":
        payloads = [p.replace(b"\n", b"").rstrip(b"\r") or b"x" for p in payloads]
    if name == "packet-1":
        payloads = [p[:255] for p in payloads]
    stream = b"".join(framing.encode(p) for p in payloads)
    decoder = framing.decoder()
    out: list[bytes] = []
    pos = 0
    for cut in cuts:
        out += decoder.feed(stream[pos : pos + cut])
        pos += cut
    out += decoder.feed(stream[pos:])
    assert out == payloads
    assert decoder.buffered == 0
    assert decoder.error is None


@settings(max_examples=300)
@given(
    name=st.sampled_from(sorted(FRAMINGS)),
    chunks=st.lists(st.binary(max_size=400), max_size=12),
    max_frame=st.integers(min_value=1, max_value=512),
)
def test_arbitrary_bytes_never_crash_or_overbuffer(
    name: str, chunks: list[bytes], max_frame: int
) -> None:
    framing = FRAMINGS[name]
    decoder = framing.decoder(max_frame)
    for chunk in chunks:
        frames = decoder.feed(chunk)
        assert all(len(f) <= max_frame for f in frames)
        if decoder.error is None:
            # waiting for a frame never holds more than one maximal frame and its header
            assert decoder.buffered <= max_frame + framing.max_header
        explain(decoder.pending(), framing, max_frame)  # explaining anything never raises


def test_bogus_header_sets_error_without_allocating() -> None:
    decoder = PacketDecoder(4)
    frames = decoder.feed(b"\x00\x00\x00\x02{}" + b"Warming up\n")
    assert frames == [b"{}"]
    assert isinstance(decoder.error, FrameTooLarge)
    assert decoder.error.length == int.from_bytes(b"Warm", "big") == 1_466_004_077
    assert decoder.pending().startswith(b"Warming up")
    assert decoder.feed(b"more") == []  # the stream is broken from the bad header on


def test_overlong_line_sets_error() -> None:
    decoder = LineDecoder(max_frame=10)
    assert decoder.feed(b'{"a":1}\n') == [b'{"a":1}']
    decoder.feed(b"x" * 11)
    assert decoder.error is not None


# --- explain -------------------------------------------------------------------------------


def frame4(obj: object) -> bytes:
    return get_framing("packet-4").encode(json.dumps(obj).encode())


def test_explain_text_quotes_it_and_the_length_its_first_bytes_read_as() -> None:
    what = explain(b"Warming up\n" + frame4({"id": 1}), "packet-4")
    assert what.kind == "text"
    assert "'Warm'" in what.text and "1,466,004,077" in what.text
    assert "over the 67,108,864-byte maximum" in what.text
    assert "after those 11 bytes of text, valid packet-4 frames follow" in what.text


def test_explain_text_under_packet_2_waits_forever() -> None:
    what = explain(b"Warning: DSPy not available\n", "packet-2")
    assert what.kind == "text"
    assert what.declared_length == int.from_bytes(b"Wa", "big")
    assert "waits for the rest forever" in what.text


def test_explain_json_without_header() -> None:
    what = explain(b'{"id": 1, "success": true}', "packet-4")
    assert what.kind == "json-without-header"
    assert "'{\"id'" in what.text


def test_explain_newline_json_under_packet_framing() -> None:
    what = explain(b'{"id": 1}\n', "packet-4")
    assert what.kind == "line-json" and what.other_framing == "line"


@pytest.mark.parametrize("other", ["packet-2", "packet-1"])
def test_explain_header_of_another_size(other: str) -> None:
    data = get_framing(other).encode(b'{"id": 1}')
    what = explain(data, "packet-4")
    assert what.kind == "other-framing" and what.other_framing == other


def test_explain_little_endian_header() -> None:
    payload = b'{"id": 1}'
    what = explain(len(payload).to_bytes(4, "little") + payload, "packet-4")
    assert what.other_framing == "packet-4 (little-endian)"


def test_explain_truncated_frame() -> None:
    what = explain(b"\x00\x00\x01\x00" + b'{"id": 1, ', "packet-4")
    assert what.kind == "truncated"
    assert "announces 256 bytes and 10 arrived" in what.text


@pytest.mark.parametrize("framing", ["packet-1", "packet-2", "packet-4"])
def test_binary_data_behind_a_header_is_binary_not_a_frame_on_its_way(framing: str) -> None:
    """No protocol's message starts so: it was "a truncated frame" (the test above took these
    bytes for one), and a PNG written to stdout in packet-1 or packet-2 was unnamed, the worker
    said to wait for more input."""
    size = get_framing(framing).header_size
    what = explain(b"\x00" * (size - 1) + b"\x80" + b"\x01\x02" * 5, framing)
    assert what.kind == "binary"
    assert f"read as a {framing} length of 128, and only 10 byte(s) follow" in what.text
    png = explain(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", framing)
    assert png.kind == "binary" and png.text.startswith("binary data '\\x89PNG")
    assert explain(b"\x00" * (size - 1) + b"\x80", framing).kind == "truncated"  # a header alone


def test_a_truncated_frame_of_printable_json_is_no_text() -> None:
    """The bytes a worker SIGKILLed in the middle of its answer left (pool-main/half-kill in
    the endings evidence): 27 of 54 bytes, printable but for the header's three NULs, were
    'text' (28 of 31 characters printable), so the pool's finding did not say it was cut."""
    left = b'\x00\x00\x006{"id": 3, "success": true, '
    what = explain(left, "packet-4")
    assert what.kind == "truncated"
    assert "announces 54 bytes and 27 arrived" in what.text


def test_explain_packet_frame_when_line_expected() -> None:
    what = explain(frame4({"id": 1}), "line")
    assert what.kind == "other-framing" and what.other_framing == "packet-4"


def test_explain_non_json_line() -> None:
    what = explain(b"Loading model...\n", "line")
    assert what.kind == "text" and "'Loading model...'" in what.text


def test_explain_valid_frames_and_nothing() -> None:
    assert explain(frame4({"id": 1}) + frame4({"id": 2}), "packet-4").kind == "frames"
    assert explain(b"", "packet-4").kind == "empty"


# --- content-length (the LSP base protocol) -----------------------------------------------------


@pytest.mark.parametrize(
    "data,problem,said",
    [
        (b"Starting server\nContent-Length: 2\r\n\r\n{}", "text-before-header", "Starting server"),
        (
            b"Content-Type: application/json\r\n\r\n{}",
            "no-content-length",
            "without Content-Length",
        ),
        (b"Content-Length: two\r\n\r\n{}", "bad-length", "is not a number: 'two'"),
        # a server that writes `\n` where `\r\n` belongs: a strict reader never sees a header end
        (b"Content-Length: 2\n\n{}", "bare-newline", "ended by a bare newline"),
        (b"Content-Length: 2\r\n\n{}", "bare-newline", "ended by a bare newline"),
        # lines that only look like `Name: value` are text, not headers with a bare newline:
        # jedi-language-server's log (`-v --log-file /dev/stdout`) and bash-language-server's
        # usage (run without `start`), as they wrote them
        (
            b"INFO:pygls.server:Starting async IO server\nINFO:pygls.feature_manager:Registered",
            "text-before-header",
            "text where a Content-Length header should start: 'INFO:pygls.server:",
        ),
        (
            b"Usage:\n  bash-language-server start             Start listening on stdin/stdout\n",
            "text-before-header",
            "text where a Content-Length header should start: 'Usage:",
        ),
    ],
)
def test_bad_content_length_headers_stop_the_stream_with_the_bytes(
    data: bytes, problem: str, said: str
) -> None:
    from poolctl.errors import BadHeader

    decoder = get_framing("content-length").decoder()
    assert decoder.feed(data) == []
    assert isinstance(decoder.error, BadHeader) and decoder.error.problem == problem
    assert said in decoder.error.message
    assert decoder.pending() == data


def test_a_header_arriving_a_byte_at_a_time_is_no_bare_newline() -> None:
    decoder = get_framing("content-length").decoder()
    data = b"Content-Length: 2\r\n\r\n{}"
    bodies = [body for byte in data for body in decoder.feed(bytes([byte]))]
    assert bodies == [b"{}"] and decoder.error is None


def test_absurd_content_length_is_refused_without_allocating() -> None:
    from poolctl.errors import FrameTooLarge

    decoder = get_framing("content-length").decoder(max_frame=1024)
    decoder.feed(b"Content-Length: 99999999999\r\n\r\n{")
    assert isinstance(decoder.error, FrameTooLarge) and decoder.error.length == 99_999_999_999


def test_explain_content_length_text_and_other_framings() -> None:
    text = explain(b"pylsp starting\nContent-Length: 2\r\n\r\n{}", "content-length")
    assert text.kind == "text" and "'pylsp starting'" in text.text
    assert "a Content-Length header follows after 15 bytes of text" in text.text
    assert explain(b'{"jsonrpc":"2.0"}\n', "content-length").other_framing == "line"
    assert explain(b"Content-Length: 2\r\n\r\n{}", "line").other_framing == "content-length"
    assert explain(b"Content-Length: 2\r\n\r\n{}", "packet-4").other_framing == "content-length"
    # what the bytes are, whole: a verdict quotes it (it was cut at the header's own colon)
    what = explain(b"Content-Length: 2\r\n\r\n{}", "line").what
    assert what == "a content-length message ('Content-Length: 2\\r\\n\\r\\n') holding JSON"


def test_a_json_frame_over_the_maximum_is_a_frame_too_large_not_text() -> None:
    """A 70 MB answer, framed right: its header counts the JSON after it (it was "text", and the
    worker told to send its logs to stderr). Its first bytes are the start of that JSON, not a
    whole message (which would be a header miscounting it: the test below)."""
    body = b'{"id": 1, "success": true, "result": {"blob": "xxxx'
    header = (70 * 1024 * 1024).to_bytes(4, "big")
    e = explain(header + body, "packet-4")
    assert e.kind == "too-large" and e.declared_length == 70 * 1024 * 1024
    assert e.text == (
        "a packet-4 frame of 73,400,320 bytes of JSON (its header '\\x04`\\x00\\x00'), over the "
        "67,108,864-byte maximum a frame may have here"
    )


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (b"\xff\xff\xff\xf0", "4,294,967,280 bytes, -16 as a signed number"),
        ((70 * 1024 * 1024).to_bytes(4, "big"), "73,400,320 bytes"),
    ],
)
def test_a_header_far_over_the_whole_json_behind_it_miscounts_it(header: bytes, said: str) -> None:
    """A whole 9-byte JSON message behind a header announcing gigabytes: no message too large
    (whose fix is to send less), a header that does not count its message."""
    e = explain(header + b'{"id": 1}', "packet-4")
    assert e.kind == "too-large" and e.whole_json == 9
    assert e.text == (
        f"a packet-4 header announcing {said} (its header {quote(header)}), before a whole JSON "
        "message of 9 bytes: the header does not count the message it leads"
    )


@pytest.mark.parametrize("over", [1, 7])
def test_a_header_a_few_bytes_over_the_whole_json_behind_it_miscounts_it(over: int) -> None:
    """Within the maximum too: a whole message, and nothing after it, is no frame on its way
    (it was "a truncated frame", and the worker said to wait for more input)."""
    header = (9 + over).to_bytes(2, "big")
    e = explain(header + b'{"id": 1}', "packet-2")
    assert e.kind == "too-large" and e.whole_json == 9
    assert e.text.startswith(f"a packet-2 header announcing {9 + over} bytes (its header ")
    # JSON cut short, or a message with more behind it, is still a frame on its way
    assert explain(header + b'{"id": ', "packet-2").kind == "truncated"
    assert explain(header + b'{"id": 1}x', "packet-2").whole_json == 0


def test_a_content_length_over_or_under_the_whole_json_behind_it_miscounts_it() -> None:
    """It was "an incomplete content-length message", both ways."""
    body = b'{"id": 1}'
    e = explain(b"Content-Length: 12\r\n\r\n" + body, "content-length")
    assert e.kind == "too-large" and e.whole_json == 9 and e.declared_length == 12
    assert explain(b'Content-Length: 12\r\n\r\n{"id"', "content-length").kind == "truncated"
    stream = b"Content-Length: 5\r\n\r\n" + body
    cut = header_cut_short(stream, body[:5], get_framing("content-length"))
    assert cut is not None and cut.kind == "too-small" and cut.whole_json == 9
    assert cut.text.endswith("the 4 byte(s) it leaves out (': 1}') are read as the next frame")


def test_a_header_under_the_whole_json_behind_it_cuts_it_short() -> None:
    """A header counting 5 bytes of a 9-byte message: the frame read is no JSON, and the rest
    reads as the next frame's header (it was "text before the first message")."""
    stream = b"\x00\x00\x00\x05" + b'{"id": 1}' + b"\x00\x00\x00\x02{}"
    e = header_cut_short(stream, b'{"id"', get_framing("packet-4"))
    assert e is not None and e.kind == "too-small" and e.whole_json == 9
    assert e.text == (
        "a packet-4 header announcing 5 bytes (its header '\\x00\\x00\\x00\\x05') before a "
        "whole JSON message of 9 bytes: the header does not count the message it leads, and the "
        "4 byte(s) it leaves out (': 1}') are read as the next frame"
    )
    # a frame that is no JSON, and no message runs on past it: no miscount
    assert header_cut_short(b"\x00\x00\x00\x02ab{}", b"ab", get_framing("packet-4")) is None
    assert header_cut_short(stream, b'{"id"', get_framing("line")) is None


def test_text_without_its_newline_in_line_framing_is_text_not_a_line_on_its_way() -> None:
    """A banner printed without its newline: it was "an unterminated line" (and the worker said
    to wait for more input); JSON without its newline yet is still a line on its way."""
    what = explain(b"Loading model...", "line")
    assert what.kind == "text"
    assert what.text.startswith("text that is not JSON, 'Loading model...': no newline arrived")
    assert explain(b"\x89PNG\r\x1a", "line").kind == "binary"
    assert explain(b'{"id": 1, "succ', "line").kind == "truncated"


def test_what_cannot_start_a_header_is_not_an_incomplete_content_length_message() -> None:
    """No line end has come, but no header begins so: it was "an incomplete content-length
    message", and the worker said to wait for more input."""
    banner = explain(b"Starting server...", "content-length")
    assert banner.kind == "text"
    assert banner.text.startswith(
        "text where a Content-Length header should start: 'Starting server...' (no line end"
    )
    assert explain(b"{c$\xaa\x8f", "content-length").kind == "binary"
    assert explain(b'{"jsonrpc": "2.0"', "content-length").kind == "json-without-header"
    for start in (b"Content-Le", b"Content-Length: 4", b"X-Foo"):  # a header may follow
        assert explain(start, "content-length").kind == "truncated"


def test_a_rich_box_is_text_and_quoted_as_text() -> None:
    box = "╭──── MCP ────╮\n│ server │\n".encode()
    what = explain(box, "line")
    assert what.kind == "text" and "'╭──── MCP ────╮'" in what.text
