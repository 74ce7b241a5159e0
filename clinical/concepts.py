"""Treatment concepts: what kind of request an item is ("MRI", "Tramadol", "Epidural steroid
injection"), normalised so that "MRI of the left knee without contrast" and "Right knee MRI"
are one concept, and "Norco 10/325mg #60" and "Hydrocodone/APAP" are one drug.

Every decision comes from two data tables, read once (clinical/data/):

* concepts.json: ordered keyword rules for procedures, tests, therapies, equipment and
  services; the first rule whose keyword is in the request (and whose conditions hold) wins,
  so order encodes precedence ("Epidural steroid injection with pain consult" is the
  injection, "Spine surgery evaluation" the consultation, not the surgery).
* drugs.json: generics with their brand names, consulted where the rules say; a topical form
  ("in cream base", "5% patch") makes the topical variant, two or more drugs in one topical a
  compounded topical, two ingredients of a fixed combination that combination.

A treatment nothing matches gets "other:<category>". `explain_concept` says which rule and
keyword decided, for the UI and for tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from clinical import patterns as p
from clinical.classify import RuleSet, Text, body_regions, without_lab_abbreviations
from clinical.request_text import request_of

SPINE_REGIONS = frozenset({"cervical spine", "thoracic spine", "lumbar spine"})
# Written before a drug's name to make the topical variant ("Ketoprofen 20% in cream base").
TOPICAL_WORDS = RuleSet.compile([("topical", (
    "cream*", "gel", "gels", "ointment*", "lotion*", "patch", "patches", "pad", "pads", "topical*",
    "transdermal*", "liniment*", "balm*", "roll on", "rollon", "foam", "spray on", "film",
    "cream base", "emollient", "lipoderm", "solution topical", "external*",
))])  # fmt: skip
# A concentration ("5%", "20 percent") marks a compounded topical unless it is injected.
PERCENT = re.compile(r"\d\s*(?:%|percent\b)", re.IGNORECASE)
INJECTED = RuleSet.compile([("injected", ("inject*", "infusion*", "IV", "IM", "intramuscular*"))])
# Region name -> the adjective used in a phrase ("lumbar MRI").
REGION_ADJECTIVES = {
    "cervical spine": "cervical",
    "thoracic spine": "thoracic",
    "lumbar spine": "lumbar",
}
# A limb named in general -> the parts of it a letter's injury may name.
LIMB_PARTS = {
    "upper extremity": ("shoulder", "elbow", "wrist/hand"),
    "lower extremity": ("hip", "knee", "ankle/foot"),
}
# Concept groups that examine a whole limb: "EMG of the right upper extremity" stays so.
WHOLE_LIMB_GROUPS = frozenset({"electrodiagnostic"})
CATEGORY_LABELS = {
    "durable medical equipment": "Other durable medical equipment",
    "laboratory/testing": "Other test",
    "consultation/referral": "Other consultation",
    "home health/nursing": "Other home care",
}


@dataclass(frozen=True)
class Concept:
    """A normalised kind of request: stable key, what a user reads, and its family."""

    key: str  # "mri", "drug:tramadol", "other:imaging"
    label: str  # "MRI", "Tramadol"
    group: str  # "imaging", "opioid": the next similarity tier


@dataclass(frozen=True)
class _Rule:
    key: str
    keywords: tuple[str, ...]
    requires: RuleSet | None
    requires_regions: frozenset[str]
    unless: RuleSet | None


@dataclass(frozen=True)
class _Drug:
    key: str
    label: str
    group: str
    ingredients: frozenset[str]
    form: str  # "oral" | "topical" | "systemic-transdermal" | "kit"
    topical_key: str | None
    implied_by: tuple[re.Pattern[str], ...]
    generic: bool


@dataclass(frozen=True)
class _Tables:
    concepts: dict[str, Concept]
    regional: frozenset[str]
    spine_keys: dict[str, str]  # rule key -> key when the request names the spine
    surgery_keys: dict[str, str]  # rule key -> key for a surgical service
    rules: tuple[_Rule | None, ...]  # None marks where the drug table is consulted
    matcher: RuleSet  # rule index -> keywords
    drugs: tuple[_Drug, ...]
    drug_keys: dict[str, _Drug]
    drug_matcher: _PhraseMatcher


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def treatment_concept(treatment: str, category: str | None = None) -> Concept:
    """The concept of a treatment as the letter writes it; "other:<category>" when no rule
    or drug matches (`category` is classify's category, used only for that fallback)."""
    return explain_concept(treatment, category)[0]


def explain_concept(treatment: str, category: str | None = None) -> tuple[Concept, str]:
    """(concept, why): the rule and keyword, or the drug and name, that decided."""
    tables = _tables()
    request = request_of(treatment or "")
    words = without_lab_abbreviations(request.text)
    if not words.words:
        return _fallback(category), "empty treatment"
    hits: dict[int, str] = {}
    for index, hit in tables.matcher.hits(words):
        hits.setdefault(index, hit)
    regions: frozenset[str] | None = None
    drug_checked = False
    for index, rule in enumerate(tables.rules):
        if rule is None:
            drug_checked = True
            found = _drug_concept(words, tables)
            if found:
                return found
            continue
        keyword = hits.get(index)
        if keyword is None:
            continue
        if rule.unless and rule.unless.first(words):
            continue
        if rule.requires_regions or rule.requires:
            if regions is None:
                regions = frozenset(body_regions(words))
            met = bool(rule.requires_regions & regions) or bool(
                rule.requires and rule.requires.first(words)
            )
            if not met:
                continue
        key = rule.key
        if key in tables.spine_keys and regions is None:
            regions = frozenset(body_regions(words))
        if key in tables.spine_keys and regions and regions & SPINE_REGIONS:
            key = tables.spine_keys[key]
        if request.surgical_service and key in tables.surgery_keys:
            key = tables.surgery_keys[key]
        return tables.concepts[key], f"rule {rule.key}: keyword {keyword!r}"
    if not drug_checked:
        found = _drug_concept(words, tables)
        if found:
            return found
    dose = p.DOSAGE.search(words.text)
    if dose and category in (None, "medication", "other"):
        return _fallback("medication"), f"dosage {dose.group(0)!r}, no known drug"
    return _fallback(category), "no rule matched"


def concept_phrase(concept: Concept, regions: Iterable[str] = ()) -> str:
    """How a request reads with its body regions: "lumbar MRI", "shoulder arthroscopy",
    "cervical and lumbar physical therapy"; drugs and non-regional concepts take none."""
    if concept.key not in _tables().regional:
        return concept.label
    names = [REGION_ADJECTIVES.get(region, region) for region in dict.fromkeys(regions)]
    if not names:
        return concept.label
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    first, _, rest = concept.label.partition(" ")
    if not any(ch.isupper() for ch in first[1:]) and not any(ch.isdigit() for ch in first):
        first = first[:1].lower() + first[1:]
    return f"{joined} {first} {rest}".strip()


def concept_regions(
    treatment: str, concept: Concept, injury: Sequence[str] = ()
) -> tuple[str, ...]:
    """The body regions a request concerns: those its text names; for a regional concept
    whose text names none ("Physical therapy 6 sessions"), the letter's injury regions; a
    limb named in general ("MRI of the left lower extremity") narrowed to the injured part
    of that limb (the knee) when the letter names one."""
    named = body_regions(request_of(treatment or "").text)
    if not is_regional(concept):
        return named
    if not named:
        return tuple(injury)
    if concept.group in WHOLE_LIMB_GROUPS:
        return named
    narrowed: list[str] = []
    for region in named:
        parts = [r for r in injury if r in LIMB_PARTS.get(region, ())]
        narrowed += parts or [region]
    return tuple(dict.fromkeys(narrowed))


def concepts() -> tuple[Concept, ...]:
    """Every concept the rules and the drug table can give (without the other:* fallbacks)."""
    tables = _tables()
    drugs = (_drug_to_concept(drug) for drug in tables.drugs)
    topical = (
        _topical_concept(drug, tables)
        for drug in tables.drugs
        if drug.form == "oral" and not drug.generic
    )
    return tuple(dict.fromkeys((*tables.concepts.values(), *drugs, *topical)))


def is_regional(concept: Concept) -> bool:
    """Whether the concept is read with a body region ("lumbar MRI"); drugs are not."""
    return concept.key in _tables().regional


# ---------------------------------------------------------------------------------------------
# Drugs
# ---------------------------------------------------------------------------------------------


def _drug_concept(words: Text, tables: _Tables) -> tuple[Concept, str] | None:
    found = tables.drug_matcher.find(words.words)
    if not found:
        return None
    named = [tables.drugs[index] for index, _ in found]
    names = {tables.drugs[index].key: keyword for index, keyword in found}
    specific = [drug for drug in named if not drug.generic]
    if not specific:
        drug = named[0]
        return _drug_to_concept(drug), f"drug class {drug.key}: {names[drug.key]!r}"
    injected = bool(INJECTED.first(words))
    topical = not injected and (
        any(drug.form == "topical" for drug in specific)
        or bool(TOPICAL_WORDS.first(words))
        or bool(PERCENT.search(words.text))
    )
    ingredients: set[str] = set().union(*(drug.ingredients for drug in specific))
    kits = [drug for drug in specific if drug.form == "kit"]
    if kits:
        drug = kits[0]
        return _drug_to_concept(drug), f"drug {drug.key}: {names[drug.key]!r}"
    combination = _combination(specific, ingredients, words, tables)
    if topical:
        actives = {i for drug in specific for i in drug.ingredients if drug.form != "kit"}
        if len(actives) > 1 and not (combination and combination.ingredients == actives):
            drug = tables.drug_keys["compounded-topical"]
            listed = ", ".join(sorted(actives))
            return _drug_to_concept(drug), f"topical with {len(actives)} drugs: {listed}"
        drug = combination or specific[0]
        if drug.form in ("topical", "systemic-transdermal", "kit"):
            return _drug_to_concept(drug), f"drug {drug.key}: {names.get(drug.key, drug.key)!r}"
        return _topical_concept(drug, tables), f"topical form of {drug.key}"
    drug = combination or specific[0]
    how = names.get(drug.key) or "+".join(sorted(drug.ingredients))
    return _drug_to_concept(drug), f"drug {drug.key}: {how!r}"


def _combination(
    named: Sequence[_Drug], ingredients: set[str], words: Text, tables: _Tables
) -> _Drug | None:
    """A fixed combination named by brand, or whose ingredients are all named (an
    acetaminophen strength such as "10/325" counts as naming acetaminophen)."""
    for drug in named:
        if len(drug.ingredients) > 1:
            return drug
    if len(ingredients) == 1:
        implied = {
            drug.key
            for drug in tables.drugs
            if drug.implied_by and any(pattern.search(words.text) for pattern in drug.implied_by)
        }
        ingredients = ingredients | implied
    best: _Drug | None = None
    for drug in tables.drugs:
        combines = len(drug.ingredients) > 1 and drug.form != "kit"
        if (
            combines
            and drug.ingredients <= ingredients
            and (best is None or len(drug.ingredients) > len(best.ingredients))
        ):
            best = drug
    return best


def _drug_to_concept(drug: _Drug) -> Concept:
    return Concept(f"drug:{drug.key}", drug.label, drug.group)


def _topical_concept(drug: _Drug, tables: _Tables) -> Concept:
    key = drug.topical_key or f"{drug.key}-topical"
    if key in tables.drug_keys:
        return _drug_to_concept(tables.drug_keys[key])
    return Concept(f"drug:{key}", f"Topical {drug.label.lower()}", "topical-analgesic")


# ---------------------------------------------------------------------------------------------
# Fallback and tables
# ---------------------------------------------------------------------------------------------


def _fallback(category: str | None) -> Concept:
    name = (category or "other").strip() or "other"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "other"
    label = CATEGORY_LABELS.get(name, "Other request" if slug == "other" else f"Other {name}")
    return Concept(f"other:{slug}", label, slug if slug != "other" else "other")


Part = tuple[str, bool]  # a word of a name, and whether '*' lets it continue


@dataclass(frozen=True)
class _PhraseMatcher:
    """Finds drug names in a word sequence with their positions, keeping the longest match
    where names overlap ("Voltaren gel" is the gel, not Voltaren tablets)."""

    # first word -> names starting with it; 3-letter prefix -> names whose first word is open
    exact: dict[str, tuple[tuple[tuple[Part, ...], int, str], ...]]
    prefix: dict[str, tuple[tuple[tuple[Part, ...], int, str], ...]]

    @classmethod
    def compile(cls, names: Iterable[tuple[int, str]]) -> _PhraseMatcher:
        exact: dict[str, list[tuple[tuple[Part, ...], int, str]]] = {}
        prefix: dict[str, list[tuple[tuple[Part, ...], int, str]]] = {}
        for index, name in names:
            parts = _parts(name)
            if not parts:
                continue
            first, open_first = parts[0]
            table, key = (prefix, first[:3]) if open_first else (exact, first)
            table.setdefault(key, []).append((parts, index, name))
        return cls(
            {k: tuple(v) for k, v in exact.items()}, {k: tuple(v) for k, v in prefix.items()}
        )

    def find(self, words: Sequence[str]) -> list[tuple[int, str]]:
        """(drug index, name) of each name found, in text order, longest match first."""
        spans: list[tuple[int, int, int, str]] = []  # start, end, index, name
        for start, word in enumerate(words):
            for parts, index, name in (*self.exact.get(word, ()), *self.prefix.get(word[:3], ())):
                end = start + len(parts)
                if end <= len(words) and all(
                    words[start + n].startswith(part) if open_end else words[start + n] == part
                    for n, (part, open_end) in enumerate(parts)
                ):
                    spans.append((start, end, index, name))
        kept = [
            span
            for span in spans
            if not any(
                other[0] <= span[0]
                and span[1] <= other[1]
                and (other[1] - other[0]) > (span[1] - span[0])
                for other in spans
            )
        ]
        kept.sort(key=lambda span: (span[0], span[0] - span[1]))
        out: list[tuple[int, str]] = []
        seen: set[int] = set()
        for _, _, index, name in kept:
            if index not in seen:
                seen.add(index)
                out.append((index, name))
        return out


def _parts(name: str) -> tuple[Part, ...]:
    """'compound* cream*' -> (('compound', True), ('cream', True))."""
    parts: list[Part] = []
    for token in name.lower().split():
        words = p.WORD.findall(token)
        last = len(words) - 1
        parts += [(word, token.endswith("*") and n == last) for n, word in enumerate(words)]
    return tuple(parts)


def _data(name: str) -> dict[str, Any]:
    return json.loads(resources.files("clinical").joinpath("data", name).read_text("utf-8"))


@cache
def _tables() -> _Tables:
    raw = _data("concepts.json")
    concepts: dict[str, Concept] = {}
    regional: set[str] = set()
    for key, spec in raw["concepts"].items():
        concepts[key] = Concept(key, spec["label"], spec["group"])
        if spec.get("regional"):
            regional.add(key)
    rules: list[_Rule | None] = []
    keyword_rules: list[tuple[str, tuple[str, ...]]] = []
    spine_keys: dict[str, str] = {}
    surgery_keys: dict[str, str] = {}
    for spec in raw["rules"]:
        if spec.get("drugs"):
            rules.append(None)
            keyword_rules.append(("@drugs", ()))
            continue
        key = spec["key"]
        if key not in concepts:
            raise ValueError(f"concepts.json: rule for undeclared concept {key!r}")
        for option, target in (("spine_key", spine_keys), ("lab_key_in_surgery", surgery_keys)):
            if spec.get(option):
                if spec[option] not in concepts:
                    raise ValueError(f"concepts.json: {option} {spec[option]!r} undeclared")
                target[key] = spec[option]
        rules.append(
            _Rule(
                key,
                tuple(spec["keywords"]),
                _one_rule(spec.get("requires")),
                frozenset(spec.get("requires_regions", ())),
                _one_rule(spec.get("unless")),
            )
        )
        keyword_rules.append((key, tuple(spec["keywords"])))
    drugs_raw = _data("drugs.json")["drugs"]
    drugs = tuple(
        _Drug(
            d["key"],
            d["label"],
            d["group"],
            frozenset(d.get("ingredients") or (d["key"],)),
            d.get("form", "oral"),
            d.get("topical_key"),
            tuple(re.compile(pattern) for pattern in d.get("implied_by", ())),
            bool(d.get("generic")),
        )
        for d in drugs_raw
    )
    names = [(index, name) for index, d in enumerate(drugs_raw) for name in d["names"]]
    return _Tables(
        concepts,
        frozenset(regional),
        spine_keys,
        surgery_keys,
        tuple(rules),
        RuleSet.compile(keyword_rules),
        drugs,
        {drug.key: drug for drug in drugs},
        _PhraseMatcher.compile(names),
    )


def _one_rule(keywords: Sequence[str] | None) -> RuleSet | None:
    return RuleSet.compile([("x", tuple(keywords))]) if keywords else None


__all__ = [
    "Concept",
    "concept_phrase",
    "concept_regions",
    "concepts",
    "explain_concept",
    "is_regional",
    "treatment_concept",
]
