"""poolctl: diagnose pools of JSON-over-stdio worker processes and triage their test failures.

Kept free of imports on purpose: the bundled reference worker runs as
`python -m poolctl.workers.reference` and must start as fast as a bare interpreter.
"""

__version__ = "0.1.0"
