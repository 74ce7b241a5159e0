"""The engine contract: what the indexer, the web UI and the CLI may ask of a search engine.

Every engine (SQLite FTS5, the embedded default; Elasticsearch) implements `Engine`, takes the
same requests and returns the same typed responses, and passes the same behaviour suite
(tests/behaviour/). Documents are `mappings.schema.ItemDocument`s; highlighted text is marked
with `imr_search.marks` characters, never HTML: presenters render it. Opening an engine for a
target is `imr_search.engines.open_engine`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Protocol

from imr_search.errors import InvalidParameter
from mappings.facets import FACETS_BY_NAME
from mappings.schema import ItemDocument

# Result orders: the name (URL, API, CLI) and how it reads. Ties are broken the same way on
# every engine: relevance by item id; dates (undated items last) by item id; outcome
# (Overturned first, then Upheld) by the newest decision, then item id.
Sort = Literal["relevance", "date", "oldest", "outcome"]
SORT_LABELS: dict[str, str] = {
    "relevance": "Relevance",
    "date": "Decision date (newest first)",
    "oldest": "Decision date (oldest first)",
    "outcome": "Outcome (overturned first)",
}
SORTS: tuple[str, ...] = tuple(SORT_LABELS)
# Which matching decisions a search lists (imr_search.plan): all of them, the decisions
# about the query first; only those about it; only those that merely mention it.
Decisions = Literal["all", "about", "mentions"]
DECISIONS: tuple[str, ...] = ("all", "about", "mentions")
SMALL_SAMPLE = 10  # rates over fewer decisions than this are marked as such
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # deepest result reachable by paging (Elasticsearch's default)
MAX_FACET_SIZE = 100  # facet values a page or the API asks for
MAX_ENGINE_FACET_SIZE = 2_000  # ... and the library (the citator's index of every guideline)

# Notices a search response may carry (a sentence the UI shows as is).
NO_WORDS_NOTICE = (
    "Your query had no words to search for (only operators or punctuation); showing every decision."
)


def join_notices(*notices: str | None) -> str | None:
    """Several notices as one text (None when there is none)."""
    return " ".join(n for n in notices if n) or None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# --- requests -------------------------------------------------------------------------------


def iso_date(name: str, value: str | None) -> str | None:
    """A date parameter as YYYY-MM-DD (None or blank: not given); InvalidParameter naming
    `name` otherwise."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidParameter(
            name, f"{text[:40]!r} is not a date; write it as YYYY-MM-DD (e.g. 2016-03-14)"
        ) from None


