"""The real letters, indexed on every engine: the facet values a user sees are trustworthy and
every case number finds its letter (skipped without ../shared/real-letters)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_search import citator, reasons
from imr_search.contract import Engine, SearchRequest
from imr_search.engines import open_engine
from indexer.documents import source_documents
from indexer.parse import parse_file
from indexer.records import Letter
from indexer.specialties import board_names
from mappings.schema import ItemDocument

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-letters" / "txt"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-letters absent")


@pytest.fixture(scope="module")
def letters() -> list[Letter]:
    return [parse_file(path) for path in sorted(REAL.glob("*.txt"))]


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def real_engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    letters: list[Letter],
) -> Iterator[Engine]:
    from behaviour.conftest import module_target

    target = module_target(request.param, tmp_path_factory.mktemp("real"), request)
    engine = open_engine(target, writable=True)
    try:
        docs = [source_documents(f"/real/{n}.txt", "fp", x) for n, x in enumerate(letters)]
        assert engine.write(docs) == []
        engine.finish()
        yield engine
    finally:
        engine.close()


def _values(engine: Engine, facet: str) -> dict[str, int]:
    response = engine.search(SearchRequest(per_page=0, facet_size=100))
    return {v.value: v.count for v in response.facets[facet]}


def test_every_specialty_is_a_board_name(real_engine: Engine) -> None:
    values = _values(real_engine, "specialty")
    assert values and set(values) <= set(board_names()), set(values) - set(board_names())


def test_no_guideline_is_listed_under_two_names(real_engine: Engine, letters: list[Letter]) -> None:
    """Every guideline as the letters write it maps to one listed name, and no two written
    forms of one chapter (e.g. 'ACOEM Chapter 12' and 'Low Back Complaints 2004') split."""
    listed = set(_values(real_engine, "reviewer_guideline")) | set(
        _values(real_engine, "admin_guideline")
    )
    for letter in letters:
        for doc in source_documents("/x", "fp", letter).items:
            assert {c.label for c in doc.citations} <= listed
    # ACOEM Ch. 12 is one value however its letters name it.
    low_back = [v for v in listed if "Low Back Complaints" in v and v.startswith("MTUS")]
    assert low_back == ["MTUS ACOEM Ch. 12: Low Back Complaints (2004)"]


def test_lab_panels_are_never_physical_therapy(real_engine: Engine) -> None:
    about = real_engine.search(
        SearchRequest(query="physical therapy", decisions="about", per_page=100)
    )
    assert about.hits and all(h.doc.request.label != "Laboratory tests" for h in about.hits)
    assert all("PT/PTT" not in h.doc.treatment for h in about.hits)


def test_every_case_number_finds_its_letter(real_engine: Engine, letters: list[Letter]) -> None:
    for letter in letters:
        number = letter.case_number
        assert number is not None
        ids = [item.id for item in letter.items]
        for typed in (number, number.lower(), number.replace("-", " "), f'"{number}"'):
            response = real_engine.search(SearchRequest(query=typed, per_page=50))
            assert [h.id for h in response.hits] == ids, typed
        last = ids[-1]
        response = real_engine.search(SearchRequest(query=last, per_page=50))
        assert response.hits[0].id == last and {h.id for h in response.hits} == set(ids)


def _documents(letters: list[Letter]) -> list[ItemDocument]:
    return [
        d for n, x in enumerate(letters) for d in source_documents(f"/real/{n}.txt", "fp", x).items
    ]


def test_citator_counts_equal_the_parsed_records(
    real_engine: Engine, letters: list[Letter]
) -> None:
    """For every guideline and section: decisions citing it by party, and the reviewer's
    outcomes, exactly as counted from the records the parser gave."""
    docs = _documents(letters)
    for kind in ("guideline", "section"):

        def cited(doc: ItemDocument, party: str, kind: str = kind) -> set[str]:
            cites = doc.citations_by(party)  # type: ignore[arg-type]
            if kind == "guideline":
                return {c.label for c in cites}
            return {s for c in cites for s in c.section_labels}

        expected: dict[str, list[int]] = {}
        for doc in docs:
            for name in cited(doc, "reviewer"):
                expected.setdefault(name, [0, 0])[0] += 1
            for name in cited(doc, "claims_administrator"):
                expected.setdefault(name, [0, 0])[1] += 1
        rows = citator.index(real_engine, kind)  # type: ignore[arg-type]
        assert {r.name: [r.reviewer, r.administrator] for r in rows} == expected, kind
        for row in rows:
            report = citator.report(real_engine, row.name, kind)  # type: ignore[arg-type]
            relying = [d for d in docs if row.name in cited(d, "reviewer")]
            upheld = sum(d.outcome == "Upheld" for d in relying)
            assert (report.reviewer.upheld, report.reviewer.total) == (upheld, len(relying))
            both = [d for d in relying if row.name in cited(d, "claims_administrator")]
            assert report.both.total == len(both), row.name
            beside = {
                other: sum(other in cited(d, "reviewer") for d in relying)
                for d in relying
                for other in cited(d, "reviewer") - {row.name}
            }
            assert all(r.rate.total == beside[r.value] for r in report.co_cited), row.name


# The letters' own template language: none of it may be offered as a reason for an outcome.
BOILERPLATE = (
    "medically necessary",
    "medical necessity",
    "the request",
    "is not",
    "given the above",
    "documentation submitted",
    "based on",
    "independent medical review",
    "claims administrator",
    "the patient",
    "injured worker",
    "not supported",
    "not been established",
    "guidelines",
    "mtus",
    "odg",
)


@pytest.mark.parametrize("query", ["", "therapy", "mri", "medication", "injection"])
def test_reasons_of_a_broad_search_hold_no_boilerplate(real_engine: Engine, query: str) -> None:
    found = reasons.of_search(real_engine, SearchRequest(query=query))
    for reason in (*found.upheld, *found.overturned):
        text = f" {reason.text.lower()} "
        assert not any(f" {b} " in text for b in BOILERPLATE), reason
    if not query:  # the whole collection: something does separate the outcomes
        assert found.upheld and found.overturned
        assert found.read == found.total == real_engine.count()


def test_no_template_sentence_yields_a_reason_phrase() -> None:
    for sentence in (
        "Given the above, the request for MRI of the lumbar spine is not medically necessary.",
        "Therefore, medical necessity has not been established.",
        "The request is not reasonable and is denied.",
        "The documentation submitted for review indicates the request is not supported.",
    ):
        assert not (reasons.phrases(sentence) - {"lumbar spine", "mri of the lumbar"}), sentence
