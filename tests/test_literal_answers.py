"""An answer printed as its language's own literal of a map, not as JSON: Ruby's `puts answer`
(or `answer.to_s`) writes `{"id"=>1, "success"=>true}`, Python's `print(answer)` writes `{'id':
1, 'success': True}`. Before, a line worker's was 'prints text to its framed stdout … before
its first message', told to send banners and logs to stderr; a packet-4 worker's was 'a frame
that is not its answer: response is not JSON', told to answer in the dspex envelope; and
doctor's Output hygiene told the packet-4 one to write its logs to stderr."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from poolctl.protocol import parse_message
from poolctl.protocol.messages import PYTHON_REPR, RUBY_INSPECT, Misencoded, NotJSON
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

ruby = pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
RUBY = str(WORKERS / "ruby_puts_hash.rb")


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        (b'{"id"=>1, "success"=>true, "result"=>{"status"=>"ok"}}', RUBY_INSPECT),
        (b'{"id" => 1, "success" => true}', RUBY_INSPECT),  # Ruby 3.4's inspect
        (b"{'id': 1, 'success': True, 'result': None}", PYTHON_REPR),
        (b'{:id=>1, :success=>true, :result=>{:status=>"ok"}}', RUBY_INSPECT),  # symbol keys
        (b'{id: 1, success: true, result: {status: "ok"}}', RUBY_INSPECT),  # Ruby 3.4's
    ],
)
def test_a_literal_of_the_answer_is_named_by_its_language(payload: bytes, said: str) -> None:
    for expected in (1, None):  # a pool's reader expects no id
        with pytest.raises(Misencoded, match=said):
            parse_message(payload, expected)


def test_node_s_inspect_of_an_object_is_no_ruby_hash() -> None:
    """Ruby 3.4 writes a symbol-keyed Hash `{id: 1, …}`; Node's util.inspect `{ id: 1, … }`."""
    for payload in (b"{ id: 1, success: true }", b"{ success: true, id: 1 }"):
        with pytest.raises(NotJSON) as raised:
            parse_message(payload, 1)
        assert not isinstance(raised.value, Misencoded)


def test_another_request_s_literal_is_no_answer() -> None:
    with pytest.raises(NotJSON) as raised:
        parse_message(b'{"id"=>2, "success"=>true}', 1)
    assert not isinstance(raised.value, Misencoded)


@ruby
@pytest.mark.parametrize("framing", ["line", "packet-4"])
def test_a_ruby_hash_written_as_it_inspects_is_told_json_generate(
    run_cli: RunCli, framing: str
) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--framing", framing, "--", "ruby", RUBY, framing)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert (
        "request and answered in a frame no client can read: response is not JSON but a Ruby "
        'Hash\'s inspect form: b\'{"id"=>1, "success"=>true'
    ) in d["cause"]
    assert d["remediation"].startswith("Write each answer as JSON: `puts JSON.generate(answer)`")


@ruby
@pytest.mark.parametrize("framing", ["line", "packet-4"])
def test_a_ruby_hash_with_symbol_keys_is_told_json_generate(run_cli: RunCli, framing: str) -> None:
    """`{id: request["id"], success: true}` written with `puts` inspects as `{:id=>1, …}`
    (Ruby 3.1 here): it was 'prints text to its framed stdout' in line framing, 'response is not
    JSON' with the envelope's fix in packet-4."""
    argv = ("ruby", RUBY, framing, "symbols")
    d = diagnose(run_cli, "--timeout", "2", "--framing", framing, "--", *argv)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert (
        "response is not JSON but a Ruby Hash's inspect form: b'{:id=>1, :success=>true"
        in (d["cause"])
    )
    assert d["remediation"].startswith("Write each answer as JSON: `puts JSON.generate(answer)`")


def test_a_python_dict_printed_is_told_json_dumps(run_cli: RunCli) -> None:
    worker = str(WORKERS / "prints_a_dict.py")
    d = diagnose(run_cli, "--timeout", "2", "--framing", "line", "--", sys.executable, worker)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert "response is not JSON but a Python dict's repr: b\"{'id': 1" in d["cause"]
    assert "`print(json.dumps(answer), flush=True)`" in d["remediation"]


@ruby
def test_doctor_finds_no_stray_text_in_it(run_cli: RunCli) -> None:
    _, out, _ = run_cli("doctor", "--timeout", "2", "--", "ruby", RUBY, "packet-4")
    assert "no stray text on stdout: what came is a frame answering no request" in out, out
    assert "write logs and banners to stderr" not in out
    assert "`puts JSON.generate(answer)`" in out


@ruby
def test_a_pool_of_them_is_told_json_generate(run_cli: RunCli, tmp_path: Path) -> None:
    scenario = tmp_path / "ruby.yaml"
    scenario.write_text(
        "name: ruby-puts-hash\n"
        f"worker: {{command: [ruby, {RUBY}, line], framing: line, init_timeout: 2}}\n"
        "pool: {size: 1, checkout_timeout: 1}\n"
        "steps:\n"
        "  - request: {command: ping}\n"
    )
    argv = ("run-scenario", str(scenario), "--no-history", "--run-dir", str(tmp_path / "r"))
    _, out, _ = run_cli(*argv)
    assert "`puts JSON.generate(answer)`" in out, out
    assert "Send banners and logs to stderr" not in out
