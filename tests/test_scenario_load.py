"""Scenario files: errors name file, line and key; `--check` validates without running."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from poolctl import yamlfile
from poolctl.cli import main
from poolctl.errors import InputError
from poolctl.patterns import load_patterns
from poolctl.scenario import RequestStep, bundled_scenarios, load_scenario
from poolctl.scenario.load import reproduce_command
from poolctl.scenario.schema import KillWorkerStep

KB = load_patterns()

GOOD = """\
name: t
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool:
  size: 2
steps:
  - request: {command: ping, count: 3, concurrency: 2, session: "s{i}"}
  - sleep: 0.1
expect:
  outcome: ok
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, text))
    return str(info.value)


def test_a_good_scenario_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.name == "t"
    assert scenario.pool.size == 2
    kinds = [kind for kind, _ in scenario.steps]
    assert kinds == ["request", "sleep"]
    step = scenario.steps[0][1]
    assert isinstance(step, RequestStep) and step.session == "s{i}"
    assert scenario.worker_spec().argv[1:] == ("-m", "poolctl.workers.reference")
    assert scenario.peak_concurrency() == 2


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("  size: 2", "  sizee: 2"))
    assert (
        message == f"{tmp_path / 'scenario.yaml'}:5: pool.sizee: unknown key (did you mean 'size'?)"
    )


def test_negative_size_names_line_and_path(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("size: 2", "size: -1"))
    assert ":5: pool.size: Input should be greater than or equal to 1" in message


FINITE = "Input should be a finite number"
AT_MOST = "Input should be less than or equal to"


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("size: 2", "size: 2\n  request_timeout: .inf", f":6: pool.request_timeout: {FINITE}"),
        ("size: 2", "size: 2\n  checkout_timeout: 1e400", f":6: pool.checkout_timeout: {FINITE}"),
        ("sleep: 0.1", "sleep: .nan", f":8: steps[1].sleep: {FINITE}"),
        ("sleep: 0.1", "sleep: 90000", f":8: steps[1].sleep: {AT_MOST} 86400"),
        ("count: 3", "count: 1000000000000", f":7: steps[0].request.count: {AT_MOST} 10000000"),
        ("concurrency: 2", "concurrency: 100000", f":7: steps[0].request.concurrency: {AT_MOST}"),
        ("size: 2", "size: 5000", f":5: pool.size: {AT_MOST} 1000"),
    ],
)
def test_numbers_no_run_can_mean_name_their_line(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    """An endless wait, or a count that would never end or would fill the memory, is a typo."""
    assert said in error_of(tmp_path, GOOD.replace(old, new))


def test_wrong_type_in_a_step(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("count: 3", "count: many"))
    assert ":7: steps[0].request.count: Input should be a valid integer" in message


def test_unknown_step_kind_suggests(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("  - sleep: 0.1", "  - slep: 0.1"))
    assert ":8: steps[1].slep: unknown step (did you mean 'sleep'?)" in message


def test_missing_command(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        GOOD.replace(
            '  command: ["{python}", "-m", "poolctl.workers.reference"]\n', "  framing: line\n"
        ),
    )
    assert "worker.command: required key is missing" in message


def test_command_not_found(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        GOOD.replace('["{python}", "-m", "poolctl.workers.reference"]', "no-such-worker --x"),
    )
    assert ":3: worker.command: command not found on PATH: no-such-worker" in message


SERVICE = "services:\n  bridge: {command: %s}\n"


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('["{python}", "-m", "poolctl.workers.reference"]', "'\\'", ":3: worker.command: the"),
        ('["{python}", "-m", "poolctl.workers.reference"]', "'\"x'", ":3: worker.command: the"),
        ('["{python}", "-m", "poolctl.workers.reference"]', '["", "x"]', ":3: worker.command: the"),
        ('["{python}", "-m", "poolctl.workers.reference"]', "'  '", ":3: worker.command: the"),
        ("pool:", SERVICE % "''" + "pool:", ":5: services.bridge.command: the command is empty"),
        ("pool:", SERVICE % "'a \"b'" + "pool:", ":5: services.bridge.command: the command can"),
        ('"-m", "poolctl', '"-m\\0", "poolctl', ":3: worker.command: the command holds a NUL byte"),
    ],
    ids=["backslash", "open-quote", "empty-word", "blank", "empty-service", "service-quote", "nul"],
)
def test_a_command_no_program_can_be_run_from_names_its_line(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    """A command string a shell could not split (a trailing backslash, an open quote), or one
    naming no program, is an error at its line (they were internal errors: fuzzed scenarios)."""
    assert said in error_of(tmp_path, GOOD.replace(old, new))


def test_a_script_whose_interpreter_is_missing_names_its_line(tmp_path: Path) -> None:
    script = tmp_path / "worker.sh"
    script.write_bytes(b"#!/no/such/interpreter\n")
    script.chmod(0o755)
    message = error_of(
        tmp_path, GOOD.replace('["{python}", "-m", "poolctl.workers.reference"]', str(script))
    )
    assert ":3: worker.command: " in message and "which does not exist" in message


def test_a_variable_holding_a_nul_byte_names_its_line(tmp_path: Path) -> None:
    """No program can be given it (it was an internal error when the pool started)."""
    message = error_of(tmp_path, GOOD.replace("pool:", '  env: {MODE: "a\\0b"}\npool:'))
    assert ":4: worker.env: " in message and "the variable 'MODE' holds a NUL byte" in message


@pytest.mark.parametrize("name", ["A=B", ""])
def test_a_variable_name_no_environment_can_hold_names_its_line(tmp_path: Path, name: str) -> None:
    """`A=B` was an internal error when the pool started (the system splits at the first `=`)."""
    message = error_of(tmp_path, GOOD.replace("pool:", f'  env: {{"{name}": x}}\npool:'))
    assert message.endswith(
        f":4: worker.env: {name!r} is no variable's name: a name is not empty and holds no '=' "
        "(the environment is NAME=VALUE, split at the first '=')"
    ), message


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            "{BIG: %s}" % ("x" * 200_000),
            "its variable BIG is 200,004 bytes, over the kernel's limit",
        ),
        (
            "{" + ", ".join(f"V{i}: {'y' * 100_000}" for i in range(25)) + "}",
            "come to 2,",
        ),
    ],
    ids=["one-variable", "all-of-them"],
)
def test_an_environment_too_large_to_start_names_its_line(
    tmp_path: Path, env: str, said: str
) -> None:
    """execve refuses (E2BIG) a variable over 128 KiB, or all of them over ARG_MAX: it passed
    --check and ended the run in an internal error."""
    message = error_of(tmp_path, GOOD.replace("pool:", f"  env: {env}\npool:"))
    assert ":4: worker.env: " in message and said in message and "Argument list too long" in message


