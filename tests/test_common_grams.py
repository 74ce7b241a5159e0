"""Common grams on the embedded engine: a phrase searched as its grams finds exactly the items
the positional phrase finds (generated and real letters), whatever list the index was built
with, after replacing and deleting letters too."""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_search.contract import SearchRequest, SearchResponse, SourceDocuments
from imr_search.plan import plan
from imr_search.query import Phrase, Term, words_of
from imr_search.sqlite import schema
from imr_search.sqlite.compiler import compile_match
from imr_search.sqlite.engine import SqliteEngine
from imr_search.sqlite.grams import RUN_BREAK, CommonGrams, gram_term
from imr_search.sqlite.matching import ranker
from imr_search.sqlite.rows import build_row
from indexer.documents import source_documents
from indexer.parse import parse_file
from mappings.common_grams import common_grams_version, common_words, list_version, parse_words
from mappings.fields import SCOPES
from synthetic.corpus import generate_letters

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-letters" / "txt"

# Everyday phrases, their inflections and spellings, phrases with a word that is not common,
# with function words, with non-ASCII and punctuation between the words.
PHRASES = [
    "physical therapy",
    "Physical Therapies",
    "physical-therapy",
    "medically necessary",
    "not medically necessary",
    "home exercise program",
    "lumbar fusion",
    "lumbar spine",
    "low back pain",
    "MRI lumbar",
    "lumbar MRI",
    "conservative treatment",
    "failure of conservative treatment",
    "red flags",
    "functional improvement",
    "urine drug screen",
    "chronic pain medical treatment guidelines",
    "the request",
    "physical therapy physical therapy",
    "therapy physical",
    "tramadol ER",
    "patient’s pain",
    "naïve medical",
    "medical_necessity",
    "L4-S1",
]


def generated(count: int, seed: int, prefix: str = "/g") -> list[SourceDocuments]:
    return [
        source_documents(f"{prefix}/{n}.txt", f"fp-{seed}", letter)
        for n, letter in enumerate(generate_letters(count, seed))
    ]


def real() -> list[SourceDocuments]:
    return [
        source_documents(f"/real/{n}.txt", "fp", parse_file(path))
        for n, path in enumerate(sorted(REAL.glob("*.txt")))
    ]


def corpus_phrases(docs: list[SourceDocuments], how_many: int, seed: int) -> list[str]:
    """Runs of 2-4 adjacent words from the items' texts (seeded): what people copy and paste."""
    rng = random.Random(seed)
    texts = [t for entry in docs for doc in entry.items for t in build_row(doc).texts if t]
    out = []
    while len(out) < how_many:
        words = words_of(rng.choice(texts))
        if len(words) < 2:
            continue
        size = rng.randint(2, min(4, len(words)))
        start = rng.randrange(len(words) - size + 1)
        out.append(" ".join(words[start : start + size]))
    return out


def matched(db: sqlite3.Connection, match: str, table: str = "items_fts") -> set[int]:
    return {r for (r,) in db.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (match,))}


def check_exact(engine: SqliteEngine, phrases: list[str]) -> int:
    """Every phrase, unscoped and in every scope (`request:` in items_request, the others in
    items_fts): the gram MATCH finds exactly the rows the positional one does. Returns how
    many were searched as grams."""
    db = engine.db
    rewrite = engine.grams.rewriter(db)
    as_grams = 0
    for phrase in phrases:
        text = '"' + phrase.replace('"', " ") + '"'
        for scope in (None, *SCOPES):
            ast = plan(f"{scope}:{text}" if scope else text).ast
            if ast is None:
                continue
            table = "items_request" if scope == schema.REQUEST_COLUMN else "items_fts"
            positional, grams = compile_match(ast), compile_match(ast, rewrite)
            assert matched(db, grams, table) == matched(db, positional, table), (scope, grams)
            as_grams += positional != grams
    return as_grams


@pytest.fixture(scope="module")
def generated_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteEngine]:
    engine = SqliteEngine(str(tmp_path_factory.mktemp("grams") / "g.sqlite3"), writable=True)
    assert engine.write(generated(250, 5)) == []
    engine.finish()
    yield engine
    engine.close()


def test_phrases_as_grams_match_exactly_on_generated_letters(
    generated_engine: SqliteEngine,
) -> None:
    docs = generated(250, 5)
    phrases = PHRASES + corpus_phrases(docs, 400, seed=1)
    assert check_exact(generated_engine, phrases) > 300  # not vacuous: most are grams


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-letters absent")
def test_phrases_as_grams_match_exactly_on_real_letters(tmp_path: Path) -> None:
    docs = real()
    with SqliteEngine(str(tmp_path / "real.sqlite3"), writable=True) as engine:
        assert engine.write(docs) == []
        engine.finish()
        phrases = PHRASES + corpus_phrases(docs, 400, seed=2)
        assert check_exact(engine, phrases) > 200


