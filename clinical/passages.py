"""What makes a sentence of a rationale explain its decision (data/passages.json): weighted
groups of phrases, in the phrase syntax of clinical.words, read by the search results'
passage chooser (imr_search.passages).

A sentence saying what the reviewer found or missed in this case ("there is no documentation
of objective functional improvement") explains the decision; one retelling the records, or
the boilerplate every letter carries ("This decision addresses the medical necessity of
..."), does not. `explanation_score` says how much a sentence explains.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from clinical.words import trie_regex


@dataclass(frozen=True)
class CueGroup:
    name: str
    weight: float
    pattern: re.Pattern[str]
    discounts: tuple[tuple[str, float], ...] = ()  # (group, factor) where this group holds


@dataclass(frozen=True)
class PassageCues:
    groups: tuple[CueGroup, ...]
    cap: int  # phrases of one group counted in one sentence, at most


@cache
def passage_cues() -> PassageCues:
    raw = json.loads(resources.files("clinical").joinpath("data", "passages.json").read_text())
    groups = tuple(
        CueGroup(
            name,
            float(group["weight"]),
            # A lookahead: overlapping phrases count each ("there is no" + "no evidence").
            re.compile(r"(?<![a-z0-9])(?=(" + trie_regex(group["phrases"]) + "))"),
            tuple((other, float(f)) for other, f in group.get("discounts", {}).items()),
        )
        for name, group in raw["groups"].items()
    )
    return PassageCues(groups, int(raw["cap"]))


def explanation_score(sentence: str) -> float:
    """How much a sentence explains a decision: each group's weight times the distinct
    phrases of it the sentence holds (at most `cap`), scaled by the discounts of the other
    groups it holds."""
    lowered = sentence.lower()
    cues = passage_cues()
    found = {g.name: {m.group(1) for m in g.pattern.finditer(lowered)} for g in cues.groups}
    factor = dict.fromkeys(found, 1.0)
    for group in cues.groups:
        if found[group.name]:
            for other, scale in group.discounts:
                factor[other] *= scale
    return sum(g.weight * factor[g.name] * min(len(found[g.name]), cues.cap) for g in cues.groups)


def explanation_cues(sentence: str) -> dict[str, list[str]]:
    """group -> the phrases of it a sentence holds (for evaluation and debugging)."""
    lowered = sentence.lower()
    out: dict[str, list[str]] = {}
    for group in passage_cues().groups:
        found = sorted({m.group(1) for m in group.pattern.finditer(lowered)})
        if found:
            out[group.name] = found
    return out
