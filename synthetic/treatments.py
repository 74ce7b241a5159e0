"""The disputed requests of a generated letter: treatment text, category, body regions.

Requests are written the way letters write them (dosages "#60", "10mg", frequencies "2x6",
sides, spinal levels, occasional upper case) from the templates in `vocabulary`; the category
and body regions recorded with each are what `clinical.classify` derives from that text (a
test checks the two agree), so generated facets match parsed ones.
"""

from __future__ import annotations

import random
from datetime import date

from synthetic import vocabulary as V
from synthetic.prose import Context, join_words

__all__ = ["REGION_POOL", "TreatmentMaker", "part_phrase"]


def weighted(weights: dict[str, int]) -> tuple[str, ...]:
    """A tuple in which each key repeats by its weight, so `rng.choice` draws by weight fast."""
    return tuple(k for k, w in weights.items() for _ in range(w))


CATEGORY_POOL = weighted(V.CATEGORY_WEIGHTS)
_REGION_BY_KEY = {r.key: r for r in V.REGIONS}
REGION_POOL = tuple(_REGION_BY_KEY[k] for k in weighted(V.REGION_WEIGHTS))
_DRUGS_BY_CLASS: dict[str, list[V.Drug]] = {}
for _drug in V.DRUGS:
    _DRUGS_BY_CLASS.setdefault(_drug.drug_class, []).append(_drug)
# Medication classes weighted as disputed in practice (opioids and topicals lead).
_DRUG_CLASS_POOL = (
    (V.OPIOID,) * 26
    + (V.RELAXANT,) * 14
    + (V.TOPICAL,) * 14
    + (V.NSAID,) * 10
    + (V.PPI,) * 9
    + (V.ANTICONVULSANT,) * 8
    + (V.ANTIDEPRESSANT,) * 6
    + (V.SLEEP,) * 5
    + (V.BENZO,) * 4
    + (V.MISC_DRUG,) * 4
)


