"""One generated letter's ground truth: layout, dates, case number, reviewer, items.

The factory draws everything from one seeded random stream, in a fixed order, so the same
seed always gives the same letters. Requests, citations and prose each have their own maker
(treatments, citations, prose) sharing that stream.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from indexer.records import (
    FORMAT_DOCUMENTS_REVIEWED,
    FORMAT_NOTICE_2013,
    FORMAT_PROFESSIONAL_REVIEW,
    FORMAT_STANDARD,
    FORMATS,
    Item,
    Letter,
    Outcome,
    Party,
    item_id,
)
from synthetic import vocabulary as V
from synthetic.citations import MODERN, PROSE, CitationMaker
from synthetic.prose import Context, ProseMaker, in_prose, prose_date
from synthetic.showcase import Showcase
from synthetic.treatments import CATEGORY_POOL, REGION_POOL, TreatmentMaker, weighted

__all__ = ["LAYOUT_WEIGHTS", "UPHELD_SHARE", "FastRandom", "LetterFactory"]

# Share of each layout in a mixed corpus (the 2014+ layout is most of the real archive).
LAYOUT_WEIGHTS: dict[str, int] = {
    FORMAT_STANDARD: 85,
    FORMAT_DOCUMENTS_REVIEWED: 6,
    FORMAT_PROFESSIONAL_REVIEW: 4,
    FORMAT_NOTICE_2013: 5,
}
# Decision-date windows per layout (ordinal days), so a layout's letters carry its era's dates.
_WINDOWS: dict[str, tuple[date, date]] = {
    FORMAT_STANDARD: (date(2014, 2, 1), date(2026, 6, 30)),
    FORMAT_DOCUMENTS_REVIEWED: (date(2013, 9, 1), date(2014, 6, 30)),
    FORMAT_PROFESSIONAL_REVIEW: (date(2013, 7, 15), date(2014, 3, 31)),
    FORMAT_NOTICE_2013: (date(2013, 7, 1), date(2014, 1, 31)),
}
# Relative IMR volume per decision year (programme start-up, 2015-16 peak, steady decline).
_YEAR_WEIGHTS: dict[int, int] = {
    2014: 14,
    2015: 16,
    2016: 15,
    2017: 12,
    2018: 10,
    2019: 9,
    2020: 8,
    2021: 8,
    2022: 7,
    2023: 7,
    2024: 7,
    2025: 6,
    2026: 3,
}
# Items per letter: mean about 1.57, as in the real archive.
_ITEM_COUNTS = (
    (1,) * 660 + (2,) * 200 + (3,) * 80 + (4,) * 35 + (5,) * 15 + (6,) * 6 + (7,) * 3 + (8,)
)
UPHELD_SHARE = 0.89


class FastRandom(random.Random):
    """`random.Random` whose choice/randint/randrange/sample draw from one `random()` call.

    The stdlib versions are exact but spend most of the generator's time in
    `_randbelow`; a float draw is plenty for picking words, and stays deterministic.
    """

    def choice(self, seq):  # type: ignore[no-untyped-def]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def sample(self, population, k, *, counts=None):  # type: ignore[no-untyped-def]
        pool = list(population)
        size = len(pool)
        draw = self.random
        for i in range(k):
            j = i + int(draw() * (size - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


def _decision_day(rng: random.Random, layout: str) -> date:
    start, end = _WINDOWS[layout]
    if layout == FORMAT_STANDARD:
        year = rng.choice(_YEAR_POOL)
        start = max(start, date(year, 1, 1))
        end = min(end, date(year, 12, 31))
    return date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


_YEAR_POOL = tuple(y for y, w in _YEAR_WEIGHTS.items() for _ in range(w))
_REGIONS = {r.key: r for r in V.REGIONS}


class LetterFactory:
    """Draws one letter's ground truth at a time from a seeded random stream."""

    def __init__(self, seed: int, layouts: Sequence[str] = FORMATS) -> None:
        unknown = [name for name in layouts if name not in LAYOUT_WEIGHTS]
        if unknown or not layouts:
            raise ValueError(f"unknown layout(s) {unknown}; choose from {', '.join(FORMATS)}")
        self.rng = FastRandom(seed)
        self.citations = CitationMaker(self.rng)
        self.treatments = TreatmentMaker(self.rng)
        self.prose = ProseMaker(self.rng)
        self.layout_pool = weighted({k: LAYOUT_WEIGHTS[k] for k in layouts})
        self.sequence: dict[int, int] = {}  # per case-number year: last number used

    def letter(self, showcase: Showcase | None = None) -> Letter:
        """The next letter of the stream; with `showcase`, its first item is that request,
        decided that way (the rest of the letter is drawn as usual)."""
        rng = self.rng
        layout = rng.choice(self.layout_pool)
        decided = _decision_day(rng, layout)
        assigned = decided.toordinal() - rng.randint(12, 45)
        received = assigned - rng.randint(1, 12)
        ur_denied = received - rng.randint(3, 45)
        injured = ur_denied - rng.randint(60, 365 * 10)
        has_assigned = layout != FORMAT_NOTICE_2013
        case_year = date.fromordinal(assigned if has_assigned else decided.toordinal()).year
        case_number = self._case_number(case_year)

        ctx = Context()
        worker = rng.choice(
            (
                "the injured worker",
                "the injured worker",
                "the patient",
                "the claimant",
                "the applicant",
            )
        )
        ctx["worker"] = worker
        ctx["Worker"] = worker[0].upper() + worker[1:]
        region = _REGIONS[showcase.region] if showcase else rng.choice(REGION_POOL)
        second = rng.choice(REGION_POOL) if rng.random() < 0.3 else None
        if second is region:
            second = None
        side = rng.choice(V.SIDES) if region.sided else rng.choice(("left", "right"))
        self.treatments.region_context(ctx, region, side)
        visit = ur_denied - rng.randint(5, 40)
        ctx["visit"] = prose_date(date.fromordinal(visit), rng)
        ctx["visit2"] = prose_date(date.fromordinal(visit - rng.randint(14, 60)), rng)
        ctx["img_date"] = prose_date(date.fromordinal(rng.randint(injured, visit)), rng)
        ctx["dos"] = date.fromordinal(visit)

        count = rng.choice(_ITEM_COUNTS)
        style = PROSE if layout in (FORMAT_NOTICE_2013, FORMAT_PROFESSIONAL_REVIEW) else MODERN
        parties: tuple[Party, ...] = ("claims_administrator", "reviewer")
        if layout == FORMAT_PROFESSIONAL_REVIEW:
            parties = ("reviewer",)  # that layout states only the reviewer's guidelines
        items: list[Item] = []
        seen: set[str] = set()
        categories: list[str] = []
        attempts = 0
        while len(items) < count and attempts < count * 6:
            attempts += 1
            use = second if second is not None and rng.random() < 0.3 else region
            shown = showcase if showcase is not None and not items else None
            if shown is not None:
                use, category, drug_class = region, shown.category, None
                treatment = self.treatments.fill(shown.form, region, side)
                item_regions: tuple[str, ...] = (region.key,)
            else:
                category = rng.choice(CATEGORY_POOL)
                treatment, item_regions, drug_class = self.treatments.treatment(
                    category, use, region, second, side, ctx
                )
            key = treatment.lower()
            if key in seen:
                continue
            seen.add(key)
            categories.append(category)
            outcome: Outcome = "Upheld" if rng.random() < UPHELD_SHARE else "Overturned"
            if shown is not None:
                outcome = shown.outcome
            number = len(items) + 1
            citations, cited_nothing = self.citations.for_item(
                category,
                drug_class,
                use,
                decided,
                style,
                parties,
                professional=layout == FORMAT_PROFESSIONAL_REVIEW,
            )
            ctx["treatment"] = in_prose(treatment, rng)
            rationale = self.prose.rationale(
                category, drug_class, outcome, citations, ctx, shown.topic if shown else None
            )
            items.append(
                Item(
                    id=item_id(case_number, number),
                    item_number=number,
                    treatment=treatment,
                    outcome=outcome,
                    rationale=rationale,
                    citations=citations,
                    cited_nothing=cited_nothing,
                    category=category,
                    body_regions=item_regions,
                )
            )

        bare = rng.random() < 0.05
        years_since_injury = (decided.toordinal() - injured) // 365
        age = None if bare else rng.randint(19 + years_since_injury, 74)
        sex = None if bare else ("male" if rng.random() < 0.58 else "female")
        ctx["doi"] = prose_date(date.fromordinal(injured), rng)
        ctx["ur"] = prose_date(date.fromordinal(ur_denied), rng)
        summary = self.prose.summary(ctx, items, age, sex)
        specialties, licensure = self._reviewer(categories[0])
        return Letter(
            case_number=case_number,
            format=layout,
            source=f"{case_number}.txt",
            items=tuple(items),
            date_assigned=date.fromordinal(assigned).isoformat() if has_assigned else None,
            date_of_injury=date.fromordinal(injured).isoformat(),
            decision_date=decided.isoformat(),
            ur_denial_date=date.fromordinal(ur_denied).isoformat(),
            application_received=date.fromordinal(received).isoformat(),
            priority="Expedited" if rng.random() < 0.03 else "Standard",
            specialties=specialties,
            licensure=licensure,
            clinical_summary=summary,
            age=age,
            sex=sex,
        )

    def _case_number(self, year: int) -> str:
        """CMyy-nnnnnnn, unique within the corpus: a per-year counter with small random gaps."""
        yy = year % 100
        last = self.sequence.get(yy)
        if last is None:
            last = self.rng.randint(1, 9000)
        last += self.rng.randint(1, 3)
        self.sequence[yy] = last
        return f"CM{yy:02d}-{last:07d}"

    def _reviewer(self, category: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        rng = self.rng
        pool = V.SPECIALTIES_BY_CATEGORY.get(category, V.SPECIALTIES_GENERAL)
        if rng.random() < 0.25:
            pool = V.SPECIALTIES_GENERAL
        specialties = [rng.choice(pool)]
        if rng.random() < 0.2:
            extra = rng.choice(V.SUBSPECIALTIES)
            if extra not in specialties:
                specialties.append(extra)
        count = 1 if rng.random() < 0.55 else rng.randint(2, 3)
        states: list[str] = []
        while len(states) < count:
            state = rng.choice(V.STATES)
            if state not in states:
                states.append(state)
        return tuple(specialties), tuple(states)
