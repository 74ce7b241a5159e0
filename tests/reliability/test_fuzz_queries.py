"""Fuzzing the query language end to end: parser, compilers, both engines, and the web app.

1. Pure (thousands of cases): any text either parses to a well-formed AST or raises
   QuerySyntaxError, never anything else; synonym expansion, both engines' compilers and
   FTS5 itself accept every AST the parser returns.
2. Real engines (a few hundred cases each): `Engine.search` answers or raises
   QuerySyntaxError / InvalidParameter, whatever the query, filters, sort and page.
3. Hostile queries through the Flask app on both engines: FTS5 and Elasticsearch syntax,
   very long input, control characters, Unicode oddities and markup: always 200 or a clear 400
   (JSON error.message on the API), never a 500, and never markup from the query in a page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr_search.contract import Engine, SearchRequest
from imr_search.elastic.compile import compile_query as es_compile
from imr_search.elastic.compile import highlight_queries
from imr_search.elastic.search import search_body
from imr_search.engines import open_engine
from imr_search.errors import InvalidParameter, QuerySyntaxError
from imr_search.query import FIELDS, And, Node, Not, Or, Phrase, Term, parse_query, words_of
from imr_search.sqlite.compiler import compile_match
from imr_search.sqlite.schema import TOKENIZER
from imr_search.synonyms import expand_synonyms
from mappings.facets import FACETS
from search_ui import create_app

from .helpers import generated_index

LETTERS = 60
SEED = 31

# --- query strategies -------------------------------------------------------------------------

TOKENS = [
    "knee",
    "pain",
    "PT",
    "physical",
    "therapy",
    "ESI",
    "epidural",
    "injection",
    "MTUS",
    "ODG",
    "OR",
    "AND",
    "NOT",
    "or",
    "-",
    "--",
    "(",
    ")",
    '"',
    "*",
    "kn*",
    "k*",
    ":",
    "::",
    "treatment:",
    "rationale:",
    "summary:",
    "citation:",
    "Treatment:",
    "field:",
    "items_fts:",
    "{treatment rationale}:",
    "{a b}:",
    "NEAR",
    "NEAR(",
    "NEAR/3",
    "^",
    "^2",
    "~",
    "~2",
    "/",
    "/kne+/",
    "\\",
    "\\\\",
    "&&",
    "||",
    "|",
    "!",
    "+",
    "[",
    "]",
    "[a TO b]",
    "TO",
    "{",
    "}",
    "_exists_:",
    "*:*",
    "?",
    "'",
    ";",
    "%",
    "_",
    "L4-S1",
    "3.3.9",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\u0301",
    "é",
    "ß",
    "İ",
    "ﬁ",
    "膝",
    "ركبة",
    "🦵",
    "👩\u200d⚕️",
    "\ue000",
    "\ue001",
    "<script>",
    "</mark>",
    "&amp;",
]
_piece = st.one_of(st.sampled_from(TOKENS), st.text(max_size=4))
token_soup = st.lists(st.tuples(_piece, st.sampled_from(["", " ", " ", "  "])), max_size=40).map(
    lambda parts: "".join(a + b for a, b in parts)
)
nested = st.builds(
    lambda n, opener, closer, word: opener * n + word + closer * n,
    st.integers(1, 600),
    st.sampled_from(["(", "-(", "NOT (", "(a OR ", "((", "-", "NOT ", '"', "- "]),
    st.sampled_from([")", "))", " b)", "", '"']),
    st.sampled_from(["knee", "PT", "kn*", "", "-"]),
)
long_text = st.builds(
    lambda word, n: word * n,
    st.sampled_from(["a", "knee ", "PT OR ", "-x "]),
    st.integers(150, 1200),
)
queries = st.one_of(st.text(max_size=200), token_soup, token_soup, nested, long_text)


def is_word(text: str) -> bool:
    """One lower-cased word, nothing an engine could read as syntax. (Not `words_of(text) ==
    [text]`: lower-casing 'İ' gives 'i' plus a combining dot, which is fine as it is.)"""
    return bool(words_of(text)) and text == text.lower() and not _SYNTAX.search(text)


_SYNTAX = re.compile(r'[\s"()*:{}^~\\\[\]/+\-]')


def check_ast(node: Node) -> None:
    """The AST contract the compilers rely on."""
    if isinstance(node, Term):
        assert is_word(node.text), node
        assert node.field in (None, *FIELDS), node
    elif isinstance(node, Phrase):
        assert len(node.words) >= 2 and all(is_word(w) for w in node.words), node
        assert node.field in (None, *FIELDS), node
    elif isinstance(node, Not):
        check_ast(node.child)
    else:
        assert isinstance(node, And | Or) and len(node.children) >= 2, node
        for child in node.children:
            check_ast(child)


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    """An FTS5 table with the index's own tokenizer and columns, to run compiled matches."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(treatment, rationale, summary, citation, "
        f"tokenize = '{TOKENIZER}')"
    )
    db.execute("INSERT INTO t VALUES ('knee arthroscopy', 'physical therapy', 'pain', 'ODG')")
    yield db
    db.close()


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=queries)
def test_parser_and_compilers_never_fail_but_with_a_syntax_error(
    fts: sqlite3.Connection, text: str
) -> None:
    try:
        node = parse_query(text)
    except QuerySyntaxError as exc:
        assert str(exc).strip()  # a message for the person who typed the query
        return
    if node is None:  # nothing to look for: browse everything
        assert (
            search_body(SearchRequest(query=text))[0].to_dict()["query"]
            == es_compile(None).to_dict()
        )
        return
    check_ast(node)
    expanded = expand_synonyms(node)
    assert expanded is not None
    check_ast(expanded)
    try:
        match = compile_match(expanded)
    except QuerySyntaxError:
        match = None
    if match is not None:  # what FTS5 is given must be valid FTS5
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
    try:
        es_compile(expanded).to_dict()
        highlight_queries(expanded)
        search_body(SearchRequest(query=text))[0].to_dict()
    except QuerySyntaxError:
        pass


