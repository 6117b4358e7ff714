"""Doctor's reading of a scenario: unknown `pool:` keys in block or flow style are ✗ checks with
their own line; any other error names file, line and key path; the file is parsed once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml

from poolctl import yamlfile
from poolctl.cli import main
from poolctl.doctor.pool_settings import load_for_doctor
from poolctl.errors import InputError
from poolctl.patterns import load_patterns
from tests.conftest import Processes

WORKER = "worker: {command: ['{python}', '-m', 'poolctl.workers.reference'], init_timeout: 5}\n"
QUOTA_PATTERN = """\
id: quota-exceeded
number: 8
title: The tenant's quota is used up
summary: The worker rejects requests once the tenant's quota is used up.
signals:
  - regex: 'quota exceeded for tenant \\w+'
    weight: 0.9
    why: the worker says the tenant's quota is used up
remediation: Raise the tenant's quota.
"""


def scenario(tmp_path: Path, rest: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text("name: doctor-test\n" + WORKER + rest)
    return path


@pytest.mark.parametrize(
    ("pool", "line", "means"),
    [
        ("pool:\n  size: 2\n  sizee: 3\n", 5, "size"),  # block
        ("pool: {size: 2, sizee: 3}\n", 3, "size"),  # flow, one line
        ("pool: {size: 2,\n  connectionTimeout: 30000}\n", 4, "checkout_timeout"),  # flow, two
        ("pool: {pool_size: 4}\n", 3, "size"),  # flow, every key unknown
    ],
)
def test_unknown_pool_keys_in_block_or_flow_style_are_findings_with_their_line(
    tmp_path: Path, pool: str, line: int, means: str
) -> None:
    path = scenario(tmp_path, pool)
    loaded, unknown = load_for_doctor(path)
    (setting,) = unknown
    assert (setting.line, setting.file, setting.means) == (line, str(path), means)
    assert loaded.path == path and loaded.pool.size == 2


@pytest.mark.parametrize(
    ("rest", "where"),
    [
        ("pool: {pool_size: 4, size: zero}\n", "3: pool.size: Input should be a valid integer"),
        ("pool:\n  pool_size: 4\n  size: zero\n", "5: pool.size: Input should be a valid integer"),
        (
            "steps: [{request: {command: ping,\n  count: many}}]\n",
            "4: steps[0].request.count: Input should be a valid integer",
        ),
        (
            "steps:\n  - request: {command: ping, expect: {fields: [a, [b]]}}\n",
            "4: steps[0].request.expect.fields[1]: Input should be a valid string",
        ),
        ("expect: {outcom: ok}\n", "3: expect.outcom: unknown key (did you mean 'outcome'?)"),
        (
            "expect:\n  patterns: [port-no-respons]\n",
            "4: expect.patterns[0]: unknown pattern id 'port-no-respons' (did you mean "
            "'port-no-response'?); known: port-no-response, ",
        ),
    ],
)
def test_other_errors_name_file_line_and_key_path(tmp_path: Path, rest: str, where: str) -> None:
    path = scenario(tmp_path, rest)
    with pytest.raises(InputError) as err:
        load_for_doctor(path)
    assert str(err.value).startswith(f"{path}:{where}"), str(err.value)


def test_the_file_is_parsed_once_and_never_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[object] = []
    compose = yamlfile.Loader.get_single_node

    def counted(loader: yaml.SafeLoader) -> object:
        parses.append(loader)
        return compose(loader)

    def no_copy(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scenario is re-read through a temporary copy")

    monkeypatch.setattr(yamlfile.Loader, "get_single_node", counted)
    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_copy)
    monkeypatch.setattr(tempfile, "mkdtemp", no_copy)
    _, unknown = load_for_doctor(scenario(tmp_path, "pool: {size: 2, sizee: 3}\n"))
    assert len(parses) == 1 and [u.key for u in unknown] == ["sizee"]


def test_a_scenario_may_expect_a_user_pattern(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "quota.yaml").write_text(QUOTA_PATTERN)
    path = scenario(tmp_path, "expect:\n  patterns: [quota-exceeded]\n")
    loaded, _ = load_for_doctor(path, load_patterns([folder]))
    assert loaded.expect.patterns == ["quota-exceeded"]
    with pytest.raises(InputError, match=r":4: expect.patterns\[0\]: unknown pattern id"):
        load_for_doctor(path)


def test_the_cli_shows_a_flow_style_unknown_key_as_a_failed_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "quota.yaml").write_text(QUOTA_PATTERN)
    path = scenario(
        tmp_path, "pool: {size: 2,\n  sizee: 3}\nexpect: {patterns: [quota-exceeded]}\n"
    )
    code = main(["doctor", str(path), "--patterns", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "[✗] Pool settings" in out
    assert f"✗ pool.sizee ({path}:4) is not a pool setting: a typo for size?" in out
    assert "• rename sizee to size" in out


def test_the_cli_takes_patterns_for_the_scenarios_expectations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = scenario(tmp_path, "expect:\n  patterns: [quota-exceeded]\n")
    assert main(["doctor", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: expect.patterns[0]: unknown pattern id 'quota-exceeded'" in err
    assert "known: port-no-response" in err and err.count("\n") == 1


@pytest.mark.parametrize(("cores", "status"), [(2, "fail"), (256, "ok")])
def test_a_lazy_pool_s_burst_of_starts_shares_the_cpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int, status: str
) -> None:
    """120 callers to a lazy pool of 120 start 120 workers at once: on 2 CPUs the last one
    waits up to 60 inits (a run timed out 62 of 120 checkouts that a lone init said were fine)."""
    from poolctl.doctor import pool_settings

    path = scenario(
        tmp_path,
        "pool: {size: 120, lazy: true, checkout_timeout: 2}\n"
        "steps:\n  - request: {command: ping, count: 120, concurrency: 120}\n",
    )
    loaded, unknown = load_for_doctor(path)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    checks = pool_settings.check_pool(loaded, unknown, init_s=0.3).checks
    [start] = [c for c in checks if c.name == "start"]
    assert start.status == status
    if status == "fail":
        assert "120 starting at once share 2 CPU(s), so the last may wait up to 60 inits" in (
            start.summary
        )


@pytest.mark.parametrize(("lazy", "status"), [("false", "warn"), ("true", "fail")])
def test_overflow_callers_of_an_eager_pool_may_take_a_worker_checked_in(
    tmp_path: Path, lazy: str, status: str
) -> None:
    """An eager pool's overflow callers take the first worker checked in, busy or new: an init
    slower than the checkout timeout is a risk, not a certain timeout (a run of it passed 3 of
    3, and doctor's own advice, more overflow, turned a `!` into a `✗`). A lazy pool's first
    callers do wait for an init."""
    from poolctl.doctor import pool_settings

    path = scenario(
        tmp_path,
        f"pool: {{size: 2, max_overflow: 2, lazy: {lazy}, checkout_timeout: 0.5}}\n"
        "steps:\n  - request: {command: ping, count: 8, concurrency: 4}\n",
    )
    loaded, unknown = load_for_doctor(path)
    checks = pool_settings.check_pool(loaded, unknown, init_s=1.6).checks
    [start] = [c for c in checks if c.name == "start"]
    assert start.status == status, start.summary
