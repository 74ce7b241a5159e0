"""The engine-independent search contract.

Every engine (SQLite FTS5 embedded default, Elasticsearch) implements `Engine`, takes the same
`SearchRequest` / `SimilarRequest` and returns the same `SearchResponse` / `SimilarHit`s, and
passes the same behaviour suite (tests/behaviour/). The web UI and CLI only see this module.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from imr_search.documents import NONE
from imr_search.errors import InvalidParameter
from indexer.records import Letter

DEFAULT_INDEX = "imr-index.sqlite3"
INDEX_ENV = "IMR_SEARCH_INDEX"

# --- facets ---------------------------------------------------------------------------------

FacetKind = Literal["field", "citation_source", "citation_guideline"]


@dataclass(frozen=True)
class FacetSpec:
    """One facet: its URL/filter name, its label, and where its values come from."""

    name: str
    label: str
    kind: FacetKind = "field"
    party: str | None = None  # for citation facets: whose citations count


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("outcome", "Outcome"),
    FacetSpec("category", "Treatment type"),
    FacetSpec("body_region", "Body region"),
    FacetSpec("specialty", "Reviewer specialty"),
    FacetSpec("reviewer_source", "Reviewer relied on", "citation_source", "reviewer"),
    FacetSpec(
        "admin_source", "Claims administrator relied on", "citation_source", "claims_administrator"
    ),
    FacetSpec("reviewer_guideline", "Reviewer's guideline", "citation_guideline", "reviewer"),
    FacetSpec(
        "admin_guideline",
        "Claims administrator's guideline",
        "citation_guideline",
        "claims_administrator",
    ),
    FacetSpec("year", "Decision year"),
)
FACETS_BY_NAME: dict[str, FacetSpec] = {f.name: f for f in FACETS}


def facet_values(doc: Mapping[str, Any], spec: FacetSpec) -> list[str]:
    """The facet values of one stored document: the reference both engines must agree with."""
    if spec.kind == "citation_source":
        sources = sorted({c["source"] for c in doc["citations"] if c["party"] == spec.party})
        return sources or [NONE]
    if spec.kind == "citation_guideline":
        return sorted({c["label"] for c in doc["citations"] if c["party"] == spec.party})
    if spec.name == "outcome":
        return [doc["outcome"]]
    if spec.name == "category":
        return [doc["category"]]
    if spec.name == "body_region":
        return list(doc["body_regions"])
    if spec.name == "specialty":
        return list(doc["letter"]["specialties"])
    if spec.name == "year":
        return [str(doc["decision_year"])] if doc.get("decision_year") else []
    raise KeyError(spec.name)


# --- requests -------------------------------------------------------------------------------

Sort = Literal["relevance", "date"]
SORTS: tuple[str, ...] = ("relevance", "date")
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # deepest result reachable by paging (Elasticsearch's default)
MAX_FACET_SIZE = 100


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text in the shared language, facet filters, sort and page.

    `filters` maps a facet name to the selected values: OR within a facet, AND across facets.
    `breakdown` names a facet whose top values get their own Upheld/Overturned counts.
    """

    query: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    facet_size: int = 10
    breakdown: str | None = None
    highlight: bool = True

    def __post_init__(self) -> None:
        for name, values in self.filters.items():
            if name not in FACETS_BY_NAME:
                raise InvalidParameter(
                    name, "no such filter; use one of " + ", ".join(FACETS_BY_NAME)
                )
            if isinstance(values, str):
                raise InvalidParameter(name, "give a list of values, not a string")
        if self.sort not in SORTS:
            raise InvalidParameter("sort", f"must be one of {', '.join(SORTS)}")
        if self.page < 1:
            raise InvalidParameter("page", "must be 1 or more")
        if not 0 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidParameter("per_page", f"must be between 0 and {MAX_PER_PAGE}")
        if self.page * self.per_page > MAX_RESULT_WINDOW:
            raise InvalidParameter(
                "page", f"results deeper than {MAX_RESULT_WINDOW} are not served; narrow the search"
            )
        if not 0 <= self.facet_size <= MAX_FACET_SIZE:
            raise InvalidParameter("facet_size", f"must be between 0 and {MAX_FACET_SIZE}")
        if self.breakdown is not None and self.breakdown not in FACETS_BY_NAME:
            raise InvalidParameter("breakdown", "must be a facet name")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class SimilarRequest:
    """Similar prior cases to one item (`item_id`) or to pasted text (`text`)."""

    item_id: str | None = None
    text: str | None = None
    k: int = 10
    same_category: bool = False  # restrict to the item's category (or `category`)
    category: str | None = None
    include_same_letter: bool = False

    def __post_init__(self) -> None:
        if (self.item_id is None) == (self.text is None):
            raise InvalidParameter("item_id/text", "give exactly one of an item id or a text")
        if self.text is not None and not self.text.strip():
            raise InvalidParameter("text", "is empty; paste a denial or a case summary")
        if not 1 <= self.k <= MAX_PER_PAGE:
            raise InvalidParameter("k", f"must be between 1 and {MAX_PER_PAGE}")


