"""The syntax of a remediation template, and the facts a template names.

`{fact}` is the fact's value; `{fact|other|text}` the first present fact, else the last
alternative as text; `{?fact:text}` keeps `text` only when the fact is present and true,
`{!fact:text}` only when it is not. The classifier fills a template
(`poolctl.triage.classifier.render_template`); the loader refuses one that names a fact the
pattern never has (`fact_names`).
"""

from __future__ import annotations

import functools
import re

# `{fact}` or `{fact|alternative|...}`, in the plain text of a template
FIELD = re.compile(r"\{([a-z][a-z0-9_]*)(?:\|([^{}]*))?\}")
# A template, parsed: text to fill with facts, or a condition (sign, fact, inner template).
Part = str | tuple[str, str, "tuple[Part, ...]"]
_CONDITION = re.compile(r"\{([?!])([a-z][a-z0-9_]*):")


@functools.cache
def parsed_template(template: str) -> tuple[Part, ...]:
    """`template` cut into its plain parts and its conditions (parsed once per template)."""
    out: list[Part] = []
    i = 0
    while i < len(template):
        cond = _CONDITION.match(template, i)
        if cond is None:
            nxt = template.find("{", i + 1)
            j = template.find("{?", i)
            k = template.find("{!", i)
            stops = [x for x in (j, k) if x != -1]
            stop = min(stops) if stops else len(template)
            if stop == i:  # a lone "{?" that is not a condition
                stop = nxt if nxt != -1 else len(template)
            out.append(template[i:stop])
            i = stop
            continue
        depth, j = 1, cond.end()
        while j < len(template) and depth:
            depth += {"{": 1, "}": -1}.get(template[j], 0)
            j += 1
        inner = template[cond.end() : j - 1]
        out.append((cond.group(1), cond.group(2), parsed_template(inner)))
        i = j
    return tuple(out)


def fact_names(template: str) -> list[str]:
    """The facts `template` reads, in order: each condition's, each `{fact}`, and each
    alternative of `{fact|...}` but the last (the text shown when none is present)."""
    return list(dict.fromkeys(_names(parsed_template(template))))


def _names(parts: tuple[Part, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            for m in FIELD.finditer(part):
                out.append(m.group(1))
                alternatives = m.group(2).split("|") if m.group(2) is not None else []
                out += alternatives[:-1]
        else:
            out.append(part[1])
            out += _names(part[2])
    return out
