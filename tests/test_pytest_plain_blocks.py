"""A pytest failure block with no traceback (pytest's refusal of an async fixture no plugin
handled, `pytest.fail(msg, pytrace=False)`) says its message alone, on one line or several: the
message is those lines, not the last of them. Real capture of
`src/more_runners_suite/check_pool_async.py` (`tests/fixtures/src/capture_plain_blocks.sh`)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

LOG = Path(__file__).parent / "fixtures" / "pytest" / "plugins" / "asyncio_plain_blocks.txt"


def test_a_block_of_no_traceback_is_read_whole_as_its_message() -> None:
    failures = {f.name: f for f in read_logs([str(LOG)]).failures}
    refused = failures["test_shared_pool_checkout"]
    # before: its last line, `See: https://…`, and the kind `See`
    assert refused.message.splitlines() == [
        "'check_pool_async.py' requested an async fixture 'shared_pool', with no plugin or hook "
        "that handled it. This is an error, as pytest does not natively support it.",
        "See: https://docs.pytest.org/en/stable/deprecations.html#sync-test-depending-on-async-fixture",
    ]
    assert (refused.kind, refused.details["phase"]) == ("Failed", "setup")


def test_a_chain_of_messages_is_its_last_part() -> None:
    """pytrace=False inside an `except`: the exception handled, the chain's line, then the
    test's own message on two lines (before: its last line alone)."""
    failed = next(
        f for f in read_logs([str(LOG)]).failures if f.name == "test_second_checkout_waits"
    )
    assert failed.message.splitlines() == [
        "checkout timed out: checkout timed out after 0.2s: pool pool_a has 0 idle workers, "
        "1 waiting",
        "pool pool_a: 0 idle, 1 busy, 1 waiting",
    ]
    assert failed.kind == "Failed"