def test_everyday_phrase_is_one_gram_lookup(generated_engine: SqliteEngine) -> None:
    rewrite = generated_engine.grams.rewriter(generated_engine.db)
    assert rewrite(("physical", "therapy")) == ["0physic0therapi0"]
    assert rewrite(("Physical", "therapies")) == ["0physic0therapi0"]
    assert rewrite(("home", "exercise", "program")) == ["0home0exercis0", "0exercis0program0"]
    assert rewrite(("failure", "of", "conservative")) is None  # "of" is not a common word
    assert rewrite(("therapy",)) is None
    ast = plan('"medically necessary"').ast
    assert ast is not None
    # Without a scope: every column of items_fts, no column filter (gram terms included).
    assert compile_match(ast) == '"medically necessary"'
    assert compile_match(ast, rewrite) == '"0medic0necessari0"'
    ast = plan('rationale:"medically necessary"').ast
    assert ast is not None
    assert compile_match(ast, rewrite) == '{rationale_grams} : "0medic0necessari0"'
    expanded = plan('request:"physical therapy"').ast  # a column of items_request
    assert expanded is not None
    assert compile_match(expanded, rewrite) == (
        '({request_grams} : "0physic0therapi0" OR {request} : "pt" OR {request} : "physiotherapy")'
    )


def test_synonyms_that_meet_in_one_gram_string_are_searched_once(
    generated_engine: SqliteEngine,
) -> None:
    """The synonyms "urine drug test" and "urine drug testing" stem to the same grams: one
    phrase in the MATCH (FTS5 would run it twice, bm25 count it twice), one ranker leaf."""
    rewrite = generated_engine.grams.rewriter(generated_engine.db)
    ast = plan('"urine drug testing"').ast
    assert ast is not None
    match = compile_match(ast, rewrite)
    assert match.count('"0urin0drug0 0drug0test0"') == 1
    assert match.count(" OR ") == 2  # the test, the screen and "uds"
    assert ranker(ast, rewrite).leaves == (
        '"0urin0drug0 0drug0test0"',
        '"uds"',
        '"0urin0drug0 0drug0screen0"',
    )