class TreatmentMaker:
    """Requests for one letter at a time, from the letter factory's random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def region_context(self, ctx: Context, region: V.Region, side: str) -> None:
        rng = self.rng
        ctx["side"] = side
        ctx["part"] = part_phrase(region, side, rng)
        ctx["level"] = rng.choice(region.levels) if region.levels else ""
        ctx["dx"] = join_words(
            rng.sample(region.diagnoses, min(len(region.diagnoses), rng.randint(1, 3)))
        )
        symptom, symptom2 = (
            rng.sample(region.symptoms, 2) if len(region.symptoms) > 1 else region.symptoms * 2
        )
        ctx["symptom"] = symptom.format(side=_one_side(side, rng))
        ctx["symptom2"] = symptom2.format(side=_one_side(side, rng))
        finding, finding2 = rng.sample(region.findings, 2)
        ctx["finding"] = finding.format(side=_one_side(side, rng))
        ctx["finding2"] = finding2.format(side=_one_side(side, rng))
        ctx["imaging"] = rng.choice(region.imaging).format(
            side=_one_side(side, rng), level=ctx["level"] or "L4-5"
        )
        ctx["pain"] = str(rng.randint(4, 9))
        ctx["sessions"] = rng.choice(V.SESSIONS)
        ctx["prior"] = rng.choice(V.PRIOR_TREATMENTS)

    def fill(self, form: str, region: V.Region, side: str) -> str:
        """A request template of the region ({side}, {Side}, {level}) written out."""
        return _fill(form, region, side, self.rng)

    def treatment(
        self,
        category: str,
        use: V.Region,
        primary: V.Region,
        second: V.Region | None,
        side: str,
        ctx: Context,
    ) -> tuple[str, tuple[str, ...], str | None]:
        """(request text, body regions it names, drug class for medications)."""
        rng = self.rng
        use_side = side if use is primary else (rng.choice(V.SIDES) if use.sided else "left")
        part = part_phrase(use, use_side, rng)
        regions: tuple[str, ...] = (use.key,)
        drug_class = None
        if category == V.MEDICATION:
            drug_class = rng.choice(_DRUG_CLASS_POOL)
            dos = ctx["dos"]
            assert isinstance(dos, date)
            return _medication(rng, drug_class, dos), (), drug_class
        if category == V.SURGERY:
            if rng.random() < 0.12:
                return rng.choice(V.SURGERY_EXTRAS), (), None
            text = _fill(rng.choice(use.surgeries), use, use_side, rng)
        elif category == V.INJECTION:
            text = _fill(rng.choice(use.injections), use, use_side, rng)
        elif category == V.IMAGING:
            forms = V.SPINE_IMAGING_FORMS if use.levels else V.IMAGING_FORMS
            text = rng.choice(forms).format(part=part)
        elif category in (V.PHYSICAL_THERAPY, V.CHIROPRACTIC, V.ACUPUNCTURE):
            forms = {
                V.PHYSICAL_THERAPY: V.PT_FORMS,
                V.CHIROPRACTIC: V.CHIRO_FORMS,
                V.ACUPUNCTURE: V.ACU_FORMS,
            }[category]
            form = rng.choice(forms)
            if (
                second is not None
                and "{part}" in form
                and second.levels
                and use.levels
                and second is not use
            ):
                part = f"{use.phrases[0].replace(' spine', '')} and {second.phrases[0]}"
                regions = tuple(r for r in V.REGION_ORDER if r in (use.key, second.key))
            text = form.format(
                part=part, freq=rng.choice(V.FREQUENCIES), sessions=rng.choice(V.SESSIONS)
            )
            if "{part}" not in form:
                regions = ()
        elif category == V.DME:
            if rng.random() < 0.35:
                text = _fill(rng.choice(use.braces), use, use_side, rng)
            else:
                form = rng.choice(V.DME_FORMS)
                text = form.format(part=part)
                if "{part}" not in form:
                    regions = ()
        elif category == V.TESTING:
            form = rng.choice(V.TESTING_FORMS)
            limbs = V.LIMBS.get(use.key)
            if "{limb" in form and limbs is None:
                form = "Urine drug screen"
            text = form.format(
                limbs=limbs[0] if limbs else "",
                limb=limbs[1] if limbs else "",
                side=rng.choice(("left", "right")),
            )
            regions = (
                (limbs[1].replace("extremities", "extremity"),) if limbs and "{limb" in form else ()
            )
        elif category == V.CONSULTATION:
            form = rng.choice(V.CONSULT_FORMS)
            text = form.format(part=part)
            if "{part}" not in form:
                regions = ()
        else:
            forms = {
                V.PSYCHOLOGICAL: V.PSYCH_FORMS,
                V.FUNCTIONAL_RESTORATION: V.FRP_FORMS,
                V.HOME_HEALTH: V.HOME_HEALTH_FORMS,
                V.OTHER: V.OTHER_FORMS,
            }[category]
            text = rng.choice(forms).format(
                freq=rng.choice(V.FREQUENCIES),
                sessions=rng.choice(V.SESSIONS),
                hours=rng.choice(("80", "160", "96", "120")),
                hours_day=rng.choice(("4", "6", "8")),
                days=rng.choice(("3", "5", "7")),
                weeks=rng.choice(("4", "6", "8")),
                days_stay=rng.choice(("7", "10", "14", "21")),
            )
            regions = ()
        if rng.random() < 0.06:
            text = text.upper()
        return text, regions, drug_class


_PLURAL = {
    "foot": "feet",
    "ankle and foot": "ankles and feet",
    "wrist and hand": "wrists and hands",
    "knee": "knees",
    "shoulder": "shoulders",
    "hip": "hips",
    "elbow": "elbows",
    "wrist": "wrists",
    "hand": "hands",
    "ankle": "ankles",
}


def _one_side(side: str, rng: random.Random) -> str:
    return rng.choice(("left", "right")) if side == "bilateral" else side


def part_phrase(region: V.Region, side: str, rng: random.Random) -> str:
    phrase = rng.choice(region.phrases)
    if not region.sided:
        return phrase if " " in phrase else f"{phrase} spine"
    if side == "bilateral":
        return f"bilateral {_PLURAL.get(phrase, phrase)}"
    return f"{side} {phrase}"


def _fill(form: str, region: V.Region, side: str, rng: random.Random) -> str:
    """Fill a region template's {side}/{Side}/{level}; capitalise the first letter."""
    level = rng.choice(region.levels) if region.levels else ""
    text = form.format(side=side, Side=side.capitalize(), level=level)
    return text[0].upper() + text[1:]


def _medication(rng: random.Random, drug_class: str, dos: date) -> str:
    drug = rng.choice(_DRUGS_BY_CLASS[drug_class])
    name = rng.choice(drug.names)
    strength = rng.choice(drug.strengths)
    quantity = rng.choice(drug.quantities)
    dosing = rng.choice(V.DOSING) if drug_class != V.TOPICAL else ""
    text = f"{name} {strength}".rstrip() + dosing + f" {quantity}"
    roll = rng.random()
    if roll < 0.04:
        text = f"Retrospective {text} DOS: {dos.month}/{dos.day}/{dos.year % 100:02d}"
    elif roll < 0.08:
        text = f"{text} with {rng.randint(1, 3)} refills"
    return text
