"""What a run records about where it ran: the time, the git commit and branch, the CI provider,
job and job URL, and the host.

A CI provider's own variables come first (its checkout is often a detached HEAD); otherwise
the commit and branch are read from the `.git` folder's files, without starting git.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

JOB_ENV = "POOLCTL_JOB"  # names the job (a matrix's leg) where the provider's name does not


@dataclass(frozen=True)
class RunMeta:
    """Where and when a run happened."""

    started_at: datetime
    commit: str | None = None
    branch: str | None = None
    ci_provider: str | None = None
    ci_job_url: str | None = None
    job: str | None = None  # the CI job it ran in: `POOLCTL_JOB`, else the provider's job name
    host: str = ""


@dataclass(frozen=True)
class Provider:
    """A CI service: the variable that says it runs, and where its commit, branch and job are."""

    name: str
    marker: str
    commit: tuple[str, ...]
    branch: tuple[str, ...]
    job_url: tuple[str, ...] = ()
    job: tuple[str, ...] = ()  # the job's name (with a matrix leg's values, where it has them)


PROVIDERS = (
    Provider(
        "github-actions",
        "GITHUB_ACTIONS",
        ("GITHUB_SHA",),
        ("GITHUB_HEAD_REF", "GITHUB_REF_NAME"),
        job=("GITHUB_JOB",),  # a matrix's legs share it: set POOLCTL_JOB to keep them apart
    ),
    Provider(
        "gitlab-ci",
        "GITLAB_CI",
        ("CI_COMMIT_SHA",),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME"),
        ("CI_JOB_URL",),
        ("CI_JOB_NAME",),  # `test: [sqlite]` for a parallel:matrix leg
    ),
    Provider(
        "buildkite",
        "BUILDKITE",
        ("BUILDKITE_COMMIT",),
        ("BUILDKITE_BRANCH",),
        ("BUILDKITE_BUILD_URL",),
        ("BUILDKITE_LABEL",),
    ),
    Provider(
        "circleci",
        "CIRCLECI",
        ("CIRCLE_SHA1",),
        ("CIRCLE_BRANCH",),
        ("CIRCLE_BUILD_URL",),
        ("CIRCLE_JOB",),
    ),
    Provider(
        "jenkins",
        "JENKINS_URL",
        ("GIT_COMMIT",),
        ("BRANCH_NAME", "GIT_BRANCH"),
        ("BUILD_URL",),
        ("STAGE_NAME", "JOB_NAME"),
    ),
    Provider(
        "travis",
        "TRAVIS",
        ("TRAVIS_COMMIT",),
        ("TRAVIS_BRANCH",),
        ("TRAVIS_JOB_WEB_URL",),
        ("TRAVIS_JOB_NAME",),
    ),
    Provider(
        "azure-pipelines",
        "TF_BUILD",
        ("BUILD_SOURCEVERSION",),
        ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCHNAME"),
        job=("SYSTEM_JOBDISPLAYNAME",),  # with a matrix leg's name
    ),
    Provider("ci", "CI", ("CI_COMMIT_SHA", "GIT_COMMIT"), ("CI_BRANCH", "GIT_BRANCH")),
)


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((env[n].strip() for n in names if env.get(n, "").strip()), None)


def _job_url(provider: Provider, env: Mapping[str, str]) -> str | None:
    if provider.name == "github-actions":
        parts = [
            env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
        ]
        if all(parts):
            server, repository, run = parts
            return f"{server.rstrip('/')}/{repository}/actions/runs/{run}"
        return None
    if provider.name == "azure-pipelines":
        parts = [
            env.get(k, "") for k in ("SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT", "BUILD_BUILDID")
        ]
        if all(parts):
            collection, project, build = parts
            return f"{collection.rstrip('/')}/{project}/_build/results?buildId={build}"
        return None
    return _first(env, provider.job_url)


def ci_provider(env: Mapping[str, str]) -> Provider | None:
    """The CI service these variables come from (a bare `CI=true` is `ci`)."""
    for provider in PROVIDERS:
        value = env.get(provider.marker, "").strip().lower()
        if value and value not in ("0", "false", "no"):
            return provider
    return None


def _git_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: `gitdir: PATH`
            text = dot.read_text("utf-8", "replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                return target if target.is_absolute() else (folder / target).resolve()
    return None


def _ref_sha(git_dir: Path, ref: str) -> str | None:
    """A ref's commit: its loose file, or its line in `packed-refs` (in the common folder of a
    worktree's repository)."""
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text("utf-8").strip()).resolve()
    for base in dict.fromkeys((git_dir, common)):
        loose = base / ref
        if loose.is_file():
            return loose.read_text("utf-8", "replace").strip() or None
        packed = base / "packed-refs"
        if packed.is_file():
            for line in packed.read_text("utf-8", "replace").splitlines():
                sha, _, name = line.partition(" ")
                if name.strip() == ref:
                    return sha
    return None


def git_state(start: Path | None = None) -> tuple[str | None, str | None]:
    """(commit, branch) of the work tree `start` (the current directory) is in, read from the
    `.git` files; (None, None) outside git or where the files cannot be read."""
    try:
        git_dir = _git_dir((start or Path.cwd()).resolve())
        if git_dir is None:
            return None, None
        head = (git_dir / "HEAD").read_text("utf-8", "replace").strip()
        if head.startswith("ref:"):
            ref = head.removeprefix("ref:").strip()
            return _ref_sha(git_dir, ref), ref.removeprefix("refs/heads/")
        return head or None, None  # a detached HEAD
    except OSError:
        return None, None


def run_meta(
    env: Mapping[str, str] | None = None,
    start: Path | None = None,
    now: datetime | None = None,
) -> RunMeta:
    """This run's metadata, from the environment (`os.environ`) and the work tree."""
    env = os.environ if env is None else env
    provider = ci_provider(env)
    commit, branch = git_state(start)
    if provider is not None:
        commit = _first(env, provider.commit) or commit
        branch = _first(env, provider.branch) or branch
    return RunMeta(
        started_at=now or datetime.now(UTC),
        commit=commit,
        branch=branch,
        ci_provider=provider.name if provider is not None else None,
        ci_job_url=_job_url(provider, env) if provider is not None else None,
        job=_first(env, (JOB_ENV, *(provider.job if provider is not None else ()))),
        host=socket.gethostname(),
    )
