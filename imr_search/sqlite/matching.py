"""Which rows a query matches, and the FTS5 query whose bm25 orders them.

Words without a scope, and every scope but one, are columns of items_fts; the `request:`
scope is the one column of items_request (imr_search.sqlite.schema). A query is then run as:
- one MATCH on items_fts when it has no `request:` word (nearly every query people type);
- one MATCH on items_request when every word of it is a `request:` word (the decisions a
  query is *about*: imr_search.plan);
- otherwise piece by piece: each largest part of the query that one table can answer is one
  MATCH, and AND, OR and exclusions combine their rows as bitsets. A MATCH string is checked
  whole first (imr_search.sqlite.compiler), so the errors are the same as for one MATCH.

`grams` (the index's phrase rewrite, imr_search.sqlite.grams) makes every MATCH here search a
phrase of common words as its grams, in either table; the ranker's too (bm25 then scores the
gram columns' hits).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from imr_search.errors import QuerySyntaxError
from imr_search.plan import request_only
from imr_search.query import And, Node, Not, Or, Phrase, Term, positive_leaves
from imr_search.sqlite.cache import MATCH_CACHE, CacheKey, MatchSet
from imr_search.sqlite.compiler import PhraseRewrite, as_positive, compile_match, flatten
from imr_search.sqlite.postings import bits_from_joined
from imr_search.sqlite.schema import REQUEST_COLUMN

FTS = "items_fts"
REQUEST = "items_request"


@dataclass(frozen=True)
class Ranker:
    """The FTS5 query whose bm25 orders a result: `table` and `match`. `exact`: its matching
    rows are exactly the query's (then one cached order serves every filter of it)."""

    table: str
    match: str
    exact: bool
    # The MATCH strings of the leaves the ranker ORs together (synonyms included) when it is
    # one word or phrase or an OR of them; () for any other query (imr_search.sqlite.ranking).
    leaves: tuple[str, ...] = ()


def match_set(
    db: sqlite3.Connection, match: str, cache_key: CacheKey | None, table: str = FTS
) -> MatchSet:
    """The rows of `table` that a MATCH string matches (cached per index generation)."""
    key = (*cache_key, "match", table, match) if cache_key else None
    if key is not None and (found := MATCH_CACHE.get(key)) is not None:
        return found
    try:
        # One text of every rowid, parsed in C (bits_from_joined): a row per match through
        # the cursor, or a JSON array, costs several times more for a broad query.
        (joined,) = db.execute(
            f"SELECT group_concat(rowid) FROM {table} WHERE {table} MATCH ?", (match,)
        ).fetchone()
    except sqlite3.OperationalError as exc:  # the compiler quotes everything; just in case
        raise QuerySyntaxError(f"The search engine could not run this query ({exc}).") from exc
    result = MatchSet(*bits_from_joined(joined))
    if key is not None:
        MATCH_CACHE.put(key, result, (result.bits.bit_length() >> 3) + 100)
    return result


def query_rows(
    db: sqlite3.Connection,
    node: Node,
    cache_key: CacheKey | None,
    grams: PhraseRewrite | None = None,
) -> MatchSet:
    """The rows a (synonym-expanded) query AST matches."""
    match = compile_match(node, grams)  # also checks the query's shape (else QuerySyntaxError)
    if not _has_request_words(node):
        return match_set(db, match, cache_key)
    if request_only(node):
        return match_set(db, match, cache_key, REQUEST)
    bits = _bits(db, node, cache_key, grams)
    return MatchSet(bits, bits.bit_count())


def ranker(node: Node, grams: PhraseRewrite | None = None) -> Ranker:
    """What orders a query's rows by relevance: the query itself when one table answers it;
    else the words it looks for outside `request:` (OR-ed, over the rows the query matches),
    or its `request:` words when it has no other."""
    if not _has_request_words(node):
        leaves = _or_leaves(node)
        ranked = tuple(dict.fromkeys(compile_match(leaf, grams) for leaf in leaves or ()))
        return Ranker(FTS, compile_match(node, grams), exact=True, leaves=ranked)
    if request_only(node):
        return Ranker(REQUEST, compile_match(node, grams), exact=True)
    leaves = positive_leaves(node)
    text = [leaf for leaf in leaves if leaf.field != REQUEST_COLUMN]
    if text:
        return Ranker(FTS, compile_match(_any_of(text), grams), exact=False)
    return Ranker(REQUEST, compile_match(_any_of(leaves), grams), exact=False)


def _or_leaves(node: Node) -> list[Term | Phrase] | None:
    """The words and phrases a query ORs together, when that is all it does."""
    if isinstance(node, Term | Phrase):
        return [node]
    if isinstance(node, Or):
        out: list[Term | Phrase] = []
        for child in node.children:
            leaves = _or_leaves(child)
            if leaves is None:
                return None
            out += leaves
        return out
    return None


def _any_of(leaves: list[Term | Phrase]) -> Node:
    return leaves[0] if len(leaves) == 1 else Or(tuple(leaves))


def _has_request_words(node: Node) -> bool:
    if isinstance(node, Term | Phrase):
        return node.field == REQUEST_COLUMN
    if isinstance(node, Not):
        return _has_request_words(node.child)
    return any(_has_request_words(c) for c in node.children)


def _bits(
    db: sqlite3.Connection, node: Node, cache_key: CacheKey | None, grams: PhraseRewrite | None
) -> int:
    """The rows of a positive node (compile_match has checked its shape), as a bitset."""
    if not _has_request_words(node):
        return match_set(db, compile_match(node, grams), cache_key).bits
    if request_only(node):
        return match_set(db, compile_match(node, grams), cache_key, REQUEST).bits
    if isinstance(node, Or):
        out = 0
        for child in node.children:
            positive = as_positive(child)
            assert positive is not None
            out |= _bits(db, positive, cache_key, grams)
        return out
    if isinstance(node, And):
        found: int | None = None
        excluded = 0
        for child in flatten(node):
            positive = as_positive(child)
            if positive is not None:
                bits = _bits(db, positive, cache_key, grams)
                found = bits if found is None else found & bits
            else:
                assert isinstance(child, Not)
                negative = as_positive(child.child)
                assert negative is not None
                excluded |= _bits(db, negative, cache_key, grams)
        assert found is not None
        return found & ~excluded
    positive = as_positive(node)
    assert positive is not None and positive is not node
    return _bits(db, positive, cache_key, grams)