def test_search_results_and_marks_are_those_of_the_phrase(
    generated_engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the engine: the same hits in the same order (newest first here: large match
    sets), the same marked snippets; only the MATCH differs."""
    queries = ['"physical therapy"', '"medically necessary" knee', 'treatment:"lumbar spine"']
    for query in queries:
        for sort in ("date", "relevance"):
            request = SearchRequest(query=query, per_page=50, sort=sort)
            with_grams, positional = both_ways(generated_engine, monkeypatch, request)
            assert with_grams.total == positional.total > 0
            ids = [h.doc.id for h in with_grams.hits]
            assert set(ids) == {h.doc.id for h in positional.hits} or sort == "relevance"
            if sort == "date":
                assert ids == [h.doc.id for h in positional.hits]
                assert [h.marked_snippet for h in with_grams.hits] == [
                    h.marked_snippet for h in positional.hits
                ]
    hit = generated_engine.search(SearchRequest(query='"physical therapy"', per_page=5)).hits
    assert any("\ue000therapy\ue001" in h.marked_snippet.lower() for h in hit)


def both_ways(
    engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch, request: SearchRequest
) -> tuple[SearchResponse, SearchResponse]:
    """The response with the index's grams, and with every phrase positional."""
    with_grams = engine.search(request)
    monkeypatch.setattr(engine, "grams", None)
    try:
        return with_grams, engine.search(request)
    finally:
        monkeypatch.undo()


def test_request_scoped_phrases_are_searched_as_grams_in_items_request(
    generated_engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `request:` phrase of common words is a gram lookup in items_request's gram column,
    alone, beside other words (matched piece by piece) and as the about query of an unscoped
    phrase: the same totals, about/mention splits and hits as the positional phrase."""
    rewrite = generated_engine.grams.rewriter(generated_engine.db)
    ast = plan('request:"physical therapy"').ast
    assert ast is not None and compile_match(ast, rewrite).startswith("({request_grams} : ")
    queries = [
        'request:"physical therapy"',
        'request:"physical therapy" -request:"home exercise"',
        'request:"physical therapy" "medically necessary"',
        'request:"lumbar spine" OR treatment:"physical therapy"',
        '"physical therapy"',  # its about query: request:"physical therapy"
    ]
    for query in queries:
        for decisions in ("all", "about", "mentions"):
            request = SearchRequest(query=query, per_page=50, sort="date", decisions=decisions)
            with_grams, positional = both_ways(generated_engine, monkeypatch, request)
            assert with_grams.total == positional.total, (query, decisions)
            assert with_grams.about == positional.about, (query, decisions)
            assert [h.doc.id for h in with_grams.hits] == [h.doc.id for h in positional.hits]
        assert generated_engine.search(SearchRequest(query=query, per_page=0)).total > 0, query
    about = generated_engine.search(SearchRequest(query='"physical therapy"', per_page=0)).about
    assert about is not None and about.about > 0


def test_words_never_meet_the_gram_columns(generated_engine: SqliteEngine) -> None:
    """Words without a scope search items_fts with no column filter: the gram columns hold
    only terms that start with 0 (grams, RUN_BREAK), which a word, phrase or prefix with no
    token starting with 0 cannot match; one that may have such a token is filtered to the
    text columns. Either way the rows are those of the text columns."""
    db = generated_engine.db
    text_columns = "{" + " ".join(schema.FTS_COLUMNS) + "} : "
    assert compile_match(Term("physic", prefix=True)) == '"physic" *'  # no filter
    assert compile_match(Term("0")) == text_columns + '"0"'
    assert compile_match(Phrase(("0", "5", "mg"))) == text_columns + '"0 5 mg"'
    assert compile_match(Phrase(("tablet", "0.5"))) == text_columns + '"tablet 0.5"'
    assert compile_match(Phrase(("10", "mg"))) == '"10 mg"'  # no token starts with 0
    assert compile_match(Term("2010")) == '"2010"'
    assert matched(db, '"0"') != matched(db, text_columns + '"0"')  # RUN_BREAK is there
    leaves = [
        Term("0"),
        Term("0", prefix=True),
        Term("physic", prefix=True),
        Term("therap", prefix=True),
        Term(gram_term("physic", "therapi")),
        Phrase(("0", "0")),
        Phrase(("tablet", "0.5")),
        Term("2010"),
        Term("10", prefix=True),
        Phrase(("physical", "therapy")),
        Term("medically"),
    ]
    for leaf in leaves:
        match = compile_match(leaf)
        inner = match.removeprefix(text_columns)
        assert matched(db, match) == matched(db, text_columns + inner), match
    assert matched(db, compile_match(Term("physic", prefix=True)))


def test_gram_column_holds_fts5_tokens_with_run_breaks(generated_engine: SqliteEngine) -> None:
    grams = CommonGrams(["physic", "therapi", "home", "exercis", "program"])
    db = generated_engine.db
    # Punctuation does not part a phrase (FTS5 ignores it); a word that is not common does.
    texts = [("Physical therapy; rest home-exercise program", "")]
    ((column, empty),) = grams.column_texts(db, texts)
    physic_therapi = gram_term("physic", "therapi")
    assert physic_therapi == "0physic0therapi0"
    assert column.split() == [
        physic_therapi,
        RUN_BREAK,
        gram_term("home", "exercis"),
        gram_term("exercis", "program"),
    ]
    assert empty == ""
    # FTS5's tokenizer (porter) leaves gram terms as written.
    tokenizer = schema.TOKENIZER
    db.execute(f"CREATE VIRTUAL TABLE temp.t_check USING fts5(x, tokenize = '{tokenizer}')")
    db.execute("CREATE VIRTUAL TABLE temp.t_check_v USING fts5vocab(temp, t_check, instance)")
    db.execute("INSERT INTO temp.t_check(x) VALUES (?)", (column,))
    terms = [t for (t,) in db.execute("SELECT term FROM temp.t_check_v ORDER BY offset")]
    assert terms == column.split()


def fts5_terms(db: sqlite3.Connection, text: str) -> list[str]:
    """FTS5's own terms of a text, in order (the definition the writer's grams follow)."""
    tokenizer = schema.TOKENIZER
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.t_ref USING fts5(x, tokenize = '{tokenizer}')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.t_ref_v USING fts5vocab(temp, t_ref, instance)"
    )
    db.execute("DELETE FROM temp.t_ref")
    db.execute("INSERT INTO temp.t_ref(x) VALUES (?)", (text,))
    return [t for (t,) in db.execute("SELECT term FROM temp.t_ref_v ORDER BY offset")]


def reference_grams(common: frozenset[str], terms: list[str]) -> str:
    """The gram column by its definition, one token at a time."""
    out: list[str] = []
    last = None
    for i, (first, second) in enumerate(zip(terms, terms[1:], strict=False)):
        if first in common and second in common:
            if last is not None and i != last + 1:
                out.append(RUN_BREAK)
            out.append(gram_term(first, second))
            last = i
    return " ".join(out)


@pytest.mark.parametrize("max_chunks", [3, 200_000])
def test_gram_columns_of_a_batch_are_each_texts_own(
    generated_engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch, max_chunks: int
) -> None:
    """The writer's batch at once (texts one after the other, chunks coded once, a cache that
    starts again when full) makes each text's grams as FTS5's tokens define them: no gram
    across two texts, chunks FTS5 reads as several tokens or none (non-ASCII punctuation)."""
    monkeypatch.setattr("imr_search.sqlite.grams._MAX_CHUNKS", max_chunks)
    grams = CommonGrams(["physic", "therapi", "home", "exercis", "program", "patient", "s"])
    db = generated_engine.db
    rng = random.Random(3)
    words = ["physical", "Therapy", "home", "exercise", "program", "patient’s", "rest", "—", "•",
             "naïve", "L4-S1", "ﬁle", "中文", "2016", "", "Ⅻ"]  # fmt: skip
    separators = [" ", "-", ", ", ".\n", "’", "\u00a0", "/", ""]
    rows = [
        tuple(
            "".join(rng.choice(words) + rng.choice(separators) for _ in range(rng.randint(0, 12)))
            for _ in range(3)
        )
        for _ in range(120)
    ]
    rows.append(("physical", "therapy physical", "therapy"))  # pairs across texts: none
    for start in range(0, len(rows), 40):
        batch = rows[start : start + 40]
        expected = [
            tuple(reference_grams(grams.common, fts5_terms(db, text)) for text in texts)
            for texts in batch
        ]
        assert grams.column_texts(db, batch) == expected
    assert grams.column_texts(db, [rows[-1]]) == [("", gram_term("therapi", "physic"), "")]


def test_an_index_keeps_the_list_it_was_built_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built with another list than this version's, an index is searched with its own list:
    its grams, the same exact results."""
    other = ("medic", "necessari", "physic", "therapi")
    monkeypatch.setattr(schema, "common_words", lambda: other)
    monkeypatch.setattr(schema, "common_grams_version", lambda: list_version(other))
    target = str(tmp_path / "other.sqlite3")
    with SqliteEngine(target, writable=True) as engine:
        assert engine.write(generated(60, 9)) == []
        engine.finish()
    monkeypatch.undo()
    with SqliteEngine(target) as engine:
        assert engine.grams.words == other
        assert engine.grams.version == list_version(other) != common_grams_version()
        rewrite = engine.grams.rewriter(engine.db)
        assert rewrite(("physical", "therapy")) == ["0physic0therapi0"]
        assert rewrite(("home", "exercise")) is None  # common in this version's list only
        assert check_exact(engine, PHRASES) > 10


