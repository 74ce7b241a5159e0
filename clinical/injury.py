"""The injured body parts of a letter, read from its clinical case summary.

Conservative by design (precision over recall): only the diagnosis statements are read
("Diagnoses include ...", "undergoing treatment for ...", "claim for neck and arm pain",
"injury to the right knee"), not every body part the summary mentions (examinations, imaging,
other complaints). A summary with no such statement falls back to its sentences naming an
injury or pain. Within a statement, each entry of the list counts unless it is hedged
("possible lumbar radiculopathy"); a limb named only as where a spinal problem is felt
("right arm paresthesias" beside "neck strain") does not count; a headache among stress
symptoms is not a head injury; "upper extremity" gives way to the shoulder, elbow or hand it
contains. Regions are classify.BODY_REGION_RULES' names, plus the diagnosis words of
data/injury.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from clinical import classify
from clinical.classify import RuleSet, Text

# Where a diagnosis statement starts: the list follows the cue.
DIAGNOSIS_CUE = re.compile(
    r"\bdiagnos(?:is|es|ed)\b(?:\s+(?:as\s+having|with|of|include[sd]?|includ\w+|are|is|was|"
    r"were|that\s+include|documented\s+as|noted\s+to\s+include))*|\bimpressions?\b|"
    r"\b(?:undergoing|receiving|being|been)\s+(?:treatments?|treated|care)\s+for\b|"
    r"\btreated\s+for\b|\btreatments?\s+for\b|\bclaim\s+for\b|\bincurring\b|"
    r"\bassessments?\s*:|"
    r"\binjur(?:y|ies|ed)\s+(?:to|of|in)\s+(?:the|his|her|their|both|a|an)?\b|"
    r"\binjured\s+(?:his|her|their|the|both)\b",
    re.IGNORECASE,
)
# Where a statement's list ends (the rest of the sentence is plan, treatment or findings).
STATEMENT_END = re.compile(
    r"\b(?:treatment\s+(?:plan|to\s+date|has|had|included|includes|rendered)|plan\s+of\s+care|"
    r"the\s+plan|requests?|requested|recommend\w*|prescri\w*|ordered|referr\w*|underwent|"
    r"physical\s+exam\w*|on\s+exam\w*|examination|utilization\s+review|progress\s+(?:note|report)|"
    r"according\s+to|medications?\s+(?:include|included|have|has))\b",
    re.IGNORECASE,
)
# Sentence boundary: ". " before an upper-case letter or a digit, not after a list number
# ("Diagnoses: 1. Cervical strain 2. ...").
SENTENCE = re.compile(r"(?<=[.;!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+(?=[A-Z0-9\"(])|\n{2,}")
# List entries: commas, semicolons, colons, numbered items.
ENTRY_SPLIT = re.compile(r"[;,:]|\s\d{1,2}[.)]\s|\u2022")
# Parts of an entry: "X and Y", "X with Y", "X/Y".
PART_SPLIT = re.compile(r"\band\b|\bwith\b|\bplus\b|/|\bas\s+well\s+as\b", re.IGNORECASE)

GENERIC_LIMBS = {
    "upper extremity": frozenset({"shoulder", "elbow", "wrist/hand"}),
    "lower extremity": frozenset({"hip", "knee", "ankle/foot"}),
}
SPINE = frozenset({"cervical spine", "thoracic spine", "lumbar spine"})
REGION_ORDER = tuple(region for region, _ in classify.BODY_REGION_RULES)


def injury_regions(clinical_summary: str) -> tuple[str, ...]:
    """The injured body parts named in the summary's diagnosis statements, in
    classify.BODY_REGION_RULES order (empty when none is named, e.g. a psychiatric claim)."""
    statements = diagnosis_statements(clinical_summary)
    if statements is None:
        statements = _injury_sentences(clinical_summary)
    found: set[str] = set()
    for statement in statements:
        found |= _statement_regions(statement)
    for generic, parts in GENERIC_LIMBS.items():
        if generic in found and found & parts:
            found.discard(generic)
    return tuple(region for region in REGION_ORDER if region in found)


def diagnosis_statements(clinical_summary: str) -> list[str] | None:
    """The diagnosis lists of a summary (each from its cue to where the list ends); None when
    the summary has no diagnosis statement at all (not: statements naming no body part)."""
    statements: list[str] = []
    cued = False
    for sentence in _sentences(clinical_summary):
        for cue in DIAGNOSIS_CUE.finditer(sentence):
            cued = True
            rest = sentence[cue.end() :]
            end = STATEMENT_END.search(rest)
            statements.append(rest[: end.start()] if end else rest)
    return statements if cued else None


def explain_injury(clinical_summary: str) -> list[tuple[str, tuple[str, ...]]]:
    """(statement, regions it gave) for each statement read, for the UI and for tests."""
    statements = diagnosis_statements(clinical_summary)
    if statements is None:
        statements = _injury_sentences(clinical_summary)
    return [
        (statement, tuple(r for r in REGION_ORDER if r in _statement_regions(statement)))
        for statement in statements
    ]


# ---------------------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(" ".join((text or "").split())) if s.strip()]


def _injury_sentences(text: str) -> list[str]:
    tables = _tables()
    return [s for s in _sentences(text) if tables.injury_words.first(Text.of(s))]


def _statement_regions(statement: str) -> set[str]:
    tables = _tables()
    text = _rewrite(statement, tables.rewrites)
    statement_words = Text.of(text)
    spine_named = bool(_regions(statement_words) & SPINE)
    radicular = spine_named and bool(tables.nerve_symptoms.first(statement_words))
    found: set[str] = set()
    for entry in ENTRY_SPLIT.split(text):
        psych = bool(tables.psych.first(Text.of(entry)))
        for part in PART_SPLIT.split(entry):
            words = Text.of(part)
            if not words.words or tables.hedges.first(words):
                continue
            regions = _regions(words)
            if psych and "head" in regions and not tables.head_injury.first(words):
                regions.discard("head")
            if spine_named and tables.nerve_symptoms.first(words):
                regions &= SPINE
            found |= regions
    if radicular:
        found -= set(GENERIC_LIMBS)
    return found


def _regions(words: Text) -> set[str]:
    tables = _tables()
    found = {tables.region_rules.names[index] for index in tables.region_rules.all(words)}
    found.update(classify.body_regions(words))
    return found


def _rewrite(text: str, rewrites: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    for pattern, replacement in rewrites:
        if pattern.search(text):
            text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class _Tables:
    region_rules: RuleSet
    rewrites: tuple[tuple[re.Pattern[str], str], ...]
    hedges: RuleSet
    nerve_symptoms: RuleSet
    psych: RuleSet
    injury_words: RuleSet
    head_injury: RuleSet  # head words that stay a head injury among stress symptoms


@cache
def _tables() -> _Tables:
    raw = json.loads(resources.files("clinical").joinpath("data", "injury.json").read_text("utf-8"))
    regions = tuple((region, tuple(words)) for region, words in raw["regions"].items())
    unknown = {region for region, _ in regions} - set(REGION_ORDER)
    if unknown:
        raise ValueError(f"injury.json: unknown regions {sorted(unknown)}")
    rewrites = tuple(
        (re.compile(r"\b" + re.escape(phrase) + r"\b", re.IGNORECASE), f" {replacement} ")
        for phrase, replacement in sorted(raw["rewrites"].items(), key=lambda kv: -len(kv[0]))
    )

    def words(name: str) -> RuleSet:
        return RuleSet.compile([(name, tuple(raw[name]))])

    return _Tables(
        RuleSet.compile(regions),
        rewrites,
        words("hedges"),
        words("nerve_symptoms"),
        words("psych"),
        words("injury_words"),
        RuleSet.compile(
            [("head", ("concussion*", "TBI", "traumatic brain*", "post traumatic*", "skull"))]
        ),
    )


__all__ = ["diagnosis_statements", "explain_injury", "injury_regions"]
