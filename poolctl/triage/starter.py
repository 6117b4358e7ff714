"""A starter pattern from a cluster of unclassified failures: `poolctl patterns new`.

The signals are drawn from what every failure of the cluster says: the longest run of words
they all share in their message (weight 0.6, enough alone), their common kind (0.3), and a few
more shared words (0.2 each; 0.3 when there is no such run, so that two of them suffice). The
example is one of the cluster's failures as it was read; the counter-example, a failure of the
same log the starter's signals do not fire on. The rest (title, remediation) is left for the
author, marked TODO. The text is validated as the knowledge base validates every pattern file
before anyone writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from poolctl.errors import UsageProblem
from poolctl.model import Cluster, Diagnosis, Failure, Finding, Report, TriageDetails
from poolctl.patterns.loader import Pattern, PatternSet
from poolctl.patterns.schema import PatternSpec
from poolctl.triage.classifier import score
from poolctl.triage.fields import FailureView, says
from poolctl.triage.normalize import signature, strip_shape, strip_volatile

MIN_WORD = 3  # shorter words say nothing on their own
MAX_EXTRA_WORDS = 3
MAX_EXAMPLE = 2_000  # characters of a message or detail copied into an example
_MARK = re.compile(r"[#…]|<(?:path|url|hex|uuid|time|addr)>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*[A-Za-z0-9_]|[A-Za-z_]")
_STOP = frozenset(
    {
        *("the", "and", "for", "with", "not", "was", "were", "has", "have", "had", "this"),
        *("that", "from", "into", "are", "but", "can", "its", "any", "all", "test", "tests"),
        *("error", "errors", "failed", "failure", "value", "none", "nil", "true", "false"),
    }
)


@dataclass(frozen=True)
class Starter:
    """A starter pattern: its id, and the YAML text of its file."""

    pattern_id: str
    cluster: Cluster
    text: str
    # unclassified failures of other clusters its signals match too: it would claim them
    look_alikes: tuple[Finding, ...] = ()


def find_cluster(report: Report, wanted: str) -> Cluster:
    """The cluster `wanted` names (its id, or a prefix of one id); `UsageProblem` otherwise."""
    clusters = report.details.clusters if isinstance(report.details, TriageDetails) else ()
    exact = [c for c in clusters if c.id == wanted]
    found = exact or [c for c in clusters if c.id.startswith(wanted)]
    if len(found) == 1:
        return found[0]
    known = ", ".join(f"{c.id} (×{len(c.findings)})" for c in clusters[:10])
    if not clusters:
        raise UsageProblem("no unclassified failure in the log: no cluster to start from")
    why = "is the prefix of several clusters" if found else "is not a cluster of this log"
    raise UsageProblem(f"{wanted!r} {why}; its clusters, biggest first: {known}", where="--cluster")


def _words(text: str) -> list[str]:
    """The content words of a normalised text, in order (marks such as `#` are not words)."""
    return [w for w in _WORD.findall(text) if len(w) >= MIN_WORD and w.lower() not in _STOP]


def _tokens(failure: Failure) -> list[str]:
    """The message's tokens, punctuation around them stripped, what varies normalised away."""
    text = strip_shape(strip_volatile(failure.message.strip()))
    tokens = (t.strip("'\"()[]{}<>,.;:!?`") for t in text.split())
    # what varies (a number, a quoted value, a path: `#`, `…`, `<path>`) is no token to match
    return [t if t and not _MARK.search(t) else "" for t in tokens]


def _common(failures: Sequence[Failure]) -> list[str]:
    """Content words every failure says (message and details), in the first one's order."""
    texts = [strip_shape(signature(replace(f, kind=""))) for f in failures]  # not the kind
    shared = set.intersection(*(set(_words(t)) for t in texts))
    seen: set[str] = set()
    out = []
    for word in _words(texts[0]):
        if word in shared and word.lower() not in seen:
            seen.add(word.lower())
            out.append(word)
    return out


def _phrase(failures: Sequence[Failure]) -> list[str]:
    """The longest run of message tokens every failure has, without filler at its ends."""
    token_lists = [_tokens(f) for f in failures]
    shared = set.intersection(*(set(t) for t in token_lists))
    best: list[str] = []
    run: list[str] = []
    for token in token_lists[0]:
        run = [*run, token] if token and token in shared else []
        if len(run) > len(best):
            best = run
    weak = {t for t in best if len(t) < MIN_WORD or t.lower() in _STOP}
    while best and best[0] in weak:
        best = best[1:]
    while best and best[-1] in weak:
        best = best[:-1]
    return best if len(best) >= 2 else []


def _phrase_regex(words: Sequence[str]) -> str:
    head = r"\b" if re.match(r"\w", words[0]) else ""
    tail = r"\b" if re.search(r"\w$", words[-1]) else ""
    return head + r"\W+".join(re.escape(w) for w in words) + tail


def _slug(words: Sequence[str]) -> str:
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in words[:5])
    return re.sub(r"-+", "-", slug).strip("-")


