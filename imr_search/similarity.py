"""Similar prior cases, engine-independent: what is compared, the ranking, and "why similar".

A similar case is first the same kind of request (the same treatment concept: lumbar MRI,
acupuncture, tramadol), then the same body region, then the same guideline and clinical
picture (the reviewer's guidelines and sections, the findings its rationale states), then
similar reasoning (the text). Each engine supplies candidates, tier after tier (the same
concept, then the same family, then the same category, then any), each tier ordered by its
own text similarity (SQLite: bm25 of the item's distinctive terms; Elasticsearch:
more_like_this); `rank` then scores every candidate with the weights below, so both engines
order by the same rule, and says in words why each case is similar.

A pasted text is read with the indexer's own rules (clinical.pasted): its request, regions
and findings, so "find similar" to a denial compares like with like too.

An item compared "as requested" (SimilarRequest.as_requested: the precedent estimate) is read
with what was known before its review only: its request (concept, family, category,
regions), the findings its clinical summary states, and the texts mappings.fields marks
known_before_review (the treatment and the summary); never its rationale, the findings read
from it, nor its reviewer's guidelines and sections, which would let the comparison read
the decision it is meant to precede.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from clinical.findings import findings as findings_in
from clinical.pasted import read_pasted
from clinical.words import warm as warm_findings
from imr_search.contract import SimilarHit, SimilarRequest, Why
from mappings.schema import ItemDocument

# Points per shared signal. A same-kind case outranks any case of another kind; within a
# kind, the same region outranks the rest; then guidelines, findings and text decide.
WEIGHTS = {
    "concept": 100.0,
    "family": 40.0,
    "category": 15.0,
    "region": 20.0,
    "guideline": 8.0,
    "section": 4.0,
    "finding": 3.0,  # each, at most MAX_FINDINGS of them
    "text": 12.0,  # the candidate's text score over the best candidate's
}
MAX_FINDINGS = 4
# Text-ranked candidates an engine gives per tier. 100, not 200: the same figures on the
# real letters (evaluation/similar_cases.py: 100% / 63.6% / 72.7%) and on 20,000 generated
# ones (100% same kind; same region 100% on SQLite, 99.9% instead of 100% on Elasticsearch),
# for about a fifth less time on Elasticsearch at 100k items (p95 49.7 -> 40.1 ms).
CANDIDATES_PER_TIER = 100
TIERS = ("concept", "family", "category", "any")
# The most items a word may occur in and still make two cases similar, on both engines (the
# text tier of each search: SQLite's bm25 terms, Elasticsearch's more_like_this): a word in
# more items says little about which of them are alike, and every item holding it is scored.
# SQLite also keeps the chosen words' items together within it (sqlite.similar_terms).
TERM_DF_BUDGET = 25_000


@dataclass(frozen=True)
class Probe:
    """What similar cases are compared with: an item, or a pasted text as the rules read it."""

    concept: str | None  # Request.label ("MRI"): the concept facet's value
    family: str | None  # Request.group ("imaging")
    category: str | None
    phrase: str  # "lumbar MRI": how the request reads
    regions: frozenset[str]
    guidelines: frozenset[str]  # the reviewer's guideline labels
    sections: frozenset[str]  # the reviewer's guideline sections
    findings: frozenset[str]
    decision_date: str | None = None
    outcome: str | None = None
    item_id: str | None = None
    letter_id: str | None = None

    def tier_value(self, tier: str) -> str | None:
        """The value candidates of a tier share with the probe (None: no such tier)."""
        return {"concept": self.concept, "family": self.family, "category": self.category}.get(tier)


def warm() -> None:
    """Compile the rules that read pasted text now (a second or two), e.g. in a server's
    master process before its workers fork, rather than in a user's first request."""
    warm_findings()
    probe_of_text("warm")


def probe_of_item(doc: ItemDocument, as_requested: bool = False) -> Probe:
    """The item as compared; `as_requested`: only what was known before its review."""
    reviewer = () if as_requested else doc.citations_by("reviewer")
    findings = (
        frozenset(f.text for f in findings_in(doc.letter.clinical_summary))
        if as_requested
        else frozenset(doc.findings)
    )
    return Probe(
        concept=doc.request.label,
        family=doc.request.group,
        category=doc.category,
        phrase=doc.request.phrase,
        regions=frozenset(doc.request.regions),
        guidelines=frozenset(c.label for c in reviewer),
        sections=frozenset(s for c in reviewer for s in c.section_labels),
        findings=findings,
        decision_date=doc.letter.decision_date,
        outcome=doc.outcome,
        item_id=doc.id,
        letter_id=doc.letter_id,
    )


