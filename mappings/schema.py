"""The stored item: the one definition of what both engines index and every reader receives.

One disputed item of one Final Determination Letter becomes one `ItemDocument`: the item
(treatment, outcome, rationale, the citations each party relied on, derived category and body
regions) plus its letter's context (`LetterContext`). Everything else is derived from these
types:

- the Elasticsearch mapping (mappings.elastic): each field's `Annotated` metadata (an
  `Indexed`) names its Elasticsearch field type; nested and object fields follow the nested
  types;
- the SQLite storage (imr_search.sqlite): the document as JSON, its searchable texts as the
  FTS columns named by mappings.fields;
- the JSON API and its OpenAPI schema (search_ui.payloads), by msgspec from these types;
- the export columns (search_ui.export), as attributes of these types.

The types are frozen dataclasses; `msgspec` encodes and decodes them (`encode`, `decode`,
`from_builtins`), which is fast enough for the hot paths (about 1 us a document).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

import msgspec

from mappings.analysis import INDEX_ANALYZER, SEARCH_ANALYZER

Outcome = Literal["Upheld", "Overturned"]
Party = Literal["claims_administrator", "reviewer"]
CitationSource = Literal["MTUS", "ODG", "other"]

OUTCOMES: tuple[Outcome, ...] = ("Upheld", "Overturned")
PARTIES: tuple[Party, ...] = ("claims_administrator", "reviewer")
CITATION_SOURCES: tuple[CitationSource, ...] = ("MTUS", "ODG", "other")


@dataclass(frozen=True)
class Indexed:
    """How a field is indexed: an Elasticsearch field type and its options (mappings.elastic
    builds the elasticsearch.dsl field from it; this module stays free of that library)."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)


def Keyword(**options: Any) -> Indexed:  # noqa: N802 - reads like the mapping it declares
    return Indexed("keyword", options)


def Integer() -> Indexed:  # noqa: N802
    return Indexed("integer")


def Boolean() -> Indexed:  # noqa: N802
    return Indexed("boolean")


def Nested() -> Indexed:  # noqa: N802
    return Indexed("nested")


def Object() -> Indexed:  # noqa: N802
    return Indexed("object")


def english_text(**options: Any) -> Indexed:
    """A searchable text field analysed with mappings.analysis's analyzers (common grams)."""
    return Indexed(
        "text", {"analyzer": INDEX_ANALYZER, "search_analyzer": SEARCH_ANALYZER, **options}
    )


def _iso_date() -> Indexed:
    # A malformed date from the parser must not cost the whole item: it is kept in _source.
    return Indexed("date", {"format": "strict_date", "ignore_malformed": True})


@dataclass(frozen=True, slots=True)
class Citation:
    """One guideline or source that one party relied on.

    `guideline` and `sections` are as the letter writes them. `label` names the guideline for
    facets: the parser's records carry source and guideline ("MTUS: Low Back Complaints
    2004", derived when not given); stored documents carry the canonical name of the guideline
    and edition across every letter era ("MTUS ACOEM Ch. 12: Low Back Complaints (2004)"), and
    `section_labels` its canonical sections ("ODG Low Back: MRIs"), both set by the indexer.
    """

    party: Annotated[Party, Keyword()]
    source: Annotated[CitationSource, Keyword()]
    mtus: Annotated[bool, Boolean()]
    # "Chronic Pain Medical Treatment 2016", "Low Back" (an ODG chapter), "ACOEM", ...
    guideline: Annotated[str | None, Keyword()]
    text: Annotated[str, english_text()]  # the raw sentence(s), whitespace-normalised
    sections: Annotated[tuple[str, ...], Keyword()] = ()
    pages: Annotated[str | None, Keyword()] = None  # "308-310", as written
    label: Annotated[str, Keyword(fields={"text": english_text()})] = ""
    section_labels: Annotated[tuple[str, ...], Keyword()] = ()

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", citation_label(self.source, self.guideline))


def citation_label(source: str, guideline: str | None) -> str:
    """Facet label naming source and guideline, e.g. 'ODG: Low Back', 'Other: ACOEM'."""
    if source == "other":
        return f"Other: {guideline}" if guideline else "Other"
    return f"{source}: {guideline}" if guideline else source


