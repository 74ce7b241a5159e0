"""The prose of a generated letter: clinical case summary and decision rationales.

Realistic search needs realistic text: varied sentences with clinical vocabulary (so full-text
search and similar-case queries behave as on real letters), about 100-300 words per
rationale, built from the sentence pools in `vocabulary`. Template variables of one letter
(the worker, region findings, dates, the request) live in a `Context`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from indexer.records import Citation, Item
from synthetic import vocabulary as V

__all__ = ["Context", "ProseMaker", "in_prose", "join_words", "lower_first", "prose_date"]

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# How a rationale names the guideline it relies on: (subject, "state(s)", a short statement).
_MTUS_SOURCES = (
    ("The California MTUS guidelines", "state", "address this request"),
    ("The MTUS/ACOEM guidelines", "indicate", "apply to this request"),
    ("The CA MTUS", "states", "addresses this request"),
    ("The MTUS Chronic Pain Medical Treatment Guidelines", "note", "address this request"),
)
_ODG_SOURCES = (
    ("The Official Disability Guidelines", "state", "address this request"),
    ("The ODG", "indicates", "is silent on some aspects but addresses this request"),
)
_OTHER_SOURCES = (
    ("The guidelines", "indicate", "were reviewed"),
    ("Evidence-based guidelines", "suggest", "were consulted"),
)
_THERAPY = {
    V.PHYSICAL_THERAPY,
    V.CHIROPRACTIC,
    V.ACUPUNCTURE,
    V.FUNCTIONAL_RESTORATION,
    V.PSYCHOLOGICAL,
}


class Context(dict[str, object]):
    """Template variables of one letter; `str.format_map` reads it."""


def prose_date(day: date, rng: random.Random) -> str:
    """A date as letters write it in prose: 10-13-16, 10/13/2016, October 13, 2016..."""
    style = rng.randrange(5)
    if style == 0:
        return f"{day.month}-{day.day}-{day.year % 100:02d}"
    if style == 1:
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    if style == 2:
        return f"{day.month:02d}-{day.day:02d}-{day.year}"
    if style == 3:
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return f"{day.month}/{day.day}/{day.year % 100:02d}"


class ProseMaker:
    """Rationales and summaries, drawn from the letter factory's random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def rationale(
        self,
        category: str,
        drug_class: str | None,
        outcome: str,
        citations: tuple[Citation, ...],
        ctx: Context,
        topic: str | None = None,
    ) -> str:
        """A rationale for the category (or drug class; or `topic`, a request with statements
        and reasons of its own in the vocabulary) and the outcome."""
        rng = self.rng
        key = topic or drug_class or category
        reviewer = [c for c in citations if c.party == "reviewer"]
        if reviewer and reviewer[0].source == "MTUS":
            source = rng.choice(_MTUS_SOURCES)
        elif reviewer and reviewer[0].source == "ODG":
            source = rng.choice(_ODG_SOURCES)
        else:
            source = rng.choice(_OTHER_SOURCES)
        statements = V.GUIDELINE_STATEMENTS[key]
        picked = rng.sample(statements, min(len(statements), rng.randint(1, 3)))
        first = picked[0]
        lowered = lower_first(first)
        shape = rng.randrange(4)
        if shape == 0:
            first = f"{source[0]} {source[1]} that {lowered}"
        elif shape == 1:
            first = f"According to {source[0][0].lower()}{source[0][1:]}, {lowered}"
        elif shape == 2:
            first = f"{source[0]} {source[2]}. {first}"
        sentences = [first, *picked[1:]]
        sentences += rng.sample(V.CASE_SENTENCES, rng.randint(3, 5))
        group = V.MEDICATION if drug_class else "therapy" if category in _THERAPY else category
        group = topic or group
        reasons = V.UPHELD_REASONS if outcome == "Upheld" else V.OVERTURNED_REASONS
        pool = reasons.get(group, ()) + reasons["any"]
        sentences += rng.sample(pool, rng.randint(2, 3))
        conclusions = V.UPHELD_CONCLUSIONS if outcome == "Upheld" else V.OVERTURNED_CONCLUSIONS
        sentences.append(rng.choice(conclusions))
        if drug_class == V.OPIOID and outcome == "Upheld" and rng.random() < 0.4:
            sentences.append(V.OPIOID_CAVEAT)
        return " ".join(sentences).format_map(ctx)

    def summary(
        self,
        ctx: Context,
        items: list[Item],
        age: int | None,
        sex: str | None,
    ) -> str:
        rng = self.rng
        ctx["requests"] = join_words([i.treatment for i in items])
        prior = rng.sample(V.PRIOR_TREATMENTS, rng.randint(2, 5))
        if age is None:
            opening = rng.choice(V.SUMMARY_OPENINGS_BARE)
        else:
            opening = rng.choice(V.SUMMARY_OPENINGS)
            ctx["age"] = age
            ctx["sex"] = sex
        parts = [opening]
        if rng.random() < 0.6:
            parts.append(rng.choice(V.MECHANISMS))
        parts.append(rng.choice(V.DIAGNOSIS_LEADS))
        parts.append(rng.choice(V.TREATMENT_LEADS).replace("{prior}", join_words(prior)))
        if rng.random() < 0.6:
            meds = [rng.choice(rng.choice(V.DRUGS).names) for _ in range(rng.randint(2, 4))]
            parts.append(
                rng.choice(V.MEDICATION_SENTENCES).replace(
                    "{meds}", join_words(list(dict.fromkeys(meds)))
                )
            )
        parts += rng.sample(V.VISIT_SENTENCES, rng.randint(1, 2))
        parts.append(rng.choice(V.FINDING_SENTENCES))
        if rng.random() < 0.6:
            parts.append(rng.choice(V.IMAGING_SENTENCES))
        if rng.random() < 0.4:
            parts.append(rng.choice(V.WORK_STATUS))
        if rng.random() < 0.5:
            parts.append(rng.choice(V.PLAN_SENTENCES))
            parts.append(rng.choice(V.UR_SENTENCES_SHORT))
        else:
            parts.append(rng.choice(V.UR_SENTENCES))
        return " ".join(parts).format_map(ctx)


def lower_first(sentence: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("NSAIDs", "TENS")."""
    word = sentence.split(" ", 1)[0]
    return sentence if any(ch.isupper() for ch in word[1:]) else sentence[0].lower() + sentence[1:]


def in_prose(treatment: str, rng: random.Random) -> str:
    """The request as a rationale quotes it: quoted as written, or in lower case mid-sentence."""
    if rng.random() < 0.25:
        return f'"{treatment}"'
    if treatment.isupper():
        return treatment.lower()
    return lower_first(treatment)


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b, and c'."""
    if len(words) <= 1:
        return "".join(words)
    if len(words) == 2:
        return f"{words[0]} and {words[1]}"
    return ", ".join(words[:-1]) + ", and " + words[-1]