def test_a_script_without_its_x_bit_names_its_line(tmp_path: Path) -> None:
    """It passed, and the pool's workers could not start."""
    script = tmp_path / "worker.sh"
    script.write_bytes(b"#!/bin/sh\ncat\n")
    script.chmod(0o644)
    command = GOOD.replace('["{python}", "-m", "poolctl.workers.reference"]', str(script))
    assert ":3: worker.command: " in error_of(tmp_path, command)
    assert "is not executable (chmod +x" in error_of(tmp_path, command)


def test_placeholders_are_filled_in_env_and_cwd_and_a_missing_cwd_names_its_line(
    tmp_path: Path,
) -> None:
    """`{scenario_dir}` was filled in the command only: a PYTHONPATH or a cwd kept it as text."""
    text = GOOD.replace(
        "pool:", '  env: {PYTHONPATH: "{scenario_dir}/lib"}\n  cwd: "{scenario_dir}"\npool:'
    )
    spec = load_scenario(write(tmp_path, text)).worker_spec()
    assert spec.env["PYTHONPATH"] == f"{tmp_path}/lib" and spec.cwd == str(tmp_path)
    missing = GOOD.replace("pool:", "  cwd: /no/such/dir\npool:")
    assert ":4: worker.cwd: no such directory: /no/such/dir" in error_of(tmp_path, missing)
    # a file is there, but no directory: said so, not "no such directory"
    (tmp_path / "a-file").write_text("")
    a_file = GOOD.replace("pool:", f"  cwd: {tmp_path / 'a-file'}\npool:")
    assert f":4: worker.cwd: not a directory: {tmp_path / 'a-file'}" in error_of(tmp_path, a_file)


