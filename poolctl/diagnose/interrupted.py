"""The diagnosis of a run interrupted before its judgement (a signal to poolctl): what the
stop did is no evidence of the worker, so no hypothesis is judged."""

from __future__ import annotations

from collections.abc import Sequence

from poolctl.model import Diagnosis, Hypothesis
from poolctl.patterns.loader import Pattern

from .diagnosis_facts import diagnosis_facts
from .knowledge import Registered
from .observe import Observations


def interrupted(
    pattern: Pattern, registered: Sequence[Registered], obs: Observations, seconds: float
) -> Diagnosis:
    """The diagnosis of a run interrupted before its judgement: the worker and the fresh
    processes were stopped by poolctl, not by anything the hypotheses are about."""
    sig = obs.worker.context.signal
    name = sig.name if sig is not None else "a signal"
    reason = f"not judged: the run was interrupted ({name}) and poolctl stopped its processes"
    return Diagnosis(
        pattern_id=pattern.id,
        pattern_number=pattern.number,
        title=pattern.title,
        confidence=0.0,
        evidence=(),
        facts=diagnosis_facts(obs, seconds),
        cause=f"Not diagnosed: the run was interrupted ({name}) while poolctl waited for the "
        "worker's answer or tested why it gave none",
        remediation="Run it again to its end for the diagnosis.",
        hypotheses=tuple(Hypothesis(h.id, h.title, "untested", (), reason) for h in registered),
    )