def date_range(
    date_from: str | None,
    date_to: str | None,
    names: tuple[str, str] = ("date_from", "date_to"),
) -> tuple[str | None, str | None]:
    """Both ends of a decision-date range checked (either may be None: open); errors name
    the parameters as `names` (the CLI's are --from and --to)."""
    low, high = iso_date(names[0], date_from), iso_date(names[1], date_to)
    if low is not None and high is not None and low > high:
        raise InvalidParameter(
            names[0], f"{low} is after {names[1]} ({high}); swap them or widen the range"
        )
    return low, high


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text in the shared language, facet filters, sort and page.

    `filters` maps a facet name to the selected values: OR within a facet, AND across facets.
    `date_from` / `date_to` keep the decisions dated within that range (ISO dates, both ends
    included, either optional; undated decisions are left out by any end). `breakdown` names
    a facet whose top values get their own Upheld/Overturned counts (all of them, in order,
    for the decision year). `decisions` picks the matching decisions listed (see DECISIONS).
    `facet_size` values are listed per facet, except for the facets `facet_sizes` names (a
    page showing more values of one facet: the others cost nothing more) and the facets
    counted on request (FacetSpec.on_request: guideline sections), which list none unless
    `facet_sizes` names them; the breakdown's size stays `facet_size`. `suggest`: look for
    a better spelling of unknown words when the query finds few results (the search page,
    the API and the CLI ask for it; see SearchResponse.suggestion).
    """

    query: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    facet_size: int = 10
    facet_sizes: Mapping[str, int] = field(default_factory=dict)
    breakdown: str | None = None
    highlight: bool = True
    decisions: Decisions = "all"
    date_from: str | None = None
    date_to: str | None = None
    suggest: bool = False

    def __post_init__(self) -> None:
        low, high = date_range(self.date_from, self.date_to)
        object.__setattr__(self, "date_from", low)
        object.__setattr__(self, "date_to", high)
        if self.decisions not in DECISIONS:
            raise InvalidParameter("decisions", f"must be one of {', '.join(DECISIONS)}")
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
        if not 0 <= self.facet_size <= MAX_ENGINE_FACET_SIZE:
            raise InvalidParameter("facet_size", f"must be between 0 and {MAX_ENGINE_FACET_SIZE}")
        for name, size in self.facet_sizes.items():
            if name not in FACETS_BY_NAME:
                raise InvalidParameter(
                    "facet_sizes",
                    f"{name!r} is not a facet; use one of " + ", ".join(FACETS_BY_NAME),
                )
            if not 0 <= size <= MAX_ENGINE_FACET_SIZE:
                raise InvalidParameter(
                    "facet_sizes", f"{name}: must be between 0 and {MAX_ENGINE_FACET_SIZE}"
                )
        if self.breakdown is not None and self.breakdown not in FACETS_BY_NAME:
            raise InvalidParameter("breakdown", "must be a facet name")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def size_of(self, facet: str) -> int:
        """How many values of `facet` to list (besides its selected ones)."""
        default = 0 if FACETS_BY_NAME[facet].on_request else self.facet_size
        return self.facet_sizes.get(facet, default)


@dataclass(frozen=True)
class SimilarRequest:
    """Similar cases to one item (`item_id`) or to pasted text (`text`), ranked by
    imr_search.similarity: the same kind of request first, then the same body region, the
    same guidelines and findings, similar reasoning."""

    item_id: str | None = None
    text: str | None = None
    k: int = 10
    same_category: bool = False  # restrict to the item's category (or `category`)
    category: str | None = None
    include_same_letter: bool = False
    prior_only: bool = False  # only decisions dated before the item's
    same_outcome: bool = False  # only decisions with the item's outcome
    same_region: bool = False  # only requests concerning one of the same body regions
    # Compare the item as it was requested, with only what was known before its review (the
    # request, the clinical summary and the findings it states; not the rationale nor the
    # reviewer's guidelines: mappings.fields.similar_fields): the precedent estimate's mode.
    as_requested: bool = False

    def __post_init__(self) -> None:
        if (self.item_id is None) == (self.text is None):
            raise InvalidParameter("item_id/text", "give exactly one of an item id or a text")
        if self.text is not None and self.as_requested:
            raise InvalidParameter(
                "as_requested", "compare with an item (a pasted text is compared as written)"
            )
        if self.text is not None and (self.prior_only or self.same_outcome):
            raise InvalidParameter(
                "prior_only/same_outcome", "compare with an item (a text has no date or outcome)"
            )
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

    @property
    def small(self) -> bool:
        """Too few decisions for the rate to mean much (it is shown, marked)."""
        return self.total < SMALL_SAMPLE

    @property
    def upheld_interval(self) -> tuple[float, float]:
        """95% Wilson score interval of the upheld share, in percent."""
        return wilson_interval(self.upheld, self.total)

    @property
    def overturned_interval(self) -> tuple[float, float]:
        """95% Wilson score interval of the overturned share, in percent."""
        return wilson_interval(self.overturned, self.total)

    @classmethod
    def of(cls, docs: Iterable[ItemDocument]) -> OutcomeRate:
        """How these decisions went."""
        upheld = overturned = 0
        for doc in docs:
            if doc.outcome == "Upheld":
                upheld += 1
            else:
                overturned += 1
        return cls(upheld=upheld, overturned=overturned)


def wilson_interval(successes: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion, in percent, rounded to 0.1: honest for
    small samples and for shares near 0% or 100%, where the normal approximation is not.
    (0, 100) when there is nothing to estimate from."""
    if total <= 0:
        return (0.0, 100.0)
    p = successes / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    spread = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return (round(100 * max(0.0, centre - spread), 1), round(100 * min(1.0, centre + spread), 1))


@dataclass(frozen=True)
class AboutSplit:
    """How many matching decisions are about the query (their request matches) and how many
    merely mention it, within the filters."""

    about: int
    mentions: int


@dataclass(frozen=True)
class BreakdownRow:
    """Outcome counts for one value of the breakdown facet."""

    value: str
    rate: OutcomeRate


@dataclass(frozen=True)
class Hit:
    """One result: the stored document, its score, and marked text (imr_search.marks)."""

    doc: ItemDocument
    score: float | None
    marked_treatment: str  # the whole treatment, matches marked
    marked_snippet: str  # the best passage of the rationale/summary/citations, marked

    @property
    def id(self) -> str:
        return self.doc.id


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
    # The about/mention split of the matches (None: the query has no unscoped words). When
    # set, every match is listed and some are about the query, `outcome_rate` and `breakdown`
    # count the decisions about it only.
    about: AboutSplit | None = None
    # Filters the breakdown leaves out: a rate within "Overturned only" is always 0% or 100%.
    breakdown_ignores: tuple[str, ...] = ()
    # The query with its misspelled words replaced by the closest words of the index's own
    # vocabulary, when the query found few results and the suggestion finds more (None: no
    # suggestion; see imr_search.suggest).
    suggestion: str | None = None


