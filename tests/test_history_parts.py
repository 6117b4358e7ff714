"""The run history's parts that need no server: where the store is, what a run records about
where it ran, when a test is flaky, the passes read from real logs, and what a command does
when the store cannot be used (one line, exit 2, the report printed all the same)."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from poolctl.errors import UsageProblem
from poolctl.history.flaky import Outcome, flips, parse_duration, window_from_env
from poolctl.history.identity import CaseId, case_id, failure_id
from poolctl.history.location import default_location, parse_location, project_root, resolve
from poolctl.history.runmeta import git_state, run_meta
from poolctl.history.views import sparkline
from poolctl.logs import passes, read_logs
from poolctl.logs.passes import read_passes
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from poolctl.triage.normalize import short_hash
from tests.conftest import RunCli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FLAKY_JUNIT = [FIXTURES / "junit" / "flaky" / f"run{n}.xml" for n in (1, 2, 3)]
FLAKY_PYTEST = [FIXTURES / "pytest" / "flaky" / f"run{n}.txt" for n in (1, 2, 3)]


def rows(store: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(store) as conn:
        return conn.execute(sql).fetchall()


# --- where the store is -------------------------------------------------------------------
def test_locations_a_user_may_write(tmp_path: Path) -> None:
    assert parse_location("h.sqlite").url == "sqlite:///h.sqlite"
    assert parse_location("sqlite:///rel/h.sqlite").sqlite_path == Path("rel/h.sqlite")
    assert parse_location("sqlite:////abs/h.sqlite").sqlite_path == Path("/abs/h.sqlite")
    pg = parse_location("postgres://ci:Hunter2-secret@db.example:5432/poolctl?sslmode=require")
    assert pg.backend == "postgresql"
    assert (
        pg.url == "postgresql+psycopg://ci:Hunter2-secret@db.example:5432/poolctl?sslmode=require"
    )
    assert pg.display == "postgres://ci:[redacted]@db.example:5432/poolctl?sslmode=require"
    query = parse_location("postgresql://ci@db/poolctl?password=Hunter2-secret&sslmode=require")
    assert "Hunter2" not in query.display and "sslmode=require" in query.display
    for bad, why in (
        ("mysql://u@h/db", "unknown history URL scheme 'mysql://'"),
        ("  ", "an empty history location"),
        ("sqlite:///", "sqlite:/// needs a file path"),
    ):
        with pytest.raises(UsageProblem, match=why):
            parse_location(bad)


def test_the_default_store_is_in_the_project_the_git_top_level(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    deep = repo / "a" / "b"
    deep.mkdir(parents=True)
    (repo / ".git").mkdir()
    assert project_root(deep) == repo.resolve()
    assert default_location(deep).sqlite_path == repo.resolve() / ".poolctl" / "history.sqlite"
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /elsewhere/.git/worktrees/w\n")  # a file marks it too
    assert project_root(worktree) == worktree.resolve()
    outside = tmp_path / "plain"
    outside.mkdir()
    assert project_root(outside) in (outside.resolve(), *outside.resolve().parents)


def test_history_flag_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POOLCTL_HISTORY", "/from/env.sqlite")
    assert resolve(None).sqlite_path == Path("/from/env.sqlite")
    assert resolve("sqlite:////from/flag.sqlite").sqlite_path == Path("/from/flag.sqlite")
    monkeypatch.setenv("POOLCTL_HISTORY", "ftp://nope")
    with pytest.raises(UsageProblem, match="POOLCTL_HISTORY: unknown history URL scheme"):
        resolve(None)


def test_triage_with_no_setting_writes_to_the_project_store(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo / "sub")
    monkeypatch.delenv("POOLCTL_HISTORY")
    code, _, err = cli("triage", str(FLAKY_JUNIT[0]), "--no-history")
    assert code == 1 and not (repo / ".poolctl").exists()
    code, _, err = cli("triage", str(FLAKY_JUNIT[0]))
    assert code == 1, err
    store = repo / ".poolctl" / "history.sqlite"
    assert rows(store, "SELECT kind, verdict, failures, passed FROM runs") == [
        ("triage", "failed", 2, 1)
    ]


# --- what a run records about where it ran ------------------------------------------------
def test_commit_and_branch_are_read_from_the_git_files(tmp_path: Path) -> None:
    sha = "3f1c2a9e" * 5
    git = tmp_path / "repo" / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(sha + "\n")
    assert git_state(tmp_path / "repo") == (sha, "main")
    (git / "refs" / "heads" / "main").unlink()
    (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{sha} refs/heads/main\n")
    assert git_state(tmp_path / "repo") == (sha, "main")
    (git / "HEAD").write_text(sha + "\n")  # detached
    assert git_state(tmp_path / "repo") == (sha, None)
    # a worktree: .git is a file naming its folder, whose commondir is the repository's
    wt_git = git / "worktrees" / "feature"
    wt_git.mkdir(parents=True)
    (wt_git / "HEAD").write_text("ref: refs/heads/feature\n")
    (wt_git / "commondir").write_text("../..\n")
    (git / "packed-refs").write_text(f"{sha} refs/heads/feature\n")
    worktree = tmp_path / "feature"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {wt_git}\n")
    assert git_state(worktree) == (sha, "feature")
    assert git_state(tmp_path / "nowhere") == (None, None) or git_state(tmp_path)[0] is None


def test_ci_provider_job_url_and_commit_come_from_its_variables(tmp_path: Path) -> None:
    github = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SHA": "abc123",
        "GITHUB_REF_NAME": "main",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/pool",
        "GITHUB_RUN_ID": "42",
    }
    meta = run_meta(github, tmp_path)
    assert (meta.ci_provider, meta.commit, meta.branch) == ("github-actions", "abc123", "main")
    assert meta.ci_job_url == "https://github.com/acme/pool/actions/runs/42"
    assert meta.host and meta.started_at.tzinfo is not None
    gitlab = {"GITLAB_CI": "true", "CI_COMMIT_SHA": "def", "CI_COMMIT_REF_NAME": "mr-1"}
    gitlab["CI_JOB_URL"] = "https://gitlab.example/acme/pool/-/jobs/7"
    meta = run_meta(gitlab, tmp_path)
    assert (meta.ci_provider, meta.ci_job_url) == ("gitlab-ci", gitlab["CI_JOB_URL"])
    jenkins = {"JENKINS_URL": "https://ci/", "BUILD_URL": "https://ci/job/pool/9/"}
    assert run_meta(jenkins, tmp_path).ci_job_url == "https://ci/job/pool/9/"
    assert run_meta({"CI": "true"}, tmp_path).ci_provider == "ci"
    assert run_meta({"CI": "false"}, tmp_path).ci_provider is None


def test_the_job_a_run_ran_in_names_a_matrix_leg(tmp_path: Path) -> None:
    """GitLab's job name holds a parallel:matrix leg's values; GitHub's legs share theirs, and
    POOLCTL_JOB names a leg where the provider does not."""
    gitlab = {"GITLAB_CI": "true", "CI_JOB_NAME": "test: [sqlite]"}
    assert run_meta(gitlab, tmp_path).job == "test: [sqlite]"
    github = {"GITHUB_ACTIONS": "true", "GITHUB_JOB": "test"}
    assert run_meta(github, tmp_path).job == "test"
    assert run_meta({**github, "POOLCTL_JOB": "test-sqlite"}, tmp_path).job == "test-sqlite"
    assert run_meta({}, tmp_path).job is None


# --- when a test is flaky -------------------------------------------------------------------
def _outcomes(seq: str, commits: str | None = None) -> list[Outcome]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        Outcome(start + timedelta(hours=i), i, commits[i] if commits else None, c == "P")
        for i, c in enumerate(seq)
    ]


@pytest.mark.parametrize(
    ("seq", "commits", "flaky", "n_flips"),
    [
        ("FPF", None, True, 2),  # fail, pass, fail: flaky
        ("PFP", None, True, 2),
        ("FP", None, False, 1),  # a fix
        ("PPF", None, False, 1),  # a regression
        ("FFF", None, False, 0),
        ("PF", "aa", True, 1),  # one commit, both outcomes
        ("PF", "ab", False, 1),
    ],
)
def test_flaky_when_outcomes_flip_twice_or_on_one_commit(
    seq: str, commits: str | None, flaky: bool, n_flips: int
) -> None:
    changes = flips(_outcomes(seq, commits))
    assert (changes.flaky, changes.flips, changes.runs) == (flaky, n_flips, len(seq))


def test_one_run_with_a_pass_and_a_failure_counts_as_failed() -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    changes = flips([Outcome(at, 1, None, True), Outcome(at, 1, None, False)])
    assert (changes.runs, changes.flips, changes.last_passed) == (1, 0, False)
    assert flips(_outcomes("FPFP")).rate == 1.0 and flips(_outcomes("FFPP")).rate == 1 / 3


def test_flips_are_counted_within_each_job() -> None:
    """Two commits, each on a postgres and a sqlite leg: passing on one, failing on the
    other, every time, is no flakiness; a flip within one leg, on one commit, is."""
    legs = [
        Outcome(o.at, o.run_id, o.commit, o.passed, job)
        for o, job in zip(_outcomes("PFPF", "aabb"), ["pg", "sqlite"] * 2, strict=True)
    ]
    changes = flips(legs)
    assert (changes.flaky, changes.flips, changes.same_commit, changes.rate) == (
        False,
        0,
        False,
        0.0,
    )
    one_leg = [Outcome(o.at, o.run_id, o.commit, o.passed, "sqlite") for o in _outcomes("PF", "aa")]
    assert flips(one_leg).flaky and flips(one_leg).same_commit


def test_flips_are_counted_within_each_branch() -> None:
    """A test a feature branch breaks fails on every run of it and passes on main, in one CI
    job of a shared store: feat, main, feat is no flakiness (it was two flips: flaky), and a
    flip back and forth on one branch is."""
    branches = ["feat", "main", "feat", "main"]
    runs = [
        Outcome(o.at, o.run_id, o.commit, o.passed, "test", branch)
        for o, branch in zip(_outcomes("FPFP", "abcd"), branches, strict=True)
    ]
    changes = flips(runs)
    assert (changes.flaky, changes.flips) == (False, 0)
    feat = [Outcome(o.at, o.run_id, o.commit, o.passed, "test", "feat") for o in _outcomes("FPF")]
    assert flips(feat).flaky


def test_durations_and_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_duration("90d", "--older-than") == timedelta(days=90)
    assert parse_duration("2w", "x") == timedelta(weeks=2)
    assert parse_duration("36h", "x") == timedelta(hours=36)
    for bad in ("90", "0d", "d", "5 years", "-3d"):
        with pytest.raises(UsageProblem, match="not a duration"):
            parse_duration(bad, "--older-than")
    # a window back past year 1 could not be subtracted from now (it was an internal error)
    assert parse_duration("36500d", "x") == timedelta(days=36500)
    for huge in ("36501d", "99999999d", "1" + "0" * 30 + "w"):
        with pytest.raises(UsageProblem, match="longer than a history can be"):
            parse_duration(huge, "--window")
    assert window_from_env() == timedelta(days=14)  # GitLab's
    monkeypatch.setenv("POOLCTL_FLAKY_WINDOW", "3d")
    assert window_from_env() == timedelta(days=3)


def test_sparkline() -> None:
    assert sparkline([0, 1, 4, 8]) == "·▁▄█"
    assert sparkline([3, 3]) == "██"
    assert sparkline([0, 0]) == "··"
    assert sparkline([]) == ""


# --- passes, read from real logs ------------------------------------------------------------
def _keys(path: Path, fmt: str) -> set[str]:
    with path.open("rb") as stream:
        return {CaseId(p.name, p.group, p.file).key for p in read_passes(stream, fmt)}


@pytest.mark.parametrize(
    ("name", "fmt", "passed"),
    [
        ("pytest/pool_suite.txt", "pytest", 6),  # -rA: PASSED lines in the short summary
        ("pytest/pool_suite_verbose.txt", "pytest", 6),  # -vv: `path::test PASSED [ 10%]`
        ("pytest/flaky/run2_xdist_verbose.txt", "pytest", 2),  # `[gw0] [ 33%] PASSED path::test`
        ("junit/pytest_xunit2.xml", "junit", 6),
        ("junit/pytest_xunit1.xml", "junit", 6),
        ("junit/exunit_junit.xml", "junit", 10),
        ("exunit/pool_suite.log", "exunit", 0),  # without --trace, no test is named
        ("exunit/pool_suite_seed_trace.log", "exunit", 42),  # every test that ran, failed too
    ],
)
def test_passes_in_real_logs(name: str, fmt: str, passed: int) -> None:
    assert len(_keys(FIXTURES / name, fmt)) == passed


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("exunit/pool_suite_seed_trace.log", "exunit"),
        ("exunit/services_trace.log", "exunit"),
        ("pytest/pool_suite_verbose.txt", "pytest"),
        ("pytest/flaky/run2_xdist_verbose.txt", "pytest"),
    ],
)
def test_passes_are_the_same_across_chunk_boundaries(
    name: str, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 97 bytes cut lines, and part a module's heading from its tests' lines."""
    whole = _keys(FIXTURES / name, fmt)
    monkeypatch.setattr(passes, "CHUNK", 97)
    assert _keys(FIXTURES / name, fmt) == whole and whole


