"""Similar prior cases: the item's most distinctive terms, OR-ed and ranked by bm25.

"More like this", SQLite style: tokenise the item (or pasted text) with the index's own
tokenizer (a scratch FTS5 table in the connection's temp schema, so stems are exactly the
index's), weigh each stem by tf-idf using document frequencies cached in `term_df`, keep
the strongest ones while their total document frequency stays within a budget (bm25 scores
every row the OR matches, so the budget bounds the cost), then rank by bm25 excluding the
item itself and its letter. `shared_terms` are the query terms found in each hit. The order
and shared terms are kept in the per-generation cache (search.MATCH_CACHE), so reopening an
item page does not score ~20,000 rows again; documents are read every time.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from dataclasses import dataclass

from imr_search.contract import SimilarHit, SimilarRequest, item_not_found
from imr_search.errors import InvalidParameter, ItemNotFound
from imr_search.marks import MARK_END, MARK_START, marked_spans
from imr_search.query import words_of
from imr_search.sqlite.cache import MATCH_CACHE, CacheKey
from imr_search.sqlite.marking import LONG_TEXT, mark_long_text
from imr_search.sqlite.postings import Snapshot
from imr_search.sqlite.rows import DOC_COLUMNS, load_doc
from imr_search.sqlite.schema import BM25, TOKENIZER
from imr_search.sqlite.search import member_function
from mappings.fields import SIMILAR_FIELDS

MAX_TERMS = 20
MIN_TERMS = 3
DF_BUDGET = 25_000  # total document frequency of the chosen terms (rows bm25 will score)
MIN_WORD = 3
SHARED_SHOWN = 6
# The texts terms are picked from (the first FTS columns), with the field table's weights:
# an item's treatment says most about it.
_TEXT_COLUMNS = tuple(f.scope for f in SIMILAR_FIELDS)
_TEXT_WEIGHTS = tuple(f.similar_weight for f in SIMILAR_FIELDS)


@dataclass(frozen=True)
class QueryTerm:
    stem: str
    word: str  # a surface form from the source text (FTS5 stems it back to `stem`)
    weight: float


def run_similar(
    db: sqlite3.Connection,
    snap: Snapshot,
    request: SimilarRequest,
    *,
    cache_key: CacheKey | None = None,
) -> list[SimilarHit]:
    """The k most similar items; their order is kept in the per-generation cache (choosing
    terms and scoring ~20,000 rows by bm25 costs ~15 ms; the documents are read each time)."""
    key = (*cache_key, "similar", request) if cache_key is not None else None
    ranked: list[tuple[int, float, tuple[str, ...]]] | None = None
    if key is not None:
        ranked = MATCH_CACHE.get(key)
    if ranked is None:
        ranked = _rank_similar(db, snap, request)
        if key is not None:
            size = 200 + len(request.text or "") + 100 * len(ranked)
            MATCH_CACHE.put(key, ranked, size)
    if not ranked:
        return []
    rowids = [r for r, _, _ in ranked]
    marks = ",".join("?" * len(rowids))
    docs = {
        r: load_doc(doc, t, ra, s)
        for r, doc, t, ra, s in db.execute(
            f"SELECT rowid, {DOC_COLUMNS} FROM items WHERE rowid IN ({marks})", rowids
        )
    }
    return [
        SimilarHit(doc=docs[r], score=score, shared_terms=shared) for r, score, shared in ranked
    ]


def _rank_similar(
    db: sqlite3.Connection, snap: Snapshot, request: SimilarRequest
) -> list[tuple[int, float, tuple[str, ...]]]:
    """(rowid, score, shared terms) of the k most similar items, best first."""
    keep: int | None = None  # restriction to a category, as a bitset
    excluded: list[int] = []
    category = request.category
    if request.item_id is not None:
        row = db.execute(
            f"SELECT rowid, letter_id, category, {', '.join(_TEXT_COLUMNS)} FROM items"
            " WHERE id = ?",
            (request.item_id,),
        ).fetchone()
        if row is None:
            raise ItemNotFound(item_not_found(request.item_id))
        rowid, letter_id, own_category, *own_texts = row
        excluded = [rowid]
        if not request.include_same_letter:
            excluded += [
                r
                for (r,) in db.execute(
                    "SELECT rowid FROM items WHERE letter_id = ? AND rowid != ?", (letter_id, rowid)
                )
            ]
        if category is None and request.same_category:
            category = own_category
        texts = list(zip(own_texts, _TEXT_WEIGHTS, strict=True))
        # Ignore terms (almost) unique to this item: typos and names, not similarity. The
        # item itself counts once; like Elasticsearch's more_like_this min_doc_freq (5).
        min_df = min(5, max(2, snap.all.bit_count() // 2000))
    else:
        if request.same_category and category is None:
            raise InvalidParameter(
                "category", "give the category to restrict free-text similarity to"
            )
        texts = [(request.text or "", 1.0)]
        min_df = 1
    if category is not None:
        keep = snap.value_bits("category", category)
        if not keep:
            return []

    terms = distinctive_terms(db, texts, total=max(snap.all.bit_count(), 1), min_df=min_df)
    if not terms:
        return []
    match = " OR ".join('"' + t.word + '"' for t in terms)
    where = "items_fts MATCH ?"
    if excluded:  # a few rowids: a constant list SQLite checks without calling Python
        where += f" AND rowid NOT IN ({','.join(str(r) for r in excluded)})"
    if keep is not None:
        db.create_function("imr_keep", 1, member_function(keep), deterministic=True)
        where += " AND imr_keep(rowid)"
    ranked = db.execute(
        f"SELECT rowid, {BM25} AS score FROM items_fts WHERE {where} ORDER BY score, rowid LIMIT ?",
        (match, request.k),
    ).fetchall()
    if not ranked:
        return []
    rowids = [r for r, _ in ranked]
    marks = ",".join("?" * len(rowids))
    found: dict[int, set[str]] = {r: set() for r in rowids}
    long_rows = [
        r
        for r, longest in db.execute(
            f"SELECT rowid, max(length(treatment), length(rationale), length(summary)) FROM items"
            f" WHERE rowid IN ({marks})",
            rowids,
        )
        if longest > LONG_TEXT
    ]
    short = [r for r in rowids if r not in long_rows]
    s, e = MARK_START, MARK_END
    marked: list[tuple[int, list[str]]] = []
    if short:
        for r, *texts_marked in db.execute(
            f"SELECT rowid, highlight(items_fts, 0, '{s}', '{e}'), highlight(items_fts, 1, '{s}',"
            f" '{e}'), highlight(items_fts, 2, '{s}', '{e}') FROM items_fts"
            f" WHERE items_fts MATCH ? AND rowid IN ({','.join('?' * len(short))})",
            (match, *short),
        ):
            marked.append((r, texts_marked))
    for r in long_rows:  # FTS5's highlight() would take the square of the matches: chunks
        texts = db.execute(
            "SELECT treatment, rationale, summary FROM items WHERE rowid = ?", (r,)
        ).fetchone()
        marked.append(
            (r, [mark_long_text(db, match, c, t, whole=True) for c, t in enumerate(texts)])
        )
    for r, texts_marked in marked:
        for text in texts_marked:
            for span in marked_spans(text or ""):
                found[r].update(words_of(span))
    stems = _stems(db, sorted(set().union(*found.values())))
    out = []
    for r, score in ranked:
        hit_stems = {stems.get(w) for w in found[r]}
        shared = tuple(t.word for t in terms if t.stem in hit_stems)[:SHARED_SHOWN]
        out.append((r, -score, shared))
    return out


def distinctive_terms(
    db: sqlite3.Connection,
    texts: list[tuple[str, float]],
    *,
    total: int,
    min_df: int,
) -> list[QueryTerm]:
    """The strongest tf-idf stems of the texts, within the document-frequency budget."""
    tf: dict[str, float] = {}
    for text, weight in texts:
        for word, n in Counter(words_of(text or "")).items():
            if len(word) >= MIN_WORD and not word.isdigit():
                tf[word] = tf.get(word, 0.0) + n * weight
    if not tf:
        return []
    stems = _stems(db, sorted(tf))
    by_stem: dict[str, float] = {}
    surface: dict[str, tuple[float, str]] = {}
    for word, weight in tf.items():
        stem = stems.get(word)
        if stem is None:
            continue
        by_stem[stem] = by_stem.get(stem, 0.0) + weight
        if stem not in surface or surface[stem][0] < weight:
            surface[stem] = (weight, word)
    df = _document_frequencies(db, list(by_stem))
    scored = []
    for stem, weight in by_stem.items():
        n = df.get(stem, 0)
        if n < min_df or n > total / 2:
            continue
        idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        scored.append(QueryTerm(stem, surface[stem][1], weight * idf))
    scored.sort(key=lambda t: (-t.weight, t.stem))
    chosen: list[QueryTerm] = []
    budget = DF_BUDGET
    for term in scored:
        n = df[term.stem]
        if n > budget:
            continue
        chosen.append(term)
        budget -= n
        if len(chosen) == MAX_TERMS:
            break
    if len(chosen) < MIN_TERMS:
        # Only common words: add the rarest of the strongest few, within twice the budget.
        extra = sorted((t for t in scored[:MAX_TERMS] if t not in chosen), key=lambda t: df[t.stem])
        budget += DF_BUDGET
        for term in extra:
            if len(chosen) >= MIN_TERMS or df[term.stem] > budget:
                break
            chosen.append(term)
            budget -= df[term.stem]
    return chosen


def _stems(db: sqlite3.Connection, words: list[str]) -> dict[str, str]:
    """word -> the index tokenizer's stem (words it splits into several tokens left out)."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_stemmer USING fts5(word, tokenize = "
        f"'{TOKENIZER}')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_stems USING fts5vocab(temp, imr_stemmer,"
        " instance)"
    )
    db.execute("DELETE FROM temp.imr_stemmer")
    db.executemany(
        "INSERT INTO temp.imr_stemmer(rowid, word) VALUES (?, ?)", list(enumerate(words))
    )
    tokens: dict[int, list[str]] = {}
    for doc, term in db.execute("SELECT doc, term FROM temp.imr_stems"):
        tokens.setdefault(doc, []).append(term)
    return {words[doc]: terms[0] for doc, terms in tokens.items() if len(terms) == 1}


def _document_frequencies(db: sqlite3.Connection, stems: list[str]) -> dict[str, int]:
    """Cached in term_df by finish(); straight from the FTS index when never cached."""
    if not stems:
        return {}
    marks = ",".join("?" * len(stems))
    cached = db.execute("SELECT 1 FROM term_df LIMIT 1").fetchone() is not None
    table, column = ("term_df", "df") if cached else ("items_vocab", "doc")
    return dict(
        db.execute(f"SELECT term, {column} FROM {table} WHERE term IN ({marks})", stems).fetchall()
    )
