"""The query language on the fixture corpus: query -> exactly these items (any engine).

Expected ids were worked out by reading the corpus texts (see corpus.py). Each query is run
with per_page=100, so `total` and the ids of every hit are checked.
"""

from __future__ import annotations

import pytest

from imr_search.contract import Engine, SearchRequest

from .corpus import ID, ITEMS, ids

KNEE = ("L2-1", "L2-2", "L8-1", "L8-2", "L22-1", "L24-1")

CASES: list[tuple[str, tuple[str, ...]]] = [
    # bare words: every word must match, stemmed, any field, any case
    ("knee", KNEE),
    ("KNEE", KNEE),
    ("knees", KNEE),
    ("hardware block", ("L12-1", "L13-1")),
    ("injections", ("L4-1", "L5-1", "L12-2")),
    ("radiculopathy", ("L4-1", "L5-1")),
    # exact phrases
    ('"hardware block"', ("L12-1",)),
    ('"compression fracture"', ("L17-1", "L17-2", "L18-1", "L19-1")),
    ("L4-S1", ("L12-1", "L12-2")),  # one typed word with inner punctuation is a phrase
    # synonyms from mappings/synonyms.txt (both directions, words and phrases)
    ("PT", ("L1-1", "L2-1", "L3-1")),
    ("pt", ("L1-1", "L2-1", "L3-1")),
    ('"physical therapy"', ("L1-1", "L2-1", "L3-1")),
    ("physical therapy", ("L1-1", "L2-1", "L3-1")),
    ("physiotherapy", ("L1-1", "L2-1", "L3-1")),
    ("ESI", ("L4-1", "L5-1")),
    ('"epidural steroid injection"', ("L4-1", "L5-1")),
    ("TENS", ("L6-1", "L7-1")),
    ('"transcutaneous electrical nerve stimulation"', ("L6-1", "L7-1")),
    ("NSAID", ("L8-1", "L9-1")),
    ("FRP", ("L10-1", "L11-1")),
    ('"functional restoration program"', ("L10-1", "L11-1")),
    ("MRI", ("L23-1", "L24-1")),
    ("EMG", ("L20-2",)),
    ("electromyography", ("L20-2",)),
    ("CBT", ("L21-2",)),
    ("TKA", ("L22-1",)),
    ("chiro", ("L1-1", "L14-1")),
    ("UDS", ("L15-1",)),
    # prefix
    ("arthroscop*", ("L2-2", "L3-2", "L23-1")),
    ("treatment:vert*", ("L19-1",)),
    # exclusion (-word, NOT word, -prefix*, -field:word)
    ("knee -arthroscopy", ("L2-1", "L8-1", "L8-2", "L22-1", "L24-1")),
    ("fracture NOT kyphoplasty", ("L17-2", "L25-1")),
    ("(shoulder OR hip) -arthroscop*", ("L3-1", "L16-1", "L25-1", "L26-1")),
    ('summary:"compression fracture" -treatment:kyphoplasty', ("L17-2", "L19-1")),
    # OR and grouping (OR binds loosest)
    ("kyphoplasty OR vertebroplasty", ("L17-1", "L18-1", "L19-1")),
    ("kyphoplasty OR hardware block", ("L17-1", "L18-1", "L19-1", "L12-1", "L13-1")),
    ("treatment:(kyphoplasty OR brace)", ("L17-1", "L17-2", "L18-1")),
    # field scopes
    ("treatment:knee", ("L2-1", "L2-2", "L22-1", "L24-1")),
    ("summary:knee", KNEE),
    ("rationale:knee", ()),
    ('rationale:"conservative care"', ("L3-2", "L16-1", "L22-1")),
    ("citation:Buchbinder", ("L19-1",)),
    ('citation:"Hip & Pelvis"', ("L23-1",)),
    # nothing matches
    ("zzzunknownword", ()),
    ('"knee kyphoplasty"', ()),
]


def _citing(source: str) -> tuple[str, ...]:
    return tuple(
        i for i, (_letter, item) in ITEMS.items() if any(c.source == source for c in item.citations)
    )


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
def test_query_matches_exactly(engine: Engine, query: str, expected: tuple[str, ...]) -> None:
    response = engine.search(SearchRequest(query=query, per_page=100))
    assert {h.id for h in response.hits} == ids(*expected)
    assert response.total == len(expected)


def test_citation_scope_finds_every_item_citing_odg(engine: Engine) -> None:
    expected = {i for i in _citing("ODG")}
    response = engine.search(SearchRequest(query="citation:ODG", per_page=100))
    assert {h.id for h in response.hits} == expected
    assert response.total == len(expected) == 19


def test_empty_query_browses_everything(engine: Engine) -> None:
    response = engine.search(SearchRequest(query="", per_page=100))
    assert response.total == len(ITEMS) == 36
    assert {h.id for h in response.hits} == set(ITEMS)
    assert all(h.score is None for h in response.hits)


def test_treatment_matches_rank_above_summary_matches(engine: Engine) -> None:
    """Field weights: treatment > rationale > summary."""
    response = engine.search(SearchRequest(query="knee", per_page=100))
    order = [h.id for h in response.hits]
    assert set(order[-2:]) == ids("L8-1", "L8-2")  # knee only in their letter's summary
    assert all(h.score is not None for h in response.hits)
    scores = [h.score for h in response.hits]
    assert scores == sorted(scores, reverse=True)


def test_user_text_never_reaches_the_engine_unparsed(engine: Engine) -> None:
    """Engine query syntax typed by a user is just words."""
    for query in (
        "NEAR(knee arthroscopy)",
        "knee^2",
        "{treatment}: knee",
        "knee AND",
        'knee + "right"',
        "*knee",
        "knee~2",
        "treatment : knee",
        "knee:",
        "a:b:c",
    ):
        try:
            response = engine.search(SearchRequest(query=query))
        except Exception as exc:  # only the product's own syntax error is acceptable
            from imr_search.errors import QuerySyntaxError

            assert isinstance(exc, QuerySyntaxError), (query, exc)
        else:
            assert response.total >= 0


def test_aliases_resolve() -> None:
    assert ID["L12-1"] == "CM21-0100012-1"
    assert ID["L26-1"].startswith("H-")