# --- responses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class OutcomeRate:
    upheld: int
    overturned: int

    @property
    def total(self) -> int:
        return self.upheld + self.overturned

    @property
    def upheld_pct(self) -> float:
        return round(100.0 * self.upheld / self.total, 1) if self.total else 0.0

    @property
    def overturned_pct(self) -> float:
        return round(100.0 * self.overturned / self.total, 1) if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "upheld": self.upheld,
            "overturned": self.overturned,
            "total": self.total,
            "upheld_pct": self.upheld_pct,
            "overturned_pct": self.overturned_pct,
        }


@dataclass(frozen=True)
class BreakdownRow:
    """Outcome counts for one value of the breakdown facet."""

    value: str
    rate: OutcomeRate


@dataclass(frozen=True)
class Hit:
    """One result: the stored document plus safe highlighted markup.

    `snippet` and `treatment_html` are HTML built from escaped text; only <mark> is added.
    """

    doc: dict[str, Any]
    score: float | None
    snippet: str
    treatment_html: str

    @property
    def id(self) -> str:
        return self.doc["id"]


@dataclass(frozen=True)
class SearchResponse:
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    outcome_rate: OutcomeRate
    took_ms: float
    breakdown: tuple[BreakdownRow, ...] = ()
    # Set when the engine bounded the cost of a very broad query (e.g. ranked by date instead
    # of relevance); a sentence the UI can show as is.
    notice: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `--json` / API shape."""
        return {
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "items": [
                {
                    "id": h.id,
                    "treatment": h.doc["treatment"],
                    "outcome": h.doc["outcome"],
                    "category": h.doc["category"],
                    "body_regions": h.doc["body_regions"],
                    "case_number": h.doc["letter"]["case_number"],
                    "decision_date": h.doc["letter"]["decision_date"],
                    "specialties": h.doc["letter"]["specialties"],
                    "citations": [
                        {"party": c["party"], "source": c["source"], "label": c["label"]}
                        for c in h.doc["citations"]
                    ],
                    "cited_nothing": h.doc["cited_nothing"],
                    "score": h.score,
                    "snippet": h.snippet,
                    "treatment_html": h.treatment_html,
                }
                for h in self.hits
            ],
            "facets": {name: [asdict(v) for v in values] for name, values in self.facets.items()},
            "outcome_rate": self.outcome_rate.to_dict(),
            "breakdown": [{"value": row.value, **row.rate.to_dict()} for row in self.breakdown],
            "notice": self.notice,
        }


@dataclass(frozen=True)
class SimilarHit:
    doc: dict[str, Any]
    score: float
    shared_terms: tuple[str, ...]  # why it matched: the strongest terms both texts share

    def to_dict(self) -> dict[str, Any]:
        d = self.doc
        return {
            "id": d["id"],
            "treatment": d["treatment"],
            "outcome": d["outcome"],
            "category": d["category"],
            "case_number": d["letter"]["case_number"],
            "decision_date": d["letter"]["decision_date"],
            "score": round(self.score, 4),
            "shared_terms": list(self.shared_terms),
        }


# --- indexing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceLetter:
    """A parsed letter with the file it came from and that file's fingerprint."""

    source: str  # the file path as given to the indexer (the key for updates and --prune)
    fingerprint: str  # content hash of the file + parser version: unchanged files are skipped
    letter: Letter