DEEP = [
    ("parentheses", "(" * 400 + "knee" + ")" * 400),
    ("groups", "(a " * 300 + ")" * 300),
    ("dashes", "-" * 999 + "knee"),
    ("negated groups", "-(" * 300 + "knee" + ")" * 300),
    ("NOTs", "knee " + "NOT " * 240 + "pain"),
    ("scoped groups", "treatment:(" * 200 + "knee" + ")" * 200),
    ("alternations", "(knee OR (pain OR " * 100 + "x" + "))" * 100),
]


@pytest.mark.parametrize("text", [t for _, t in DEEP], ids=[name for name, _ in DEEP])
def test_deeply_nested_queries_are_a_syntax_error_or_a_query(text: str) -> None:
    """A 1000-character query can nest hundreds deep: the parser must say so (or cope), not
    hit Python's recursion limit (a RecursionError is a 500 in the web app)."""
    try:
        node = parse_query(text)
    except QuerySyntaxError:
        return
    assert node is not None
    compile_match(expand_synonyms(node))
    es_compile(expand_synonyms(node))


# The deepest queries the parser accepts: every engine must run them.
AT_THE_LIMIT = [
    "(" * 20 + "knee pain" + ")" * 20,
    "(knee OR (pain " * 10 + "x" + "))" * 10,
    "knee " + "-(pain " * 10 + "x" + ")" * 10,
    "treatment:(" * 10 + "(knee OR PT) -rationale:(x OR -y)" + ")" * 10,
    "PT " + "NOT " * 19 + "ESI",
    "(citation:ODG OR (summary:knee -(" * 5 + "x" + "))) " * 5,
]


# --- real engines -----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine]]:
    """(target, open engine) over a small generated corpus, one per engine per module."""
    with generated_index(request, tmp_path_factory, "fuzz", LETTERS, SEED) as target:
        engine = open_engine(target)
        try:
            yield target, engine
        finally:
            engine.close()


@pytest.mark.parametrize("text", AT_THE_LIMIT)
def test_engines_run_the_deepest_queries_the_parser_accepts(
    index: tuple[str, Engine], text: str
) -> None:
    try:
        parse_query(text)
    except QuerySyntaxError as exc:  # only when the query has no positive part
        assert "only exclusions" in str(exc) or "exclusion" in str(exc), exc
        return
    try:
        index[1].search(SearchRequest(query=text, filters={"outcome": ["Upheld"]}))
    except QuerySyntaxError as exc:
        assert "exclusion" in str(exc), exc