def test_a_relative_cwd_beside_the_scenario_says_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative `cwd` is taken from where poolctl runs: one that only the scenario's folder
    holds said "no such directory: srv", and the scenario ran from one directory alone."""
    (tmp_path / "srv").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    message = error_of(tmp_path, GOOD.replace("pool:", "  cwd: srv\npool:"))
    assert message.endswith(
        f":4: worker.cwd: no such directory: srv (from the current directory {elsewhere}; "
        "the scenario's folder holds it: write {scenario_dir}/srv)"
    )


def test_unknown_framing(tmp_path: Path) -> None:
    assert "unknown framing 'packet-3'" in error_of(
        tmp_path, GOOD.replace("pool:", "  framing: packet-3\npool:")
    )


def test_an_unknown_pattern_id_names_its_line_and_the_known_ids(tmp_path: Path) -> None:
    bad = GOOD.replace(
        "  outcome: ok", "  patterns:\n    - port-no-response\n    - checkout-timeout-waiter"
    )
    message = error_of(tmp_path, bad)
    assert message.startswith(
        f"{tmp_path / 'scenario.yaml'}:12: expect.patterns[1]: unknown pattern id "
        "'checkout-timeout-waiter' (did you mean 'checkout-timeout-waiters'?); known: "
        "port-no-response, pool-shutdown-during-checkout, checkout-timeout-waiters, "
    ), message
    assert message.endswith("dependency-not-started")


def test_require_service_must_be_declared(tmp_path: Path) -> None:
    text = GOOD.replace("  - sleep: 0.1", "  - require_service: bridge_mok")
    text += "services:\n  bridge_mock:\n    command: [sleep, '10']\n"
    assert "no service named 'bridge_mok' (did you mean 'bridge_mock'?)" in error_of(tmp_path, text)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "worker:\n  command: [a, b\npool: {size: 1}\n")
    assert "invalid YAML" in message and "scenario.yaml:" in message


def test_every_bundled_scenario_is_valid() -> None:
    paths = bundled_scenarios()
    assert len(paths) >= 12
    names = {load_scenario(p).name for p in paths}
    assert "healthy" in names
    expected = {p for path in paths for p in load_scenario(path).expect.patterns}
    assert len(expected) == 7, "every pattern has a bundled scenario"


def test_check_validates_without_running(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["run-scenario", "--check", str(write(tmp_path, GOOD))]) == 0
    assert "valid, 2 step(s), expects outcome ok" in capsys.readouterr().out
    bad = write(tmp_path, GOOD.replace("size: 2", "size: -2"))
    assert main(["run-scenario", "--check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pool.size" in err and "Traceback" not in err


FLOW = """\
name: t
worker: {command: ["{python}", "-m", "poolctl.workers.reference"],
  init_timeout: 5}
pool: {size: 2,
  max_overflow: 0}
steps: [{request: {command: ping,
  count: 3}}, {sleep: 0.1}]
