"""Reading pasted text (a utilization-review denial, a case summary) as the indexer reads a
letter: what was requested, and where on the body.

A pasted text names its request inside sentences ("the request for 12 sessions of physical
therapy for the lumbar spine was non-certified"). The request phrases are found from their
usual frames (request for, requested, authorization for, denial of, non-certified, ...); the
concept rules read each phrase, and the first phrase they recognise wins. Without such a
frame, the rules read the text's sentences one by one. The regions are those the request
phrase names, else the injured body parts the text's diagnoses name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinical.classify import body_regions
from clinical.concepts import Concept, concept_phrase, is_regional, treatment_concept
from clinical.injury import injury_regions

# "<frame> <request phrase> <end>": the phrase is what the frame asks for, up to a verb, a
# conjunction or punctuation that ends it.
_FRAME = (
    r"(?:request(?:ed|s)?|requesting|prescri(?:bed|ption)|authori[sz](?:ation|ed|e)|denial|"
    r"denied|non-?certif(?:ied|ication|y)|modif(?:ied|ication)|appeal(?:ed)?|dispute[sd]?|"
    r"recommend(?:ed|ation)?|review\s+of)"
)
_END = (
    r"(?=\s+(?:was|were|is|are|has|have|had|as|due|because|on|per|by|which|that|and\s+was)\b"
    r"|[.;:,)\n]|$)"
)
_LEAD = r"\s+(?:for|of)?\s*(?:(?:an?|the|additional|further|continued)\s+)*"
REQUEST_PHRASE = re.compile(_FRAME + _LEAD + r"(?P<phrase>[^.;:\n]{3,90}?)" + _END, re.IGNORECASE)
SENTENCE = re.compile(r"[^.!?\n]+")


@dataclass(frozen=True)
class Reading:
    """What a pasted text asks about; concept None when no rule recognises a request."""

    concept: Concept | None
    regions: tuple[str, ...]
    phrase: str  # "lumbar physical therapy", or "" without a concept
    request: str  # the words the concept was read from


def read_pasted(text: str) -> Reading:
    """The request a pasted text is about, and its body regions."""
    for span in _candidates(text):
        concept = treatment_concept(span)
        if not concept.key.startswith("other:"):
            regions = body_regions(span) or (injury_regions(text) if is_regional(concept) else ())
            return Reading(concept, regions, concept_phrase(concept, regions), span)
    return Reading(None, injury_regions(text), "", "")


def _candidates(text: str) -> list[str]:
    """Request phrases in their frames first, then each sentence."""
    phrases = [m.group("phrase").strip() for m in REQUEST_PHRASE.finditer(text)]
    sentences = [s.strip() for s in SENTENCE.findall(text) if len(s.strip()) > 3]
    return phrases + sentences