def _signals(failures: Sequence[Failure]) -> tuple[list[dict[str, Any]], list[str]]:
    phrase = _phrase(failures)
    signals: list[dict[str, Any]] = []
    if phrase:
        shown = " ".join(phrase)
        signals.append(
            {
                "regex": _phrase_regex(phrase),
                "weight": 0.6,
                "why": f"the failure says {shown!r} (every failure of the cluster does)",
            }
        )
    kinds = {f.kind for f in failures}
    if len(kinds) == 1 and (kind := kinds.pop()):
        signals.append(
            {
                "field": "kind",
                "regex": "^" + re.escape(kind) + "$",
                "weight": 0.3,
                "why": f"the failure's kind is {kind}",
            }
        )
    in_phrase = {w.lower() for w in phrase}
    extra = [w for w in _common(failures) if w.lower() not in in_phrase]
    weight = 0.2 if phrase else 0.3
    for word in extra[:MAX_EXTRA_WORDS]:
        signals.append(
            {
                "regex": r"\b" + re.escape(word) + r"\b",
                "weight": weight,
                "why": f"the failure names {word!r} (every failure of the cluster does)",
            }
        )
    return signals, [w for w in phrase if w.lower() not in _STOP] or extra[:3]


def _example(failure: Failure, note: str) -> dict[str, Any]:
    example: dict[str, Any] = {"note": note, "source": failure.source, "name": failure.name}
    if failure.group:
        example["group"] = failure.group
    if failure.kind:
        example["kind"] = failure.kind
    example["message"] = failure.message[:MAX_EXAMPLE]
    details = {k: v[:MAX_EXAMPLE] for k, v in failure.details.items() if v and says(k)}
    if failure.details.get("code"):
        details["code"] = failure.details["code"][:MAX_EXAMPLE]
    if details:
        example["details"] = details
    return example


def _look_alikes(report: Report, cluster: Cluster, pattern: Pattern) -> list[Finding]:
    """The unclassified failures outside the cluster the starter's signals qualify on."""
    inside = set(cluster.findings)
    return [
        f
        for i, f in enumerate(report.findings)
        if i not in inside
        and not isinstance(f.outcome, Diagnosis)
        and score(pattern, FailureView(f.failure)).qualifies
    ]


def _counter_example(report: Report, cluster: Cluster, pattern: Pattern) -> Finding | None:
    """A failure of the log outside the cluster on which the starter's signals do not fire."""
    inside = set(cluster.findings)
    others = [f for i, f in enumerate(report.findings) if i not in inside]
    others.sort(key=lambda f: isinstance(f.outcome, Diagnosis))  # unclassified ones first
    for finding in others:
        if not score(pattern, FailureView(finding.failure)).qualifies:
            return finding
    return None


def _number(kb: PatternSet) -> int:
    return max((p.number for p in kb), default=0) + 1


def _pattern_id(
    words: Sequence[str], cluster: Cluster, kb: PatternSet, taken_ids: Iterable[str]
) -> str:
    taken = {p.id for p in kb} | set(taken_ids)
    slug = _slug(words)
    candidate = slug if slug and slug[0].isalpha() else f"cluster-{cluster.id}"
    if candidate in taken:
        candidate = f"{candidate}-{cluster.id}"
    return candidate


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so that examples read as the runner printed them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not re.search(r"[ \t]\n|[^\S\n]$", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def starter_pattern(
    report: Report,
    wanted: str,
    kb: PatternSet,
    log_names: str,
    taken_ids: Iterable[str] = (),
) -> Starter:
    """The starter pattern YAML for cluster `wanted` of a triaged log (its id not one of the
    knowledge base's, nor of `taken_ids`; its number the next free one)."""
    cluster = find_cluster(report, wanted)
    failures = [report.findings[i].failure for i in cluster.findings]
    signals, words = _signals(failures)
    if not any("regex" in s and s.get("field", "any") != "kind" for s in signals):
        raise UsageProblem(
            f"the failures of cluster {cluster.id} share no words to match on; "
            "write the pattern by hand from them",
            where="--cluster",
        )
    pattern_id = _pattern_id(words, cluster, kb, taken_ids)
    headline = " ".join(strip_shape(signature(failures[0])).split())[:160]
    doc: dict[str, Any] = {
        "id": pattern_id,
        "number": _number(kb),
        "title": f"TODO: name what fails ({' '.join(words[:6]) or cluster.id})",
        "summary": f"Failures like: {headline}",
        "rationale": (
            f"Started by `poolctl patterns new --from {log_names} --cluster {cluster.id}` from "
            f"the {len(failures)} unclassified failure(s) of that cluster. The signals are the "
            "words all of them say; check them against `poolctl patterns test`, add `negative:` "
            "signals for look-alikes, facts for the values that matter, and the remediation."
        ),
        "threshold": 0.5,
        "signals": signals,
        "remediation": "TODO: say what to change when this failure appears.",
    }
    pattern = Pattern.of(PatternSpec.model_validate(doc), "(starter)")
    example = _example(failures[0], f"from cluster {cluster.id}: {failures[0].origin}")
    look_alikes = _look_alikes(report, cluster, pattern)
    counter = look_alikes[0] if look_alikes else _counter_example(report, cluster, pattern)
    if counter is not None:  # a look-alike it matches: `patterns test` fails until it is told apart
        why = "of another cluster, which the signals match too" if look_alikes else "of the log"
        no_match = _example(counter.failure, f"another failure {why}: {counter.failure.origin}")
        doc["examples"] = {"match": [example], "no_match": [no_match]}
    PatternSpec.model_validate(doc)  # the file must load: checked before it is written
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return Starter(pattern_id, cluster, text, tuple(look_alikes))