def test_passes_are_read_through_ci_prefixes_and_colours(tmp_path: Path) -> None:
    """A GitHub Actions timestamp before every line, and PASSED in green, as a terminal
    run's log downloaded from the job shows them."""
    source = FIXTURES / "pytest" / "pool_suite_verbose.txt"
    log = tmp_path / "actions.log"
    log.write_text(
        "".join(
            "2026-11-29T17:10:00.0000000Z " + line.replace("PASSED", "\x1b[32mPASSED\x1b[0m")
            for line in source.read_text().splitlines(keepends=True)
        )
    )
    assert _keys(log, "pytest") == _keys(source, "pytest") and len(_keys(log, "pytest")) == 6


def test_a_pass_and_a_failure_of_one_test_have_one_identity() -> None:
    """The flaky test failed in run 1 and passed in run 2: JUnit, -rA and xdist -v agree."""
    kb = load_patterns([])
    for failing, passing, fmt in (
        (FLAKY_JUNIT[0], FLAKY_JUNIT[1], "junit"),
        (FLAKY_PYTEST[0], FLAKY_PYTEST[1], "pytest"),
        (FLAKY_PYTEST[0], FIXTURES / "pytest" / "flaky" / "run2_xdist_verbose.txt", "pytest"),
    ):
        report = triage(read_logs([str(failing)]), kb)
        under_load = [f for f in report.findings if f.failure.name == "test_checkout_under_load"]
        assert len(under_load) == 1
        assert case_id(under_load[0].failure).key in _keys(passing, fmt)
    # ExUnit --trace: every failing test is among the tests the trace lines name
    parsed = read_logs([str(FIXTURES / "exunit" / "pool_suite_seed_trace.log")])
    ran = _keys(FIXTURES / "exunit" / "pool_suite_seed_trace.log", "exunit")
    tests = [f for f in parsed.failures if f.name.startswith("test ")]
    assert len(tests) == 30 and all(case_id(f).key in ran for f in tests)


