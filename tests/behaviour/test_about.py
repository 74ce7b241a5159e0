"""Decisions *about* a query before those that merely mention it; case-number lookups; the
breakdown's basis. One small corpus written for these rules, indexed on every engine.

The corpus (letter: items, outcome): which requests each query is about was worked out by
reading the texts below, not by running an engine.

    A  CM19-0500001  1 Acupuncture 6 sessions (Overturned)
                     2 Naproxen 550mg #60 (Upheld)          rationale mentions acupuncture
    B  CM19-0500002  1 Acupuncture 12 visits (Upheld)
    C  CM19-0500003  1 Physical therapy 12 sessions for the lumbar spine (Overturned)
    D  CM19-0500004  1 Associated surgical service: PT/PTT (Upheld)   a lab panel
                     2 Right knee arthroscopy (Upheld)       summary mentions physical therapy
    E  CM19-0500005  1 Ultram 50mg #90 (Upheld)              tramadol by its brand name
                     2 Chiropractic care 6 visits (Overturned)  rationale mentions acupuncture
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imr_search.contract import Engine, SearchRequest
from imr_search.engines import open_engine
from indexer.documents import source_documents
from indexer.records import Item, Letter

from .conftest import ENGINES as BEHAVIOUR_ENGINES
from .conftest import module_target

ROWS = [
    ("A", "CM19-0500001", "2019-01-10", "A worker with low back pain.", [
        ("Acupuncture 6 sessions", "Overturned",
         "Acupuncture is recommended as an option when pain medication is reduced."),
        ("Naproxen 550mg #60", "Upheld",
         "The worker has had acupuncture; an NSAID for long-term use is not supported."),
    ]),
    ("B", "CM19-0500002", "2019-02-11", "A worker with neck pain.", [
        ("Acupuncture 12 visits", "Upheld",
         "Twelve visits exceed the guideline's initial trial of three to six treatments."),
    ]),
    ("C", "CM19-0500003", "2019-03-12", "A worker with a lumbar strain.", [
        ("Physical therapy 12 sessions for the lumbar spine", "Overturned",
         "A course of active therapy with a home program is recommended."),
    ]),
    ("D", "CM19-0500004", "2019-04-13",
     "A worker with a torn meniscus who completed physical therapy without relief.", [
        ("Associated surgical service: PT/PTT", "Upheld",
         "Routine pre-operative coagulation testing is not indicated for this patient."),
        ("Right knee arthroscopy", "Upheld",
         "The imaging does not show a tear that arthroscopy would address."),
    ]),
    ("E", "CM19-0500005", "2019-05-14", "A worker with chronic shoulder pain.", [
        ("Ultram 50mg #90", "Upheld",
         "There is no documentation of functional improvement on this opioid."),
        ("Chiropractic care 6 visits", "Overturned",
         "Manual therapy is recommended; acupuncture was not tolerated."),
    ]),
]  # fmt: skip
LETTERS = [
    Letter(
        case_number=case,
        format="standard",
        source=f"/about/{alias}.txt",
        decision_date=date,
        clinical_summary=summary,
        items=tuple(
            Item(
                id=f"{case}-{n}",
                item_number=n,
                treatment=treatment,
                outcome=outcome,  # type: ignore[arg-type]
                rationale=rationale,
                category="other",
            )
            for n, (treatment, outcome, rationale) in enumerate(items, start=1)
        ),
    )
    for alias, case, date, summary, items in ROWS
]
ENGINES = pytest.mark.parametrize("about_engine", BEHAVIOUR_ENGINES, indirect=True)


@pytest.fixture(scope="module")
def about_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    target = module_target(request.param, tmp_path_factory.mktemp("about"), request)
    engine = open_engine(target, writable=True)
    try:
        assert engine.write([source_documents(x.source, "fp", x) for x in LETTERS]) == []
        engine.finish()
        yield engine
    finally:
        engine.close()


def _ids(engine: Engine, query: str, **options: object) -> list[str]:
    response = engine.search(SearchRequest(query=query, per_page=100, **options))  # type: ignore[arg-type]
    return [h.id for h in response.hits]


@ENGINES
def test_decisions_about_a_query_come_first_and_are_what_the_rate_counts(
    about_engine: Engine,
) -> None:
    response = about_engine.search(SearchRequest(query="acupuncture", per_page=100))
    ids = [h.id for h in response.hits]
    assert set(ids[:2]) == {"CM19-0500001-1", "CM19-0500002-1"}  # the two requests
    assert set(ids[2:]) == {"CM19-0500001-2", "CM19-0500005-2"}  # two mentions
    assert response.about is not None
    assert (response.about.about, response.about.mentions) == (2, 2)
    rate = response.outcome_rate
    assert (rate.upheld, rate.overturned) == (1, 1)  # B upheld, A-1 overturned
    about = _ids(about_engine, "acupuncture", decisions="about")
    assert set(about) == {"CM19-0500001-1", "CM19-0500002-1"}
    mentions = _ids(about_engine, "acupuncture", decisions="mentions")
    assert set(mentions) == {"CM19-0500001-2", "CM19-0500005-2"}


@ENGINES
def test_a_lab_panel_is_never_physical_therapy(about_engine: Engine) -> None:
    for query in ("physical therapy", '"physical therapy"', "PT"):
        about = _ids(about_engine, query, decisions="about")
        assert about == ["CM19-0500003-1"], query
    # The summary that mentions physical therapy lists its letter's items as mentions.
    mentions = set(_ids(about_engine, "physical therapy", decisions="mentions"))
    assert "CM19-0500004-2" in mentions and "CM19-0500003-1" not in mentions


@ENGINES
def test_a_request_by_brand_name_is_about_its_generic(about_engine: Engine) -> None:
    assert _ids(about_engine, "request:tramadol") == ["CM19-0500005-1"]
    assert _ids(about_engine, "request:opioid") == ["CM19-0500005-1"]
    assert _ids(about_engine, "request:acupuncture", sort="date") == [
        "CM19-0500002-1",
        "CM19-0500001-1",
    ]


@ENGINES
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("request:acupuncture OR request:tramadol", {"01-1", "02-1", "05-1"}),
        ("acupuncture request:acupuncture", {"01-1", "02-1"}),
        ("acupuncture -request:acupuncture", {"01-2", "05-2"}),
        ("request:tramadol OR acupuncture", {"01-1", "02-1", "01-2", "05-2", "05-1"}),
        ("(request:tramadol OR request:acupuncture) -request:tramadol", {"01-1", "02-1"}),
        ("request:acupuncture -(acupuncture -request:acupuncture)", {"01-1", "02-1"}),
    ],
)
def test_request_words_mixed_with_other_words(
    about_engine: Engine, query: str, expected: set[str]
) -> None:
    """`request:` words combine with any others (AND, OR, exclusions) like any scope."""
    found = _ids(about_engine, query)
    assert len(found) == len(set(found))
    assert set(found) == {f"CM19-05000{suffix}" for suffix in expected}


@ENGINES
@pytest.mark.parametrize(
    "query", ["CM19-0500004", '"CM19-0500004"', "cm19 0500004", "CM19 - 0500004", "cm19-0500004"]
)
def test_a_case_number_finds_its_letter(about_engine: Engine, query: str) -> None:
    assert _ids(about_engine, query) == ["CM19-0500004-1", "CM19-0500004-2"]


@ENGINES
def test_an_item_id_finds_its_letter_with_the_item_first(about_engine: Engine) -> None:
    assert _ids(about_engine, "CM19-0500004-2") == ["CM19-0500004-2", "CM19-0500004-1"]
    assert _ids(about_engine, "cm19-0500001-2") == ["CM19-0500001-2", "CM19-0500001-1"]
    # Words and a case number: that letter's items with the words.
    assert _ids(about_engine, "CM19-0500004 arthroscopy") == ["CM19-0500004-2"]
    assert set(_ids(about_engine, "CM19-0500004 OR CM19-0500002")) == {
        "CM19-0500004-1",
        "CM19-0500004-2",
        "CM19-0500002-1",
    }
    assert _ids(about_engine, "CM99-0000000") == []


@ENGINES
def test_the_breakdown_ignores_the_outcome_filter_and_says_so(about_engine: Engine) -> None:
    response = about_engine.search(
        SearchRequest(query="acupuncture", filters={"outcome": ["Overturned"]}, breakdown="concept")
    )
    assert response.total == 2  # A-1 (about), E-2 (a mention)
    assert response.breakdown_ignores == ("outcome",)
    rows = {r.value: (r.rate.upheld, r.rate.overturned) for r in response.breakdown}
    assert rows == {"Acupuncture": (1, 1)}  # both acupuncture requests, either outcome


def test_a_year_breakdown_is_every_year_in_order(engine_target: str) -> None:
    engine = open_engine(engine_target, writable=True)
    try:
        letters = [
            Letter(
                case_number=f"CM{year % 100:02d}-07{year}{n}",
                format="standard",
                source=f"/years/{year}-{n}.txt",
                decision_date=f"{year}-06-0{n + 1}",
                items=(
                    Item(
                        id=f"CM{year % 100:02d}-07{year}{n}-1",
                        item_number=1,
                        treatment="Acupuncture",
                        outcome="Upheld" if n else "Overturned",
                        rationale="x",
                    ),
                ),
            )
            for year, copies in ((2014, 1), (2015, 3), (2016, 2), (2013, 1), (2017, 1))
            for n in range(copies)
        ]
        engine.write([source_documents(x.source, "fp", x) for x in letters])
        engine.finish()
        rows = engine.search(SearchRequest(breakdown="year", facet_size=2)).breakdown
        assert [(r.value, r.rate.total) for r in rows] == [
            ("2013", 1),
            ("2014", 1),
            ("2015", 3),
            ("2016", 2),
            ("2017", 1),
        ]
    finally:
        engine.close()


@ENGINES
def test_a_query_no_decision_is_about_breaks_down_every_match(about_engine: Engine) -> None:
    """Nothing is about 'pain' (no request is for pain), much mentions it: the rate and the
    breakdown count every match, the breakdown with as many rows as facet_size allows."""
    response = about_engine.search(SearchRequest(query="pain", breakdown="concept", facet_size=10))
    assert response.about is not None and response.about.about == 0 and response.total > 1
    counts = {v.value: v.count for v in response.facets["concept"]}
    rows = {r.value: r.rate.total for r in response.breakdown}
    assert len(rows) > 1 and rows == counts


@ENGINES
@pytest.mark.parametrize(
    "options",
    [
        {"filters": {"outcome": ["Upheld"]}},  # the breakdown ignores the outcome filter
        {"facet_sizes": {"concept": 0}},  # the concept facet not listed
    ],
)
def test_every_match_breakdown_when_its_facet_does_not_count_it(
    about_engine: Engine, options: dict[str, object]
) -> None:
    """The same breakdown of every match when the facet's own counts cannot serve it."""
    plain = about_engine.search(SearchRequest(query="pain", breakdown="concept"))
    other = about_engine.search(SearchRequest(query="pain", breakdown="concept", **options))  # type: ignore[arg-type]
    assert other.about is not None and other.about.about == 0
    assert other.breakdown == plain.breakdown and len(plain.breakdown) > 1