FACET_NAMES = [f.name for f in FACETS]
# Mostly valid parameters, so that most cases reach the engine; now and then an invalid one.
filters = st.dictionaries(
    st.sampled_from([*FACET_NAMES, *FACET_NAMES, "nope"]),
    st.lists(
        st.one_of(
            st.sampled_from(["Upheld", "Overturned", "none", "MTUS", "2016", "", "x"]),
            st.text(max_size=30),
        ),
        max_size=3,
    ),
    max_size=2,
)
pages = st.one_of(st.integers(1, 3), st.integers(1, 3), st.integers(-1, 600))
per_pages = st.sampled_from([0, 1, 20, 20, 100, 101])
sorts = st.sampled_from(["relevance", "date", "relevance", "date", "x"])


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=queries, chosen=filters, sort=sorts, page=pages, per_page=per_pages)
def test_engine_search_answers_or_rejects_clearly(
    index: tuple[str, Engine],
    text: str,
    chosen: dict[str, list[str]],
    sort: str,
    page: int,
    per_page: int,
) -> None:
    _, engine = index
    try:
        request = SearchRequest(
            query=text,
            filters=chosen,
            sort=sort,  # type: ignore[arg-type]
            page=page,
            per_page=per_page,
            breakdown="reviewer_guideline",
        )
    except InvalidParameter as exc:
        assert str(exc).strip()
        return
    try:
        response = engine.search(request)
    except (QuerySyntaxError, InvalidParameter) as exc:
        assert str(exc).strip()
        return
    assert response.total >= len(response.hits)
    assert len(response.hits) <= per_page
    assert all(h.id for h in response.hits)


# --- hostile queries through the web app ------------------------------------------------------

HOSTILE = [
    # FTS5 syntax
    "NEAR(knee pain, 5)",
    "knee NEAR/3 pain",
    "^knee",
    "knee^2",
    "treatment:knee",
    "{treatment rationale}: knee",
    "{a b}:",
    "items_fts:knee",
    "rank:1",
    '"',
    '""',
    '"knee',
    "*",
    "**",
    "* knee",
    "k*",
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "NOT NOT knee",
    "OR knee",
    "knee OR",
    "(",
    ")",
    "()",
    "(()",
    ")(",
    "-",
    "--",
    "- -",
    "-knee",
    "knee + pain",
    "col:'x'",
    "treatment:",
    "treatment::knee",
    "Treatment:KNEE",
    # Elasticsearch / Lucene syntax
    "treatment:[a TO b]",
    "year:[2014 TO 2016]",
    "{a TO b}",
    "knee~2",
    "knee~",
    '"knee pain"~5',
    "/kne+/",
    "/.*/",
    "\\",
    "\\\\",
    "a\\:b",
    "&&",
    "||",
    "!",
    "!knee",
    "knee^",
    "_exists_:x",
    "*:*",
    "treatment:*",
    "kn?e",
    "?",
    "<",
    ">=",
    "knee AND (pain OR",
    "citation:ODG",
    # sizes
    "knee " * 199,
    "a" * 1000,
    "a" * 1001,
    "x" * 20_000,
    "(" * 500,
    "-" * 999 + "knee",
    "NOT " * 200 + "knee",
    '"' * 999,
    "knee OR " * 100 + "pain",
    "(" * 400 + "knee" + ")" * 400,
    # control characters and Unicode
    "knee\x00pain",
    "\x00",
    "\x01\x02\x1b[31m",
    "knee\r\npain",
    "\t",
    "\u200b",
    "\ufeff",
    "\u202eknee",
    "ركبة ألم",
    "膝 痛",
    "🦵 pain",
    "knee 👩\u200d⚕️",
    "kne\u0301e",
    "Z\u0334\u0321a\u0337l\u0336g\u0338o",
    "\ue000knee\ue001",
    "\ue001</mark>\ue000",
    "\ud7ff",
    # markup
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "{{7*7}}",
    "${7*7}",
    "<!--",
    "]]>",
    "&lt;script&gt;",
    'treatment:"<b onmouseover=alert(1)>knee</b>"',
    "<mark>knee</mark>",
    "knee <iframe src=//x>",
]
PAGE_URLS = ["/search", "/", "/item/{item}", "/similar"]
API_URLS = [
    "/api/search",
    "/api/facets",
    "/export.csv",
    "/export.json",
    "/api/items/{item}",
    "/api/similar",
]
FORBIDDEN_TAGS = {"img", "iframe", "object", "embed", "marquee", "base"}


