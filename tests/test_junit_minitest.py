"""minitest-reporters' JUnitReporter (tests/fixtures/junit/minitest_reporters_junit.xml, a real
run of src/minitest_reporters_suite; see the fixtures' README): its `message` attribute is the
message's first line cut with `...`, its `type` the test's name; the text holds the message
whole."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

MINITEST = str(Path(__file__).parent / "fixtures" / "junit" / "minitest_reporters_junit.xml")


def test_the_message_is_read_whole_from_the_text_and_an_error_s_kind_is_its_class() -> None:
    """They were `no worker for the caller...` of kind `test_checkout_with_callers_waiting`
    and `ping failed...`: both unclassified, the words that tell the pattern cut off."""
    failures = {f.name: f for f in read_logs([MINITEST]).failures}
    checkout = failures["test_checkout_with_callers_waiting"]
    assert checkout.kind == "CheckoutTimeout"
    assert checkout.message == (
        "Pool::CheckoutTimeout: no worker for the caller\n"
        "checkout timed out after 50ms: all 2 workers busy, 3 callers waiting in the queue"
    )
    ping = failures["test_worker_answers_ping"]
    assert ping.message.endswith("no response received from the worker's stdout within 20ms")
    assert ping.kind != "test_worker_answers_ping"
    budget = failures["test_retry_budget"]  # an assertion's diff, up to the end of its text
    assert budget.message == "retry budget.\nExpected: 4\n  Actual: 3"


def test_a_message_cut_with_dots_that_its_text_does_not_begin_with_is_kept(
    tmp_path: Path,
) -> None:
    """Only a text that begins with what the attribute kept stands for the message whole."""
    xml = Path(MINITEST).read_text().replace("ping failed...", "no reply...")
    log = tmp_path / "other.xml"
    log.write_text(xml)
    failures = {f.name: f for f in read_logs([str(log)]).failures}
    assert failures["test_worker_answers_ping"].message == "no reply..."
