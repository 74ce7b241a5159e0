"""The query language parser (imr_search.query) and the shared synonyms (imr_search.synonyms).

Engine-free: these pin the AST both engines compile, so a change here is a change for both.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imr_search.errors import QuerySyntaxError
from imr_search.query import (
    MAX_CLAUSES,
    And,
    Not,
    Or,
    Phrase,
    Term,
    parse_query,
    words_of,
)
from imr_search.synonyms import expand_synonyms
from mappings.synonyms import synonym_groups

T = Term
P = Phrase

PARSES = [
    ("knee", T("knee")),
    ("  Knee  ", T("knee")),
    ("knee shoulder", And((T("knee"), T("shoulder")))),
    ("knee AND shoulder", And((T("knee"), T("shoulder")))),
    ('"hardware block"', P(("hardware", "block"))),
    ('"knee"', T("knee")),
    ("knee OR hip", Or((T("knee"), T("hip")))),
    ("a b OR c", Or((And((T("a"), T("b"))), T("c")))),
    ("a | b", Or((T("a"), T("b")))),
    ("knee -arthroscopy", And((T("knee"), Not(T("arthroscopy"))))),
    ("knee NOT arthroscopy", And((T("knee"), Not(T("arthroscopy"))))),
    ('knee -"total knee"', And((T("knee"), Not(P(("total", "knee")))))),
    ("knee -(hip OR foot)", And((T("knee"), Not(Or((T("hip"), T("foot"))))))),
    ("therap*", T("therap", prefix=True)),
    ("(knee OR hip) surgery", And((Or((T("knee"), T("hip"))), T("surgery")))),
    ("treatment:knee", T("knee", "treatment")),
    ("Treatment:knee", T("knee", "treatment")),
    ('rationale:"facet injection"', P(("facet", "injection"), "rationale")),
    ("summary:(knee OR hip)", Or((T("knee", "summary"), T("hip", "summary")))),
    ("treatment:(knee citation:odg)", And((T("knee", "treatment"), T("odg", "citation")))),
    ("-rationale:radiculopathy knee", And((Not(T("radiculopathy", "rationale")), T("knee")))),
    ("L4-S1", P(("l4", "s1"))),
    ("3.3.9", P(("3", "3", "9"))),
    ("10/325mg", P(("10", "325mg"))),
    ("l4-s*", P(("l4", "s"))),
    ("café", T("café")),
    ("knee -", T("knee")),
    ('""', None),
    ("", None),
    ("   ", None),
    ("+ && AND", None),
]


@pytest.mark.parametrize(("text", "expected"), PARSES, ids=[t or "<empty>" for t, _ in PARSES])
def test_parse(text: str, expected: object) -> None:
    assert parse_query(text) == expected


ERRORS = [
    ("knee (", "Unclosed '('"),
    ("knee )", "Unmatched ')'"),
    ('"open', "Unclosed quote"),
    ("colour:red", "Unknown field 'colour:'"),
    ("treatment:", "needs a word"),
    ("treatment: OR x", "needs a word"),
    ("-knee", "not only exclusions"),
    ("-knee -hip", "not only exclusions"),
    ("OR knee", "needs a term on both sides"),
    ("knee OR", "needs a term on both sides"),
    ("NOT", "needs a term after it"),
    ("()", "Empty parentheses"),
    ("k*", "at least 2 characters"),
    ("a" * 1001, "limit is 1000"),
    (" ".join(["w"] * (MAX_CLAUSES + 1)), "more than"),
]


# An exclusion written inside a field scope means what `-field:...` means (issue 12: it used
# to drop the dash, or search the word "not").
SCOPED_EXCLUSIONS = [
    ("knee treatment:-arthroscopy", "knee -treatment:arthroscopy"),
    ("knee treatment:NOT arthroscopy", "knee -treatment:arthroscopy"),
    ("knee treatment: NOT arthroscopy", "knee -treatment:arthroscopy"),
    ('knee rationale:-"total knee"', 'knee -rationale:"total knee"'),
    ('knee rationale:NOT "total knee"', 'knee -rationale:"total knee"'),
    ("knee summary:-(hip OR foot)", "knee -summary:(hip OR foot)"),
    ("knee summary:NOT (hip OR foot)", "knee -summary:(hip OR foot)"),
    ("knee citation:-odg*", "knee -citation:odg*"),
]


@pytest.mark.parametrize(
    ("text", "same_as"), SCOPED_EXCLUSIONS, ids=[t for t, _ in SCOPED_EXCLUSIONS]
)
def test_exclusions_inside_a_field_scope(text: str, same_as: str) -> None:
    node = parse_query(text)
    assert node == parse_query(same_as)
    assert isinstance(node, And) and isinstance(node.children[1], Not)


@pytest.mark.parametrize("text", ["treatment:-knee", "treatment:NOT knee"])
def test_a_scoped_exclusion_alone_is_only_an_exclusion(text: str) -> None:
    with pytest.raises(QuerySyntaxError, match="not only exclusions"):
        parse_query(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("knee treatment:- arthroscopy", "-treatment:arthroscopy"),
        ("knee treatment:NOT", "needs a word"),
        ("knee treatment:-", "needs a word"),
        ("knee treatment:NOT OR x", "needs a word"),
    ],
)
def test_broken_scoped_exclusions_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert message in str(info.value)


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[t[:20] for t, _ in ERRORS])
def test_syntax_errors_say_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert message in str(info.value)


def test_words_of() -> None:
    assert words_of("L4-S1, Norco 10/325mg!") == ["l4", "s1", "norco", "10", "325mg"]


@given(st.text(max_size=80))
def test_parser_never_crashes(text: str) -> None:
    with contextlib.suppress(QuerySyntaxError):
        parse_query(text)


# --- synonyms ---------------------------------------------------------------------------

PT_GROUP = Or((T("pt"), P(("physical", "therapy")), T("physiotherapy")))

EXPANSIONS = [
    ("PT", PT_GROUP),
    ('"physical therapy"', Or((P(("physical", "therapy")), T("pt"), T("physiotherapy")))),
    ("physical therapy", Or((P(("physical", "therapy")), T("pt"), T("physiotherapy")))),
    ("knee PT", And((T("knee"), PT_GROUP))),
    (
        "treatment:PT",
        Or(
            (
                T("pt", "treatment"),
                P(("physical", "therapy"), "treatment"),
                T("physiotherapy", "treatment"),
            )
        ),
    ),
    ("-PT knee", And((Not(PT_GROUP), T("knee")))),
    ("pt*", T("pt", prefix=True)),  # prefixes are not expanded
    ("ESI", Or((T("esi"), P(("epidural", "steroid", "injection"))))),
    (
        "NSAID",
        Or(
            (
                T("nsaid"),
                P(("nonsteroidal", "anti", "inflammatory", "drug")),
                P(("non", "steroidal", "anti", "inflammatory", "drug")),
            )
        ),
    ),
    ("knee", T("knee")),
    ("physical exam", And((T("physical"), T("exam")))),
    ("treatment:physical therapy", And((T("physical", "treatment"), T("therapy")))),
]


@pytest.mark.parametrize(("text", "expected"), EXPANSIONS, ids=[t for t, _ in EXPANSIONS])
def test_synonym_expansion(text: str, expected: object) -> None:
    assert expand_synonyms(parse_query(text)) == expected


def test_synonym_list_is_well_formed() -> None:
    groups = synonym_groups()
    assert len(groups) >= 20
    entries = [e for g in groups for e in g]
    assert len(entries) == len(set(entries)), "an entry belongs to two groups"
    for entry in entries:
        assert entry == entry.lower().strip() and words_of(entry) == entry.split()
    for required in ("pt", "esi", "tens", "nsaid", "frp"):
        assert any(required in g for g in groups)


def test_expansion_of_none() -> None:
    assert expand_synonyms(None) is None
