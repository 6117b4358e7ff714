"""The ids of a worker's requests that timed out, kept as runs of consecutive ids: asked of
the answers that came late, they say the same as the set of every id would."""

from __future__ import annotations

from poolctl.scenario.unanswered import IdRuns


def test_runs_of_ids_hold_what_a_set_would() -> None:
    ids = [2, 3, 4, 7, 9, 10, 11, 30]
    runs = IdRuns()
    for request_id in ids:
        runs.add(request_id)
    assert runs._runs == [[2, 4], [7, 7], [9, 11], [30, 30]]  # 8 ids, 4 runs
    for candidate in range(0, 40):
        assert (candidate in runs) == (candidate in set(ids)), candidate


def test_ids_that_are_not_integers_are_held_one_each() -> None:
    runs = IdRuns()
    for request_id in ("a-1", 5, True, None, 2.5, ["unhashable"]):
        runs.add(request_id)
    assert "a-1" in runs and 5 in runs and None in runs and 2.5 in runs
    assert "a-2" not in runs and 6 not in runs and ["unhashable"] not in runs
    assert True in runs and 1 not in runs  # JSON's true is not the id 1