def test_failure_identity_is_triage_s_group_key_or_cluster_id() -> None:
    report = triage(read_logs([str(FIXTURES / "pytest" / "pool_suite.txt")]), load_patterns([]))
    assert report.details is not None
    details = report.details
    groups = {i: g.key for g in getattr(details, "groups", ()) for i in g.findings}
    clusters = {i: c.id for c in getattr(details, "clusters", ()) for i in c.findings}
    assert groups and clusters
    for index, finding in enumerate(report.findings):
        failed = failure_id(finding)
        if index in groups:
            assert failed.key == groups[index]
        else:  # the cluster, in that test only
            assert failed.cluster_id == clusters[index]
            in_test = case_id(finding.failure).key + "\n" + clusters[index]
            assert failed.key == "u-" + short_hash(in_test)


# --- a store that cannot be used --------------------------------------------------------------
def test_an_unreachable_database_is_one_line_and_exit_2_after_the_report(cli: RunCli) -> None:
    url = "postgresql://ci:Unreachable-Secret-55@127.0.0.1:1/poolctl"
    code, out, err = cli("triage", str(FLAKY_JUNIT[0]), "--history", url)
    assert code == 2
    assert "Pattern 3" in out and "Fix plan" in out  # the triage is never lost
    assert "[new]" not in out  # nothing was known
    assert err.count("\n") == 1, err
    assert err.startswith("poolctl: error: history store postgresql://ci:[redacted]@127.0.0.1:1/")
    assert "cannot open it" in err and "Unreachable-Secret-55" not in out + err


