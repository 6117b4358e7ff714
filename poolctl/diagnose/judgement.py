"""What a hypothesis returns, and the registry the hypothesis modules add themselves to.

A hypothesis is a function of the `Observations` registered under its cause id in the pattern
YAML (`@hypothesis("crashed")`). It returns a `Judgement`: confirmed (with the verdict and the
fix), ruled out (with the evidence that rules it out) or untested (with why). The engine, not
the hypothesis, stamps the id and the title from the knowledge base on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from poolctl.model import Evidence, HypothesisStatus

from .observe import Observations


@dataclass(frozen=True)
class Judgement:
    """A hypothesis judged; for a confirmed one, the verdict and the fix."""

    status: HypothesisStatus
    reason: str = ""  # why it is ruled out or untested
    evidence: tuple[Evidence, ...] = ()
    verdict: str = ""
    remediation: str = ""


def confirmed(verdict: str, remediation: str, *evidence: Evidence, reason: str = "") -> Judgement:
    return Judgement("confirmed", reason, evidence, verdict, remediation)


def ruled_out(reason: str, *evidence: Evidence) -> Judgement:
    return Judgement("ruled-out", reason, evidence)


def untested(reason: str) -> Judgement:
    return Judgement("untested", reason)


Judge = Callable[[Observations], Judgement]

# cause id -> its judge, in the order the modules were imported (the engine orders them by
# the pattern YAML's `causes:`)
REGISTRY: dict[str, Judge] = {}


def hypothesis(cause_id: str) -> Callable[[Judge], Judge]:
    """Register the decorated function as the test of the pattern cause `cause_id`."""

    def register(judge: Judge) -> Judge:
        if cause_id in REGISTRY and REGISTRY[cause_id] is not judge:
            raise ValueError(f"hypothesis {cause_id!r} is registered twice")
        REGISTRY[cause_id] = judge
        return judge

    return register
