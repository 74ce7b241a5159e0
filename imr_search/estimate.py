"""The precedent estimate: how the decisions most similar to a new denial (or to an item)
went, with a 95% interval, by the guideline the reviewer relied on, and the reasons that
separated their outcomes.

It summarises past decisions and is not a prediction of the next one: the precedents are
the PRECEDENTS most similar prior decisions (imr_search.similarity), and their rate is just
that. For an item, only decisions dated before it count (what was known when it was
decided), and they are compared with it "as requested": on its request and its clinical
summary, what was known before its review, never its rationale or its reviewer's
guidelines (which argue and support its outcome: an estimate that read them would partly
read the decision itself). An item without a decision date cannot be limited to prior
decisions: every decision is compared, and the note says so. For pasted text, every decision
counts. A text too short to say what was requested gets a message saying what to paste
instead of an estimate from noise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from imr_search.contract import BreakdownRow, Engine, OutcomeRate, SimilarHit, SimilarRequest
from imr_search.errors import InvalidParameter
from imr_search.query import words_of
from imr_search.reasons import Reasons, of_documents

PRECEDENTS = 20
CITED_NOTHING = "cited nothing"  # the guideline row of precedents whose reviewer cited none
MIN_WORDS = 8  # words a pasted text needs before it is compared
NOT_A_PREDICTION = (
    "This summarises how the most similar past decisions went; it is not a prediction of how "
    "the next one will be decided."
)
AS_REQUESTED = (
    "They are compared with this decision on the request and the clinical summary, as known "
    "before the review (not on its rationale or the guidelines its reviewer cited)."
)
UNDATED = (
    "This decision has no date, so it cannot be compared with prior decisions only: decisions "
    "of any date count, later ones included."
)


@dataclass(frozen=True)
class Estimate:
    precedents: tuple[SimilarHit, ...]
    rate: OutcomeRate  # how the precedents went
    by_guideline: tuple[BreakdownRow, ...]  # by the guideline their reviewer relied on
    reasons: Reasons  # what separated their outcomes
    prior_only: bool  # only decisions dated before the item's
    note: str = NOT_A_PREDICTION


def for_item(engine: Engine, item_id: str, k: int = PRECEDENTS) -> Estimate:
    """The estimate from the decisions dated before the item most similar to it as requested
    (every decision, said in the note, when the item has no date); raises ItemNotFound."""
    dated = bool(engine.get_item(item_id).letter.decision_date)
    request = SimilarRequest(item_id=item_id, k=k, prior_only=dated, as_requested=True)
    note = " ".join((NOT_A_PREDICTION, AS_REQUESTED, *(() if dated else (UNDATED,))))
    return of_hits(engine.similar(request), prior_only=dated, note=note)


def for_text(engine: Engine, text: str, k: int = PRECEDENTS) -> Estimate:
    """The estimate from the decisions most similar to a pasted denial or summary."""
    check_text(text)
    return of_hits(engine.similar(SimilarRequest(text=text, k=k)), prior_only=False)


def check_text(text: str) -> None:
    """InvalidParameter when a pasted text is too short to say what was requested."""
    if len(words_of(text)) < MIN_WORDS:
        raise InvalidParameter(
            "text",
            f"is too short to compare (fewer than {MIN_WORDS} words): paste the denial or the "
            "case summary, with the treatment requested and the diagnosis, e.g. 'The request "
            "for 12 sessions of physical therapy for the lumbar spine was non-certified; the "
            "patient has chronic low back pain with radiculopathy.'",
        )


def of_hits(
    hits: Sequence[SimilarHit], *, prior_only: bool, note: str = NOT_A_PREDICTION
) -> Estimate:
    """The estimate from precedents already found (a page that lists them anyway)."""
    docs = [h.doc for h in hits]
    groups: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        labels = {c.label for c in doc.citations_by("reviewer")} or {CITED_NOTHING}
        for label in labels:
            groups[label].append(doc.outcome)
    rows = [
        BreakdownRow(
            label,
            OutcomeRate(upheld=outcomes.count("Upheld"), overturned=outcomes.count("Overturned")),
        )
        for label, outcomes in groups.items()
    ]
    rows.sort(key=lambda r: (-r.rate.total, r.value))
    return Estimate(
        precedents=tuple(hits),
        rate=OutcomeRate.of(docs),
        by_guideline=tuple(rows),
        reasons=of_documents(docs),
        prior_only=prior_only,
        note=note,
    )
