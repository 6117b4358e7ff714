"""Who a test is, and which failure it had, the same way in every run.

A test is its name, group (module or class) and file: `test_key` hashes them. A failure is the
pattern it was diagnosed with and its normalised message, as triage groups identical failures
(`FailureGroup.key`), or, unclassified, the cluster its message falls in (`Cluster.id`) in that
test: `failure_key`. So a failure is "known" when the same pattern with the same message was
seen in an earlier run, whichever test it hit (one pool's trouble shows in many tests), or when
the same unclassified shape was seen in the same test: a cluster's shape keeps no quoted value
nor path, and another test's `assert 'guest' in …` says nothing of this one's `assert 'admin'
in …`. A failure whose key no earlier run had is still known when the same test failed with the
same normalised message before: a pattern added or changed since claims it now
(`lookups.sightings_in_tests`).

A scenario's or a ping's failure is the run of one target, not one test of a suite: its key
holds the scenario's name, or the pinged command (`target`), so that another scenario's or
another server's same failure is not this one's history, and two runs of one scenario (by
name, from whichever path) are still linked.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.logs.cargo_block import test_target
from poolctl.model import BLOCK_SOURCES, GROUPED_BY_NAME, Diagnosis, Failure, Finding
from poolctl.triage.normalize import short_hash, signature, strip_shape

MAX_MESSAGE = 500  # characters of the normalised message kept per outcome


@dataclass(frozen=True)
class CaseId:
    """A test as the store knows it."""

    name: str
    group: str
    file: str

    @property
    def key(self) -> str:
        return case_key(self.name, self.group, self.file)


def case_key(name: str, group: str, file: str) -> str:
    """The key of the test `name` in `group` and `file` (`CaseId.key`)."""
    return short_hash(f"{file}\0{group}\0{name}", 16)


def _path(location: str) -> str:
    """`test/x.exs:12` -> `test/x.exs`."""
    head, sep, tail = location.rpartition(":")
    return head if sep and tail.isdigit() else location


def case_file(failure: Failure) -> str:
    """The test's file as each source names it (so that a pass read elsewhere in the log, or in
    another run, names the same file): JUnit's `file` attribute, pytest's node id, else the
    location without its line."""
    if failure.source == "junit":
        return failure.details.get("file", "")
    nodeid = failure.details.get("nodeid", "")
    if nodeid:
        return nodeid.split("::", 1)[0]
    if failure.source in GROUPED_BY_NAME:
        return _path(failure.location)  # (its group is `module.Class`, a suite)
    if failure.source in BLOCK_SOURCES and failure.group:  # (TAP's, Vitest's: the file)
        return failure.group.split("::", 1)[0]
    return _path(failure.location)


def case_id(failure: Failure) -> CaseId:
    """The failed test's identity: a Rust test's by its test target, as cargo test and
    cargo-nextest both name it (their groups differ: `cargo_block.test_target`)."""
    if failure.source == "cargo":
        target = test_target(failure.group)
        return CaseId(failure.name, target, target.split("::", 1)[0])
    return CaseId(failure.name, failure.group, case_file(failure))


def target(failure: Failure) -> str | None:
    """What a pool command's failure belongs to: the scenario (its name) or the pinged command
    (request and argv); None for a test log's failure, known in any test."""
    if failure.source == "scenario":
        return failure.group
    if failure.source == "ping":
        return failure.name
    return None


@dataclass(frozen=True)
class FailureId:
    """A failure as the store knows it: its key, pattern, cluster and normalised message."""

    key: str
    pattern_id: str | None
    cluster_id: str
    message: str


def failure_id(finding: Finding) -> FailureId:
    """The finding's failure identity (see the module's docstring)."""
    signed = signature(finding.failure)
    cluster = short_hash(strip_shape(signed))
    outcome = finding.outcome
    if isinstance(outcome, Diagnosis):
        key = short_hash(f"{outcome.pattern_id}\n{signed}")  # triage's group key
        of = target(finding.failure)
        if of is not None:
            key = short_hash(f"{outcome.pattern_id}\n{of}\n{signed}")
        return FailureId(key, outcome.pattern_id, cluster, signed[:MAX_MESSAGE])
    key = short_hash(f"{case_id(finding.failure).key}\n{cluster}")  # in this test only
    return FailureId(f"u-{key}", None, cluster, signed[:MAX_MESSAGE])