def test_replacing_and_deleting_letters_leaves_no_stale_grams(tmp_path: Path) -> None:
    """Grams of replaced and deleted items are removed (FTS5 'delete' needs the values it
    indexed): the gram columns' vocabulary is the one of a fresh index of what is left."""
    first, second = generated(80, 21), generated(80, 22)
    with SqliteEngine(str(tmp_path / "changed.sqlite3"), writable=True) as changed:
        assert changed.write(first) == []
        assert changed.write(second[:40]) == []  # same sources: replaced
        changed.delete_sources([entry.source for entry in second[30:40]])
        changed.finish()
        kept = second[:30] + first[40:]
        with SqliteEngine(str(tmp_path / "fresh.sqlite3"), writable=True) as fresh:
            assert fresh.write(kept) == []
            fresh.finish()
            assert _gram_vocabulary(changed.db) == _gram_vocabulary(fresh.db)
            assert len(_gram_vocabulary(fresh.db)) > 100
        assert check_exact(changed, PHRASES) > 20


def _gram_vocabulary(db: sqlite3.Connection) -> set[tuple[str, str, int, int]]:
    """(term, column, items, occurrences) of the gram columns of items_fts and items_request."""
    out = set()
    for table in ("items_fts", "items_request"):
        db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_cols"
            f" USING fts5vocab(main, {table}, col)"
        )
        out |= {
            row
            for row in db.execute(f"SELECT term, col, doc, cnt FROM temp.{table}_cols")
            if row[1].endswith("_grams")
        }
    return out


def test_shipped_list_is_words_of_letters_and_versioned() -> None:
    words = common_words()
    assert len(words) > 100
    assert all(re.fullmatch(r"[a-z]{2,}", w) for w in words)
    assert {"physic", "therapi", "medic", "necessari", "lumbar"} <= set(words)
    assert not {"the", "of", "and"} & set(words)  # function words stay positional
    assert parse_words("b # x\n\na\n# c\n") == ("a", "b")
    assert common_grams_version() == list_version(words) == list_version(list(reversed(words)))