@dataclass(frozen=True)
class WriteFailure:
    """An item or letter the engine refused (e.g. an Elasticsearch bulk error)."""

    source: str
    item_id: str | None
    reason: str
    # True when the letter is already indexed from another file (same item ids): the file is
    # skipped and reported, never silently overwriting the first copy. Not an error.
    duplicate: bool = False


def duplicate_failure(source: str, item_id: str, indexed_from: str) -> WriteFailure:
    """The report for a file whose letter is already indexed from another file."""
    return WriteFailure(
        source,
        item_id,
        f"duplicate: item {item_id} is already indexed from {indexed_from}; "
        "this file was skipped (remove one of the two copies)",
        duplicate=True,
    )


class Engine(Protocol):
    """What the CLI and web UI need from a search engine."""

    target: str  # file path or URL, for messages

    # Writing (used by indexer.pipeline only; the web UI is read-only).
    def indexed_sources(self) -> Mapping[str, str]:
        """source path -> fingerprint of every file already indexed.

        A Mapping, not necessarily a dict: an engine may answer lookups lazily so that
        millions of sources need not sit in memory (the pipeline only looks up and iterates).
        """
        ...

    def write_letters(self, batch: Sequence[SourceLetter]) -> list[WriteFailure]:
        """Replace all items of each source with its letter's items; record fingerprints.

        Crash-safe: a source's fingerprint is recorded only once its items are stored, so a
        run killed at any point and re-run ends with the same index as a clean run.
        """
        ...

    def delete_sources(self, sources: Iterable[str]) -> int:
        """Remove the items of these source files (for --prune); returns items removed."""
        ...

    def finish(self) -> None:
        """After a bulk load: optimize / refresh so searches see everything, fast."""
        ...

    # Reading.
    def count(self) -> int: ...

    def search(self, request: SearchRequest) -> SearchResponse: ...

    def get_item(self, item_id: str) -> dict[str, Any]:
        """The stored document; raises ItemNotFound."""
        ...

    def letter_items(self, letter_id: str) -> list[dict[str, Any]]:
        """Every item document of one letter, in item order."""
        ...

    def similar(self, request: SimilarRequest) -> list[SimilarHit]: ...

    def close(self) -> None: ...


def resolve_target(target: str | None) -> str:
    """The index to use: the argument, else $IMR_SEARCH_INDEX, else ./imr-index.sqlite3."""
    return target or os.environ.get(INDEX_ENV) or DEFAULT_INDEX


def is_elasticsearch(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def open_engine(target: str | None = None, *, writable: bool = False) -> Engine:
    """Open the engine for a file path (SQLite) or an http(s) URL (Elasticsearch)."""
    resolved = resolve_target(target)
    if is_elasticsearch(resolved):
        from imr_search.elastic.engine import ElasticEngine

        return ElasticEngine(resolved, writable=writable)
    from imr_search.sqlite.engine import SqliteEngine

    return SqliteEngine(resolved, writable=writable)


# --- highlighting ---------------------------------------------------------------------------

# Engines wrap matches in these private-use characters; `to_markup` escapes everything else
# and turns only them into <mark>, so stored text can never inject HTML.
MARK_START = "\ue000"
MARK_END = "\ue001"


_MARK_SPLIT = re.compile(f"([{MARK_START}{MARK_END}])")


def to_markup(marked_text: str) -> str:
    """Escape text and turn MARK_START/MARK_END into <mark></mark> (balanced, safe)."""
    out: list[str] = []
    open_ = False
    for part in _MARK_SPLIT.split(marked_text):
        if part == MARK_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == MARK_END:
            if open_:
                out.append("</mark>")
                open_ = False
        elif part:
            out.append(html.escape(part, quote=True))
    if open_:
        out.append("</mark>")
    return "".join(out)


def strip_marks(text: str) -> str:
    """Remove marker characters from stored text (done when building documents)."""
    return text.replace(MARK_START, "").replace(MARK_END, "")
