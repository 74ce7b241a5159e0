"""AST -> FTS5 MATCH: every word quoted, exclusions attached, and no input ever breaks FTS5."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr_search.errors import QuerySyntaxError
from imr_search.query import And, Not, Or, Phrase, Term, parse_query
from imr_search.sqlite.compiler import compile_match
from imr_search.sqlite.schema import TOKENIZER
from imr_search.sqlite.search import compile_query

# Words without a scope search every column of items_fts (mappings.fields DEFAULT_SCOPES; the
# `request` scope has its own table): no column filter.
U = ""
CASES = [
    ("knee", f'{U}"knee"'),
    ("Knee Shoulder", f'({U}"knee" AND {U}"shoulder")'),
    ('"hardware block"', f'{U}"hardware block"'),
    ("therap*", f'{U}"therap" *'),
    ("knee OR hip", f'({U}"knee" OR {U}"hip")'),
    ("knee -arthroscopy", f'(({U}"knee") NOT {U}"arthroscopy")'),
    ("knee -arthroscopy -hip", f'((({U}"knee") NOT {U}"arthroscopy") NOT {U}"hip")'),
    ("treatment:knee", '{treatment} : "knee"'),
    ('rationale:"facet injection"', '{rationale} : "facet injection"'),
    ("treatment:(knee OR hip)", '({treatment} : "knee" OR {treatment} : "hip")'),
    ("(knee OR hip) surgery", f'(({U}"knee" OR {U}"hip") AND {U}"surgery")'),
    ("knee -(hip OR shoulder)", f'(({U}"knee") NOT ({U}"hip" OR {U}"shoulder"))'),
    ("L4-S1", f'{U}"l4 s1"'),
    ('NEAR "x"', f'({U}"near" AND {U}"x")'),
    ("knee^2", f'{U}"knee 2"'),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_compiled_match(query: str, expected: str) -> None:
    assert compile_match(parse_query(query)) == expected  # type: ignore[arg-type]


def test_synonyms_are_expanded_before_compiling() -> None:
    assert compile_query("PT") == f'({U}"pt" OR {U}"physical therapy" OR {U}"physiotherapy")'
    assert compile_query("") is None


def test_double_negation_and_de_morgan() -> None:
    assert compile_match(Not(Not(Term("knee")))) == f'{U}"knee"'
    group = And((Term("a"), Not(And((Not(Term("b")), Not(Term("c")))))))
    assert compile_match(group) == f'({U}"a" AND ({U}"b" OR {U}"c"))'  # a -(-b -c) = a (b OR c)
    flipped = Not(Or((Not(Term("b")), Not(Term("c")))))
    assert compile_match(flipped) == f'({U}"b" AND {U}"c")'


@pytest.mark.parametrize(
    "node",
    [
        Not(Term("knee")),
        And((Not(Term("a")), Not(Term("b")))),
        Or((Term("a"), Not(Term("b")))),
        Not(And((Term("b"), Not(Term("c"))))),
        And((Term("a"), Not(Or((Term("b"), Not(Term("c"))))))),
    ],
)
def test_unsearchable_negations_are_syntax_errors(node) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuerySyntaxError):
        compile_match(node)


def test_quotes_inside_words_are_escaped() -> None:
    assert compile_match(Term('a"b')) == f'{U}"a""b"'
    assert compile_match(Phrase(("x", 'y"'), "summary")) == '{summary} : "x y"""'


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        f"CREATE VIRTUAL TABLE t USING fts5(treatment, rationale, summary, citation,"
        f" tokenize = '{TOKENIZER}')"
    )
    db.execute("INSERT INTO t VALUES ('knee arthroscopy', 'the hardware block', 'x', 'ODG')")
    return db


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.lists(
            st.sampled_from(
                [
                    "knee",
                    "a",
                    '"',
                    "(",
                    ")",
                    "*",
                    "-",
                    ":",
                    "^",
                    "{",
                    "}",
                    "+",
                    "~",
                    "|",
                    "OR",
                    "NOT",
                    "AND",
                    "NEAR",
                    "treatment:",
                    "citation:",
                    " ",
                    "-(",
                    "x*",
                    "é",
                    "\x00",
                ]
            ),
            max_size=20,
        ).map("".join),
        st.text(max_size=60),
    )
)
def test_any_input_is_a_syntax_error_or_a_valid_match(fts: sqlite3.Connection, text: str) -> None:
    try:
        match = compile_query(text)
    except QuerySyntaxError:
        return
    if match is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