@dataclass(frozen=True)
class Why:
    """Why a case is similar, as a user reads it: what the two share."""

    same_request: str | None = None  # the same kind and region: "lumbar MRI"
    same_kind: str | None = None  # the same treatment concept: "MRI"
    same_family: str | None = None  # another concept of the same family: "imaging"
    same_category: str | None = None  # only the broad category: "surgery"
    same_regions: tuple[str, ...] = ()
    shared_guidelines: tuple[str, ...] = ()  # guidelines both reviewers relied on
    shared_sections: tuple[str, ...] = ()
    shared_findings: tuple[str, ...] = ()  # "no red flags", "radiculopathy"
    shared_terms: tuple[str, ...] = ()  # distinctive words both texts use


@dataclass(frozen=True)
class SimilarHit:
    doc: ItemDocument
    score: float
    shared_terms: tuple[str, ...]  # the strongest distinctive words both texts share
    why: Why = field(default_factory=Why)


@dataclass(frozen=True)
class MarkedItem:
    """An item's whole texts with a query's matches marked (the item page)."""

    treatment: str
    rationale: str
    summary: str


# --- indexing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDocuments:
    """The documents of one letter file, with that file's fingerprint.

    `source` is the file as the indexer names it (the key for updates and --prune);
    `fingerprint` says what "unchanged" means (content hash + parser version)."""

    source: str
    fingerprint: str
    letter_id: str
    items: tuple[ItemDocument, ...]


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


def item_not_found(item_id: str) -> str:
    """The message for an unknown item id (both engines say the same)."""
    return (
        f"No item with id {item_id!r} in the index; check the id "
        "(it looks like CM16-0213037-1) or search for the case first."
    )


# --- the engine -----------------------------------------------------------------------------


class Engine(Protocol):
    """What the indexer, the web UI and the CLI need from a search engine."""

    target: str  # file path or URL, for messages
    # One instance may serve many threads at once (a network client); otherwise each thread
    # opens its own (one SQLite connection per thread).
    thread_safe: ClassVar[bool]
    # The index is a local file (reports can sit beside it).
    local_file: ClassVar[bool]

    # Writing (indexer.pipeline only; the web UI is read-only).
    def indexed_sources(self) -> Mapping[str, str]:
        """source -> fingerprint of every file already indexed.

        A Mapping, not necessarily a dict: an engine may answer lookups lazily so that
        millions of sources need not sit in memory (the pipeline only looks up and iterates).
        """
        ...

    def write(self, batch: Sequence[SourceDocuments]) -> list[WriteFailure]:
        """Replace all items of each source with its documents; record fingerprints.

        Crash-safe: a source's fingerprint is recorded only once its items are stored, so a
        run killed at any point and re-run ends with the same index as a clean run.
        """
        ...

    def delete_sources(self, sources: Iterable[str]) -> int:
        """Remove the items of these source files (for --prune); returns items removed."""
        ...

    def finish(self) -> list[str]:
        """After a bulk load: optimize / refresh so searches see everything, fast. Returns
        notes for the user about what finishing left undone (e.g. a merge still running)."""
        ...

    def index_run_lock(self) -> AbstractContextManager[None]:
        """Held by an index run for its whole length: one run at a time per index (another
        raises IndexBusy, naming the holder); readers never take it."""
        ...

    # Reading.
    def count(self) -> int: ...

    def search(self, request: SearchRequest) -> SearchResponse: ...

    def get_item(self, item_id: str) -> ItemDocument:
        """The stored document; raises ItemNotFound."""
        ...

    def source_of(self, item_id: str) -> str:
        """The source key of the file the item was indexed from (SourceDocuments.source: the
        absolute path on the indexing machine; never shown, see search_ui.letters); raises
        ItemNotFound."""
        ...

    def mark_item(self, item_id: str, query: str) -> MarkedItem:
        """The item's texts with the query's matches marked (the engine's own analysis:
        stems, synonyms, phrases); raises ItemNotFound, QuerySyntaxError."""
        ...

    def letter_items(self, letter_id: str) -> list[ItemDocument]:
        """Every item document of one letter, in item order."""
        ...

    def similar(self, request: SimilarRequest) -> list[SimilarHit]: ...

    def close(self) -> None: ...
