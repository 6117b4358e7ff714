"""A backend a library says is "not available. Install it with: pip install …" is a dependency to
install, not an adapter misconfigured: anyio's own suite run without typing_extensions (a module
its asyncio and trio backends import) raises `LookupError: Backend 'asyncio' is not available.
Install it with: pip install anyio[asyncio]`, its ModuleNotFoundError the direct cause. No pool
is in it: every failure stays unclassified. Real capture:
tests/fixtures/src/capture_anyio_missing_dependency.sh."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Unclassified
from poolctl.patterns import load_patterns
from poolctl.triage import triage

LOG = Path(__file__).parent / "fixtures" / "pytest" / "anyio_backend_missing_dependency.txt"


def test_a_backend_to_install_is_no_adapter_misconfigured() -> None:
    report = triage(read_logs([str(LOG)]), load_patterns())
    assert len(report.findings) == 12  # 11 failed, 1 error
    assert all(isinstance(f.outcome, Unclassified) for f in report.findings)
    backend = [f for f in report.findings if f.failure.kind == "LookupError"]
    assert len(backend) == 5
    for finding in backend:
        assert isinstance(finding.outcome, Unclassified)
        assert finding.outcome.nearest == "adapter-misconfigured"
        assert "a package must be installed for it" in finding.outcome.why