@dataclass(frozen=True, slots=True)
class LetterContext:
    """The letter's context, copied into each of its items. Dates are ISO (YYYY-MM-DD)."""

    case_number: Annotated[str | None, Keyword()] = None
    date_assigned: Annotated[str | None, _iso_date()] = None
    date_of_injury: Annotated[str | None, _iso_date()] = None
    decision_date: Annotated[str | None, _iso_date()] = None
    ur_denial_date: Annotated[str | None, _iso_date()] = None
    application_received: Annotated[str | None, _iso_date()] = None
    priority: Annotated[str | None, Keyword()] = None  # "Standard" | "Expedited"
    specialties: Annotated[tuple[str, ...], Keyword()] = ()
    licensure: Annotated[tuple[str, ...], Keyword()] = ()
    clinical_summary: Annotated[str, english_text(index_options="offsets")] = ""
    # Body parts the summary's diagnosis statements name (derived by clinical/injury.py).
    injury_regions: Annotated[tuple[str, ...], Keyword()] = ()
    age: Annotated[int | None, Integer()] = None
    sex: Annotated[str | None, Keyword()] = None  # "male" | "female"
    format: Annotated[str, Keyword()] = ""  # the letter layout (indexer.records.FORMATS)
    source: Annotated[str, Keyword()] = ""  # the file it was read from


@dataclass(frozen=True, slots=True)
class Request:
    """What kind of request an item is, derived by transparent rules (clinical/concepts.py):
    its treatment concept and the body regions it concerns."""

    concept: Annotated[str, Keyword()]  # a stable key: "mri", "drug:tramadol", "other:imaging"
    label: Annotated[str, Keyword()]  # what users read (and filter on): "MRI", "Tramadol"
    group: Annotated[str, Keyword()]  # the broader family: "imaging", "opioid"
    phrase: Annotated[str, Keyword()]  # the concept with its regions: "lumbar MRI"
    # The regions the request names, else (for a regional concept) the letter's injured parts.
    regions: Annotated[tuple[str, ...], Keyword()]
    # The request as words to search (`request:`): the treatment with abbreviations read in
    # context (PT/PTT is a lab panel), the concept, its family and regions.
    terms: Annotated[str, english_text()]


@dataclass(frozen=True, slots=True)
class ItemDocument:
    """One disputed item with its letter's context: what a search hit is."""

    id: Annotated[str, Keyword()]  # case number (or content hash) + item number
    letter_id: Annotated[str, Keyword()]
    item_number: Annotated[int, Integer()]  # 1-based order in the letter
    item_count: Annotated[int, Integer()]
    treatment: Annotated[str, english_text()]
    outcome: Annotated[Outcome, Keyword()]
    category: Annotated[str, Keyword()]
    body_regions: Annotated[tuple[str, ...], Keyword()]
    rationale: Annotated[str, english_text(index_options="offsets")]
    citations: Annotated[tuple[Citation, ...], Nested()]  # nested: party and source stay paired
    cited_nothing: Annotated[tuple[Party, ...], Keyword()]  # "did not cite any evidence"
    decision_year: Annotated[int | None, Integer()]
    request: Annotated[Request, Object()]
    # The clinical findings the rationale states, as users read them ("no red flags",
    # "radiculopathy"; derived by clinical/findings.py): why two decisions are alike.
    findings: Annotated[tuple[str, ...], Keyword()]
    letter: Annotated[LetterContext, Object()]

    def citations_by(self, party: Party) -> tuple[Citation, ...]:
        return tuple(c for c in self.citations if c.party == party)


# --- encoding -------------------------------------------------------------------------------

T = TypeVar("T")
_ENCODER = msgspec.json.Encoder()
_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}


def encode(value: object) -> bytes:
    """JSON bytes of a document (or any value built of these types)."""
    return _ENCODER.encode(value)


def decode(data: bytes | str, type_: type[T]) -> T:
    """A document (or other type) from JSON; msgspec.ValidationError when it does not fit."""
    decoder = _DECODERS.get(type_)
    if decoder is None:
        decoder = _DECODERS[type_] = msgspec.json.Decoder(type_)
    found: T = decoder.decode(data)
    return found


def from_builtins(data: Any, type_: type[T]) -> T:
    """A document from plain JSON-like data (e.g. an Elasticsearch _source)."""
    return msgspec.convert(data, type_)


def to_builtins(value: object) -> Any:
    """The value as JSON data (dicts, lists, str, int...): exactly what its JSON says."""
    return msgspec.json.decode(_ENCODER.encode(value))
