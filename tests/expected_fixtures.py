"""tests/fixtures/expected.yaml, what every captured fixture must give, read once a process.

test_logs_fixtures.py and test_triage_fixtures.py both parametrize over it, so every pytest
process (each xdist worker) read its 400 KB at collection twice, a tenth of a second of CPU
each time even with libyaml's loader (8x faster than the pure-Python one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED_YAML = FIXTURES / "expected.yaml"
EXPECTED: dict[str, Any] = yaml.load(
    EXPECTED_YAML.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
)
