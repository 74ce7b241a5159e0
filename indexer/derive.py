"""What the indexer derives from a record before storing it: the facts users filter and
compare on, read by the transparent rules of this package.

- the kind of request (concepts.py): concept, family, the regions it concerns, and its words
  for `request:` searches (PT/PTT read as the lab panel it is);
- the injured body parts of the letter (injury.py);
- reviewer specialties as board names (specialties.py);
- each citation's canonical guideline and sections (guidelines.py);
- the clinical findings the rationale and the summary state (clinical/findings.py).

The parser's records keep what the letter says; documents carry these derived values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import lru_cache

from clinical.classify import Text, without_lab_abbreviations
from clinical.concepts import concept_phrase, concept_regions, explain_concept
from clinical.findings import findings
from clinical.request_text import request_of
from clinical.words import warm as warm_findings
from indexer.guidelines import canonical_guideline, canonical_sections
from indexer.records import Item
from mappings.schema import Citation, Request

# Bump when a rule change alters what documents hold: index fingerprints include it, so the
# next run re-indexes every letter with the new rules.
RULES_VERSION = "2"


def warm_rules() -> None:
    """Compile every rule table now (the findings' patterns take a second or two): called
    before worker processes are forked, so that they share one compiled copy."""
    warm_findings()
    findings("warm")
    explain_concept("warm")
    canonical_guideline("MTUS", None, "")


def request(item: Item, injury: Sequence[str]) -> Request:
    """The kind of request an item is (the concept rules' answer, with its regions)."""
    concept, _ = explain_concept(item.treatment, item.category)
    regions = concept_regions(item.treatment, concept, injury)
    words = without_lab_abbreviations(Text.of(request_of(item.treatment).text)).words
    terms = " ".join(
        (
            *words,
            concept.label,
            concept.group.replace("-", " "),
            *(region.replace("/", " ") for region in regions),
        )
    )
    return Request(
        concept=concept.key,
        label=concept.label,
        group=concept.group,
        phrase=concept_phrase(concept, regions),
        regions=regions,
        terms=terms,
    )


def stated_findings(rationale: str, summary: str) -> tuple[str, ...]:
    """The findings the rationale states, then those only the summary states, as users read
    them ("no red flags"); a finding stated both ways keeps the rationale's."""
    found = {f.key: f.text for f in findings(rationale)}
    for f in findings(summary):
        found.setdefault(f.key, f.text)
    return tuple(found.values())


def canonical_citation(citation: Citation) -> Citation:
    """The citation with its canonical guideline as label and its canonical sections."""
    label, sections = _canonical(
        citation.source, citation.guideline, citation.sections, citation.text
    )
    return dataclasses.replace(citation, label=label, section_labels=sections)


@lru_cache(maxsize=1 << 15)
def _canonical(
    source: str, guideline: str | None, sections: tuple[str, ...], text: str
) -> tuple[str, tuple[str, ...]]:
    """(label, sections): citation sentences repeat across letters, so they are remembered."""
    name = canonical_guideline(source, guideline, text)
    label = name if name.startswith(("MTUS", "ODG")) else f"Other: {name}"
    return label, canonical_sections(source, guideline, sections, text)
