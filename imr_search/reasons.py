"""The reasons that decide outcomes: what upheld rationales say that overturned ones do not,
and the reverse, for any set of decisions (a search's results, an item's precedents).

Two kinds of reason are weighed, with one statistic:

- the clinical findings each rationale states (the document's `findings`, read at indexing by
  clinical/findings.py: "no red flags", "failed conservative care"), which are curated and so
  never boilerplate;
- literal phrases of two to four words within a sentence of the rationales ("radiculopathy
  with positive straight leg raise"), kept only when they hold a word that carries evidence
  (not a function word or the letters' boilerplate: clinical.findings.no_evidence_words), do
  not start or end on a function word, and are used by at most MAX_SHARE of the decisions (a
  phrase nearly every rationale uses is template, whatever its outcome).

Each candidate is scored by Dunning's log-likelihood ratio G² of the 2x2 table (uses it or
not, upheld or overturned) and leans to the outcome whose decisions use it more often; it
must pass the chi-square test at 95% (a finding) or 99% (a phrase: thousands are tried). The
cost is bounded: a set larger than SAMPLE is read as its newest SAMPLE decisions, and the
answer says so.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from clinical.findings import no_evidence_words
from imr_search.contract import Engine, SearchRequest
from mappings.schema import ItemDocument, Outcome

SAMPLE = 2_000  # decisions read at most
PAGE = 100
MIN_SUPPORT = 3  # decisions that must use a reason
MIN_SHARE = 0.02  # ... and at least this share of the set
MAX_SHARE = 0.6  # phrases used by more of the set are template
SHOWN = 10  # reasons per outcome
MIN_G2 = 3.84  # chi-square 1 d.f. at 95%: weaker contrasts are noise (a curated finding)
# A phrase is one of thousands tried at once: it must pass chi-square 1 d.f. at 99%.
MIN_G2_PHRASE = 6.63
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Where a sentence (or clause) ends: a phrase never spans one ("red flags. The standard").
_SENTENCE_END = re.compile(r"[.!?;:]+(?:\s+|$)")
# Words a phrase may start with although they carry no evidence: negation is the point
# ("no red flags"); a phrase never ends on one ("lumbar spine is not" is the verdict).
_NEGATIONS = frozenset({"no", "not", "without", "non", "never", "lack", "absence"})
# Words that state the outcome rather than a reason, beside the letters' boilerplate words.
_VERDICT = frozenset(  # fmt: skip
    {
        "approved",
        "denied",
        "reasonable",
        "justified",
        "authorized",
        "authorization",
        "certify",
        "establish",
        "established",
        "establishes",
    }
)


@dataclass(frozen=True)
class Reason:
    """A finding or phrase that distinguishes one outcome's rationales from the other's."""

    text: str  # "no red flags", "positive straight leg raise"
    kind: str  # "finding" | "phrase"
    upheld: int  # decisions of each outcome (in the set read) that use it
    overturned: int
    leans: Outcome  # the outcome whose decisions use it more often
    g2: float  # log-likelihood ratio: how strongly it separates the outcomes


@dataclass(frozen=True)
class Reasons:
    upheld: tuple[Reason, ...]  # strongest first
    overturned: tuple[Reason, ...]
    read: int  # decisions read
    total: int  # decisions in the set
    upheld_read: int
    overturned_read: int
    about_query: bool = False  # only the decisions about the query were read

    @property
    def sampled(self) -> bool:
        """True when the set was larger than what was read (the newest SAMPLE)."""
        return self.read < self.total


def of_search(engine: Engine, request: SearchRequest) -> Reasons:
    """The reasons of a search's results (its newest SAMPLE decisions when there are more).

    The outcome filter is left out (within one outcome nothing separates the outcomes), and
    when some results are about the query, only those count, as for the search's rate."""
    filters = {name: values for name, values in request.filters.items() if name != "outcome"}
    decisions = request.decisions
    if decisions == "all" and request.query.strip():
        probe = engine.search(
            SearchRequest(
                query=request.query,
                filters=filters,
                per_page=0,
                facet_size=0,
                date_from=request.date_from,
                date_to=request.date_to,
            )
        )
        if probe.about is not None and probe.about.about:
            decisions = "about"
    docs: list[ItemDocument] = []
    total = 0
    for page in range(1, SAMPLE // PAGE + 1):
        response = engine.search(
            SearchRequest(
                query=request.query,
                filters=filters,
                decisions=decisions,
                sort="date",
                page=page,
                per_page=PAGE,
                facet_size=0,
                highlight=False,
                date_from=request.date_from,
                date_to=request.date_to,
            )
        )
        total = response.total
        docs.extend(h.doc for h in response.hits)
        if len(response.hits) < PAGE:
            break
    return of_documents(docs, total, about_query=decisions == "about")


def of_documents(
    docs: Sequence[ItemDocument], total: int | None = None, *, about_query: bool = False
) -> Reasons:
    """The reasons of a set of decisions (all of them read)."""
    upheld_docs = [d for d in docs if d.outcome == "Upheld"]
    overturned_docs = [d for d in docs if d.outcome == "Overturned"]
    counts: dict[tuple[str, str], list[int]] = {}
    for group, bucket in ((upheld_docs, 0), (overturned_docs, 1)):
        for doc in group:
            for key in _candidates(doc):
                counts.setdefault(key, [0, 0])[bucket] += 1
    n_up, n_over = len(upheld_docs), len(overturned_docs)
    size = n_up + n_over
    support = max(MIN_SUPPORT, math.ceil(MIN_SHARE * size))
    found: list[Reason] = []
    for (kind, text), (a, b) in counts.items():
        if a + b < support or (kind == "phrase" and a + b > MAX_SHARE * size):
            continue
        g2 = _g2(a, b, n_up - a, n_over - b)
        if g2 < (MIN_G2_PHRASE if kind == "phrase" else MIN_G2):
            continue
        leans: Outcome = "Upheld" if a * n_over > b * n_up else "Overturned"
        found.append(Reason(text, kind, a, b, leans, round(g2, 2)))
    found = _drop_covered(found)
    found.sort(key=lambda r: (-r.g2, r.kind != "finding", r.text))
    return Reasons(
        upheld=tuple(r for r in found if r.leans == "Upheld")[:SHOWN],
        overturned=tuple(r for r in found if r.leans == "Overturned")[:SHOWN],
        read=size,
        total=size if total is None else total,
        upheld_read=n_up,
        overturned_read=n_over,
        about_query=about_query,
    )


def _candidates(doc: ItemDocument) -> set[tuple[str, str]]:
    """The findings and literal phrases of one decision (each counted once)."""
    out = {("finding", f) for f in doc.findings}
    out.update(("phrase", p) for p in phrases(doc.rationale))
    return out


def phrases(text: str) -> set[str]:
    """Two- to four-word phrases that may carry a reason (see the module docstring)."""
    quiet = _quiet()
    out: set[str] = set()
    for sentence in _SENTENCE_END.split(text.lower()):
        words = _WORD.findall(sentence)
        for n in (2, 3, 4):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                first, last = gram[0], gram[-1]
                if first in quiet and first not in _NEGATIONS:
                    continue
                if last in quiet or last in _NEGATIONS:
                    continue
                if not any(w not in quiet and len(w) > 2 and not w.isdigit() for w in gram):
                    continue
                out.add(" ".join(gram))
    return out


@cache
def _quiet() -> frozenset[str]:
    return no_evidence_words() | _VERDICT


def _g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's log-likelihood ratio of a 2x2 table (rows: uses it or not; columns: upheld,
    overturned)."""
    total = a + b + c + d
    if not total:
        return 0.0
    rows, cols = (a + b, c + d), (a + c, b + d)
    g = 0.0
    for observed, row, col in ((a, 0, 0), (b, 0, 1), (c, 1, 0), (d, 1, 1)):
        expected = rows[row] * cols[col] / total
        if observed and expected:
            g += observed * math.log(observed / expected)
    return 2.0 * g


def _drop_covered(found: Iterable[Reason]) -> list[Reason]:
    """A phrase inside a longer phrase with the same counts says nothing more: keep the
    longer one ("red flag" and "red flag conditions" used by the same decisions); a phrase
    that is a finding's own words says nothing more than the finding."""
    items = list(found)
    findings = {r.text for r in items if r.kind == "finding"}
    items = [r for r in items if r.kind == "finding" or r.text not in findings]
    by_counts = Counter((r.upheld, r.overturned) for r in items if r.kind == "phrase")
    kept: list[Reason] = []
    for r in items:
        if r.kind == "phrase" and by_counts[(r.upheld, r.overturned)] > 1:
            longer = any(
                o is not r
                and o.kind == "phrase"
                and (o.upheld, o.overturned) == (r.upheld, r.overturned)
                and f" {r.text} " in f" {o.text} "
                for o in items
            )
            if longer:
                continue
        kept.append(r)
    return kept