services: {bridge: {command: [sleep, "10"]}}
expect: {outcome: ok}
"""


@pytest.mark.parametrize(
    ("text", "edit", "where"),
    [
        # block style
        (GOOD, ("  size: 2", "  sizee: 2"), "5: pool.sizee: unknown key (did you mean 'size'?)"),
        (GOOD, ("size: 2", "size: two"), "5: pool.size: Input should be a valid integer"),
        (
            GOOD,
            ("count: 3", "count: 3, expect: {feilds: [a]}"),
            "7: steps[0].request.expect.feilds: unknown key (did you mean 'fields'?)",
        ),
        (
            GOOD,
            ('"-m", "poolctl', '3, "poolctl'),
            "3: worker.command[1]: must be a string: quote it ('3', not a bare value)",
        ),
        (GOOD, ("sleep: 0.1", "sleep: -1"), "8: steps[1].sleep: Input should be greater than"),
        (
            GOOD,
            ("  size: 2", "  sizee: 2\n  lazzy: true"),
            "5: pool.sizee: unknown key (did you mean 'size'?) (and 1 more)",
        ),
        # flow style: each key on its own line of a multi-line mapping
        (FLOW, ("size: 2", "sizee: 2"), "4: pool.sizee: unknown key (did you mean 'size'?)"),
        (
            FLOW,
            ("max_overflow: 0", "max_overflw: 0"),
            "5: pool.max_overflw: unknown key (did you mean 'max_overflow'?)",
        ),
        (FLOW, ("init_timeout: 5", "init_timeout: soon"), "3: worker.init_timeout: Input should"),
        (FLOW, ("count: 3", "count: many"), "7: steps[0].request.count: Input should be a valid"),
        (
            FLOW,
            ('[sleep, "10"]', '[sleep, ["10"]]'),
            "8: services.bridge.command[1]: Input should be a valid string",
        ),
        (
            FLOW,
            ("{bridge: {command:", "{bridge: {comand:"),
            "8: services.bridge.comand: unknown key (did you mean 'command'?)",
        ),
        (FLOW, ("{outcome: ok}", "{outcome: fine}"), "9: expect.outcome: Input should be 'ok'"),
        (FLOW, ("init_timeout: 5}", "init_timeout: 5, framin: line}"), "3: worker.framin: unknown"),
    ],
)
def test_schema_errors_name_the_line_and_key_path_in_block_and_flow_style(
    tmp_path: Path, text: str, edit: tuple[str, str], where: str
) -> None:
    assert edit[0] in text
    assert error_of(tmp_path, text.replace(*edit)).startswith(
        f"{tmp_path / 'scenario.yaml'}:{where}"
    )


def test_the_flow_style_scenario_is_valid(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, FLOW))
    assert [kind for kind, _ in scenario.steps] == ["request", "sleep"]
    assert scenario.worker.init_timeout == 5 and scenario.pool.max_overflow == 0


def test_each_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[object] = []
    compose = yamlfile.Loader.get_single_node

    def counted(loader: yaml.SafeLoader) -> object:
        parses.append(loader)
        return compose(loader)

    monkeypatch.setattr(yamlfile.Loader, "get_single_node", counted)
    load_scenario(write(tmp_path, GOOD), KB)
    assert len(parses) == 1


def test_a_misspelt_key_is_one_mistake_and_other_mistakes_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    misspelt = FLOW.replace("{bridge: {command:", "{bridge: {comand:")
    assert error_of(tmp_path, misspelt) == (
        f"{path}:8: services.bridge.comand: unknown key (did you mean 'command'?)"
    )
    two = misspelt.replace("{outcome: ok}", "{outcome: fine}")
    assert error_of(tmp_path, two).endswith("(did you mean 'command'?) (and 1 more)")


def test_the_reproduce_line_of_a_path_with_a_space_pastes_as_one_argument(tmp_path: Path) -> None:
    """It was `poolctl run-scenario /tmp/my scenarios/s.yaml`: pasted, "no bundled scenario"."""
    path = tmp_path / "my scenarios" / "s.yaml"
    assert reproduce_command(path) == f"poolctl run-scenario '{path}'"
    assert reproduce_command(bundled_scenarios()[0]).count("'") == 0


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            '  command: ["{python}", "-m", "poolctl.workers.reference"]\n',
            "  python3 -m poolctl.workers.reference\n",
            ":2: worker: must be a mapping of keys (`command`, `protocol`",
        ),
        ("  size: 2", "  2", ":4: pool: must be a mapping of keys (`size`, `max_overflow`"),
        ("  - sleep: 0.1", "  - request:\n    command: ping", "this one has 2 (request, command)"),
    ],
    ids=["worker-a-string", "pool-a-string", "step-keys-beside"],
)
def test_a_first_draft_mistake_says_what_to_write(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    """Said in the README's words, not pydantic's (`Input should be a valid dictionary or
    instance of WorkerSection`)."""
    message = error_of(tmp_path, GOOD.replace(old, new))
    assert said in message and "instance of" not in message


def test_a_signal_may_be_its_number_and_an_env_value_must_be_quoted(tmp_path: Path) -> None:
    step = GOOD.replace("  - sleep: 0.1", "  - kill_worker: {signal: 9}")
    [_, (_, kill)] = load_scenario(write(tmp_path, step)).steps
    assert isinstance(kill, KillWorkerStep) and kill.signal == "SIGKILL"
    env = GOOD.replace("pool:", "  env: {DEBUG: 1}\npool:")
    assert "worker.env.DEBUG: must be a string: quote it ('1', not a bare value)" in error_of(
        tmp_path, env
    )