def test_history_commands_on_an_unreachable_database(cli: RunCli) -> None:
    code, out, err = cli("history", "runs", "--history", "postgresql://u:Pw-123456@127.0.0.1:1/x")
    assert code == 2 and out == "" and err.count("\n") == 1 and "Pw-123456" not in err


def test_a_locked_store_fails_after_a_bounded_wait(
    cli: RunCli,
    history_in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    real_sleep: Callable[..., None],
) -> None:
    holder = sqlite3.connect(history_in_tmp, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another runner is writing
    monkeypatch.setenv("POOLCTL_HISTORY_TIMEOUT", "0.3")
    try:
        code, out, err = cli("triage", str(FLAKY_JUNIT[0]))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2 and "Pattern 3" in out
    assert err.count("\n") == 1
    assert "database is locked (waited 0.3 s; POOLCTL_HISTORY_TIMEOUT sets how long)" in err
    assert rows(history_in_tmp, "SELECT count(*) FROM runs") == [(0,)]


def test_a_locked_store_is_waited_for(
    cli: RunCli, history_in_tmp: Path, real_sleep: Callable[[float], None]
) -> None:
    holder = sqlite3.connect(history_in_tmp, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        real_sleep(0.4)
        holder.execute("COMMIT")

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        code, _, err = cli("triage", str(FLAKY_JUNIT[0]))
    finally:
        releaser.join()
        holder.close()
    assert code == 1, err
    assert rows(history_in_tmp, "SELECT count(*) FROM runs") == [(1,)]


# --- what is recorded ------------------------------------------------------------------------
def test_standard_input_is_recorded_with_its_passes(
    cli: RunCli, history_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = FLAKY_PYTEST[1].read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = cli("triage", "-", "-f", "json")
    assert code == 1, err
    assert json.loads(out)["summary"]["new"] == 1
    assert rows(history_in_tmp, "SELECT name, outcome FROM outcomes ORDER BY name") == [
        ("test_checkout_under_load", "passed"),
        ("test_context_names_the_pool_pid", "failed"),
        ("test_single_checkout_succeeds", "passed"),
    ]


def test_what_a_triage_run_records(cli: RunCli, history_in_tmp: Path) -> None:
    code, _, err = cli("triage", str(FLAKY_JUNIT[0]))
    assert code == 1, err
    [run] = rows(
        history_in_tmp,
        "SELECT kind, verdict, tests, failures, passed, new, known, flaky, patterns, host, "
        "timings FROM runs",
    )
    assert run[:8] == ("triage", "failed", 3, 2, 1, 2, 0, 0)
    assert json.loads(str(run[8])) == ["checkout-timeout-waiters", "fixture-key-mismatch"]
    assert run[9] and json.loads(str(run[10]))["lines_read"] == 41
    recorded = rows(
        history_in_tmp,
        "SELECT name, test_group, outcome, pattern_id, cluster_id, message FROM outcomes "
        "ORDER BY name",
    )
    assert [r[:4] for r in recorded] == [
        ("test_checkout_under_load", "check_flaky", "failed", "checkout-timeout-waiters"),
        ("test_context_names_the_pool_pid", "check_flaky", "failed", "fixture-key-mismatch"),
        ("test_single_checkout_succeeds", "check_flaky", "passed", None),
    ]
    assert recorded[0][4] and "waiting for a worker after #.#s" in str(recorded[0][5])
    assert recorded[1][5] == "KeyError\nKeyError: 'pool_pid'"


@pytest.mark.parametrize("keep", [[], ["--keep-secrets"]])
def test_secrets_are_not_stored(
    cli: RunCli, history_in_tmp: Path, tmp_path: Path, keep: list[str]
) -> None:
    """Not even with --keep-secrets, which is for what one developer reads on their screen:
    the store outlives the run, and a shared one is read by a whole team."""
    token = "sk-live_" + "Q" * 24
    log = tmp_path / "secret.xml"
    text = FLAKY_JUNIT[0].read_text().replace("'pool_pid'", f"'{token}'")
    # a passing test's name too (passes are redacted a batch at a time)
    passing = "test_single_checkout_succeeds"
    log.write_text(text.replace(f'name="{passing}"', f'name="{passing}[{token}]"'))
    code, out, err = cli("triage", str(log), *keep)
    assert code == 1, err
    assert (token in out) == bool(keep)  # the terminal shows it as asked
    stored = json.dumps(rows(history_in_tmp, "SELECT * FROM outcomes"))
    assert token not in stored and "[redacted]" in stored
    names = [str(row[0]) for row in rows(history_in_tmp, "SELECT name FROM outcomes")]
    assert f"{passing}[[redacted]" in " ".join(names), names


def test_history_commands_say_when_nothing_is_recorded(cli: RunCli) -> None:
    for command in (["runs"], ["flaky"], ["patterns"], ["test", "nope"]):
        code, out, err = cli("history", *command)
        assert code == 0, err
        assert "nothing recorded yet" in out or "no " in out
    code, out, err = cli("history", "prune", "--older-than", "5x")
    assert code == 2 and "--older-than: '5x' is not a duration" in err
    code, out, err = cli("history", "patterns", "--by", "month")
    assert code == 2 and err.count("\n") == 1


def test_tests_a_failed_setup_all_invalidated_are_not_recorded_as_passed(
    cli: RunCli, history_in_tmp: Path
) -> None:
    """ExUnit 1.14's `--trace` prints them as run; ExUnit counts them invalid (`2 invalid`)."""
    log = FIXTURES / "exunit" / "pool_suite_seed_trace.log"
    code, _, _ = cli("triage", str(log), "-q")
    assert code == 1
    with sqlite3.connect(history_in_tmp) as db:
        rows = db.execute(
            "SELECT outcome, COUNT(*) FROM outcomes WHERE test_group = ? GROUP BY outcome",
            ("PoolSuite.LayerThreeTest",),
        ).fetchall()
    assert rows == [("failed", 1)]  # its setup_all failure, and no pass of its two tests


def test_an_unclassified_failure_is_known_only_in_the_test_that_had_it(
    cli: RunCli, history_in_tmp: Path
) -> None:
    """Build 2 fails two tests that had only passed, with messages of the shapes build 1's
    failures of two other tests had: they are new (real captures:
    tests/fixtures/src/capture_known.sh)."""
    known = FIXTURES / "pytest" / "known"
    assert cli("triage", str(known / "build1.txt"), "-q")[0] == 1
    code, out, _ = cli("triage", str(known / "build2.txt"))
    assert code == 1
    assert "2 new, 0 known, 0 flaky" in out
    assert "known:" not in out


def test_a_failure_a_new_pattern_claims_is_still_known(
    cli: RunCli, history_in_tmp: Path, tmp_path: Path
) -> None:
    """Build 1's failure is unclassified; a pattern written from its cluster (`patterns new`,
    as the report suggests) claims it in build 2: the same failure of the same test, known,
    not new (real captures: tests/fixtures/src/capture_matrix.sh)."""
    matrix = FIXTURES / "pytest" / "matrix"
    code, out, _ = cli("triage", str(matrix / "sqlite-1.txt"), "-f", "json")
    (cluster,) = json.loads(out)["clusters"]
    patterns = tmp_path / "patterns"
    new = cli("patterns", "new", "--from", str(matrix / "sqlite-1.txt"), "--cluster",
              cluster["id"], "-o", str(patterns), "-q")  # fmt: skip
    assert new[0] == 0, new
    code, out, _ = cli("triage", str(matrix / "sqlite-2.txt"), "--patterns", str(patterns),
                       "-f", "json")  # fmt: skip
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    (written,) = patterns.glob("*.yaml")
    assert finding["outcome"]["pattern_id"] == yaml.safe_load(written.read_text())["id"]
    assert finding["history"]["status"] == "known"
    assert finding["history"]["seen_before"] == 1


def test_a_test_failing_on_one_matrix_leg_only_is_new_then_known_not_flaky(
    cli: RunCli, history_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two commits, each built on a postgres and a sqlite leg (real captures:
    tests/fixtures/src/capture_matrix.sh), each leg named by POOLCTL_JOB: the sqlite leg's
    failure is new, then known; it flips between legs, never within one."""
    matrix = FIXTURES / "pytest" / "matrix"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_JOB", "test")
    statuses = []
    for build, commit in enumerate(("1111", "2222"), start=1):
        monkeypatch.setenv("GITHUB_SHA", commit)
        for leg in ("postgres", "sqlite"):
            monkeypatch.setenv("POOLCTL_JOB", f"test-{leg}")
            code, out, _ = cli("triage", str(matrix / f"{leg}-{build}.txt"), "-f", "json")
            statuses += [f["history"]["status"] for f in json.loads(out)["findings"]]
    assert statuses == ["new", "known"]
    code, out, _ = cli("history", "flaky")
    assert code == 0 and "test_upsert_returns_id" not in out
