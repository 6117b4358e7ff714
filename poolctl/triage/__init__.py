"""Triage: classify test failures against the pattern knowledge base."""

from poolctl.triage.engine import triage

__all__ = ["triage"]