def probe_of_text(text: str, category: str | None = None) -> Probe:
    reading = read_pasted(text)
    concept = reading.concept
    return Probe(
        concept=concept.label if concept else None,
        family=concept.group if concept else None,
        category=category,
        phrase=reading.phrase,
        regions=frozenset(reading.regions),
        guidelines=frozenset(),
        sections=frozenset(),
        findings=frozenset(f.text for f in findings_in(text)),
    )


@dataclass(frozen=True)
class Candidate:
    """A case an engine proposes: its document and its text similarity to the probe."""

    doc: ItemDocument
    text_score: float = 0.0
    shared_terms: tuple[str, ...] = field(default=())


def rank(probe: Probe, candidates: Iterable[Candidate], k: int) -> list[SimilarHit]:
    """The k best candidates by the weights, each with why it is similar (ties: newest)."""
    unique = {c.doc.id: c for c in candidates}
    best_text = max((c.text_score for c in unique.values()), default=0.0) or 1.0
    scored = [(_score(probe, c, best_text), c) for c in unique.values()]
    # Best first; ties: the newest decision (undated last), then item id. Stable sorts, the
    # last key first: a composite key with a reversed date string cost 20 us a candidate.
    scored.sort(key=lambda sc: sc[1].doc.id)
    scored.sort(key=lambda sc: sc[1].doc.letter.decision_date or "", reverse=True)
    scored.sort(key=lambda sc: -sc[0][0])
    return [
        SimilarHit(
            doc=c.doc,
            score=round(score, 3),
            shared_terms=c.shared_terms,
            why=_why(c, signals),  # only for the k shown: most candidates need none
        )
        for (score, signals), c in scored[:k]
    ]


class _Signals(NamedTuple):
    """What a candidate shares with the probe (the parts of its score; a tuple: made for
    every candidate)."""

    same_concept: bool
    same_family: bool
    same_category: bool
    regions: tuple[str, ...]
    guidelines: tuple[str, ...]
    sections: tuple[str, ...]
    findings: tuple[str, ...]


def _score(probe: Probe, candidate: Candidate, best_text: float) -> tuple[float, _Signals]:
    doc = candidate.doc
    w = WEIGHTS
    same_concept = probe.concept is not None and doc.request.label == probe.concept
    same_family = (
        not same_concept and probe.family is not None and doc.request.group == probe.family
    )
    same_category = (
        not (same_concept or same_family)
        and probe.category is not None
        and doc.category == probe.category
    )
    regions = tuple(r for r in doc.request.regions if r in probe.regions)
    guidelines: dict[str, None] = {}
    sections: dict[str, None] = {}
    for citation in doc.citations:  # the reviewer's, in order, each name once
        if citation.party != "reviewer":
            continue
        if citation.label in probe.guidelines:
            guidelines[citation.label] = None
        for section in citation.section_labels:
            if section in probe.sections:
                sections[section] = None
    findings = tuple(f for f in doc.findings if f in probe.findings)
    text = candidate.text_score / best_text
    score = (
        w["concept"] * same_concept
        + w["family"] * same_family
        + w["category"] * same_category
        + w["region"] * bool(regions)
        + w["guideline"] * bool(guidelines)
        + w["section"] * bool(sections)
        + w["finding"] * min(len(findings), MAX_FINDINGS)
        + w["text"] * text
    )
    signals = _Signals(
        same_concept,
        same_family,
        same_category,
        regions,
        tuple(guidelines),
        tuple(sections),
        findings,
    )
    return score, signals


def _why(candidate: Candidate, signals: _Signals) -> Why:
    doc = candidate.doc
    return Why(
        same_request=doc.request.phrase if signals.same_concept and signals.regions else None,
        same_kind=doc.request.label if signals.same_concept else None,
        same_family=doc.request.group if signals.same_family else None,
        same_category=doc.category if signals.same_category else None,
        same_regions=signals.regions,
        shared_guidelines=signals.guidelines,
        shared_sections=signals.sections,
        shared_findings=signals.findings,
        shared_terms=candidate.shared_terms,
    )


def allowed(probe: Probe, doc: ItemDocument, request: SimilarRequest) -> bool:
    """Whether a candidate passes the request's options (engines filter the same way; this
    is the reference their filters must agree with)."""
    if probe.item_id is not None and doc.id == probe.item_id:
        return False
    if (
        probe.letter_id is not None
        and not request.include_same_letter
        and doc.letter_id == probe.letter_id
    ):
        return False
    decided = doc.letter.decision_date
    if (
        request.prior_only
        and probe.decision_date
        and (not decided or decided >= probe.decision_date)
    ):
        return False
    if request.same_outcome and probe.outcome is not None and doc.outcome != probe.outcome:
        return False
    if request.same_region and not (probe.regions & set(doc.request.regions)):
        return False
    return request.category is None or doc.category == request.category


def tiers_needed(probe: Probe, found: Sequence[Candidate], k: int) -> bool:
    """Whether lower tiers are still worth asking for: fewer than k candidates so far."""
    return len({c.doc.id for c in found}) < k