class _Markup(HTMLParser):
    """Collects what could run or inject: tags, event-handler attributes, script sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag} {attrs}>")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")


def markup_problems(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture(scope="module")
def client(index: tuple[str, Engine]) -> Any:
    app = create_app({"IMR_SEARCH_INDEX": index[0], "TESTING": False})
    return app.test_client()


@pytest.fixture(scope="module")
def some_item(index: tuple[str, Engine]) -> str:
    return index[1].search(SearchRequest(per_page=1, sort="date")).hits[0].id


def _url(template: str, item: str) -> tuple[str, str]:
    """(path, name of the parameter that carries the hostile text)."""
    path = template.format(item=item)
    return path, ("text" if path.endswith("/similar") else "q")


def test_the_app_pages_carry_no_markup_of_their_own_that_the_check_would_flag(
    client: Any, some_item: str
) -> None:
    """The markup check is meaningful: clean pages pass it."""
    for template in PAGE_URLS:
        path, name = _url(template, some_item)
        response = client.get(path, query_string={name: "knee"})
        assert response.status_code == 200, (path, response.status_code)
        assert markup_problems(response.get_data(as_text=True)) == [], path


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:24]) for t in HOSTILE])
def test_hostile_query_gives_200_or_a_clear_400_and_no_markup(
    client: Any, some_item: str, text: str
) -> None:
    failures = []
    for template in PAGE_URLS + API_URLS:
        path, name = _url(template, some_item)
        response = client.get(path, query_string={name: text})
        status = response.status_code
        body = response.get_data(as_text=True)
        if status not in (200, 400):
            failures.append(f"{path}: HTTP {status}: {body[:300]}")
            continue
        if template in API_URLS and status == 400:
            error = (response.get_json(silent=True) or {}).get("error") or {}
            if not str(error.get("message", "")).strip():
                failures.append(f"{path}: 400 without a JSON error.message: {body[:200]}")
        if template in PAGE_URLS:
            problems = markup_problems(body)
            if problems:
                failures.append(f"{path}: markup from the query: {problems[:3]}")
    assert not failures, "\n".join(failures)


RAW_QUERY_STRINGS = [
    b"q=%ff%fe%fd",  # not UTF-8
    b"q=%ed%a0%80",  # an encoded lone surrogate
    b"q=%00%00",
    b"q=knee&q=pain&q=%3Cscript%3E",  # repeated
    b"q",  # no value
    b"outcome=%3Cscript%3Ealert(1)%3C/script%3E",
    b"year=%27%20OR%201%3D1%20--",
    b"nope=1",
    b"page=-1",
    b"page=99999999999999999999999",
    b"per_page=1e9",
    b"per_page=-5",
    b"sort=%3Cscript%3E",
    b"facet_size=101",
    b"breakdown=%3Cb%3E",
    b"outcome=" + b"x" * 5000,
    b"&".join([b"outcome=Upheld"] * 200),
]


@pytest.mark.parametrize("raw", RAW_QUERY_STRINGS, ids=[r[:30].decode() for r in RAW_QUERY_STRINGS])
def test_hostile_parameters_give_200_or_a_clear_400(client: Any, raw: bytes) -> None:
    for path in ("/search", "/api/search", "/export.csv"):
        response = client.get(path + "?" + raw.decode("latin-1"))
        assert response.status_code in (200, 400), (path, response.status_code)
        if path.startswith("/api") and response.status_code == 400:
            assert response.get_json()["error"]["message"].strip()
        if path == "/search":
            assert markup_problems(response.get_data(as_text=True)) == []


def test_hostile_posted_similar_text(client: Any) -> None:
    """The similar-cases form and API take pasted text: the same rules hold for a post."""
    for text in ("<script>alert(1)</script> knee", "\x00" * 100, "x" * 20_000, "🦵" * 3000, " "):
        for path in ("/similar", "/api/similar"):
            response = client.post(path, data={"text": text})
            assert response.status_code in (200, 400, 413), (path, response.status_code)
            if path == "/similar":
                assert markup_problems(response.get_data(as_text=True)) == []
        response = client.post("/api/similar", json={"text": text, "k": "<b>"})
        assert response.status_code in (200, 400, 413)
