"""Compile the query language's AST to elasticsearch.dsl queries (`Q` objects).

Only structured queries come out of here (bool / match / match_phrase / match_bool_prefix);
user text is never handed to `query_string`, so nothing typed can reach Lucene syntax. Each
leaf searches its scope's fields: an unscoped word searches every text field (the treatment
counts most, then the rationale, as in the embedded engine's bm25 weights); citations are
searched in their flat copy (mappings.fields.SearchField.flat), not inside a nested query.
A phrase is a match_phrase: the fields' search analyzer turns a phrase of common words into
its common grams (mappings.analysis), a term lookup.
"""

from __future__ import annotations

from elasticsearch.dsl.query import (
    Bool,
    Match,
    MatchAll,
    MatchBoolPrefix,
    MatchPhrase,
    Query,
)

from imr_search.errors import QuerySyntaxError
from imr_search.query import And, Node, Not, Or, Phrase, Term, marked_leaves
from mappings.analysis import PLAIN_ANALYZER
from mappings.fields import DEFAULT_SCOPES, FIELDS_BY_SCOPE, SEARCH_FIELDS

# What highlighting covers: the whole treatment, then the first of these that has a match
# gives the snippet (the highlighter reads nested citation text from the item's _source).
# field -> query scope: each shown scope's last Elasticsearch field is its readable text.
HIGHLIGHT_FIELDS: dict[str, str] = {
    f.es_fields[-1]: f.scope for f in SEARCH_FIELDS if f.snippet or f.scope == "treatment"
}


def compile_query(node: Node | None) -> Query:
    """The query for a (synonym-expanded) AST; match_all for an empty query."""
    if node is None:
        return MatchAll()
    return _compile(node)


def _compile(node: Node) -> Query:
    if isinstance(node, Term | Phrase):
        return _leaf(node)
    if isinstance(node, Not):
        return Bool(must_not=[_compile(node.child)])
    if isinstance(node, Or):
        return Bool(should=[_compile(c) for c in _flatten_or(node)], minimum_should_match=1)
    if isinstance(node, And):
        must: list[Query] = []
        must_not: list[Query] = []
        for child in _flatten(node):
            if isinstance(child, Not):
                must_not.append(_compile(child.child))
            else:
                must.append(_compile(child))
        return Bool(must=must, must_not=must_not)  # empty clause lists are left out
    raise QuerySyntaxError(f"Cannot search for {node!r}.")  # the parser makes no other nodes


def _flatten_or(node: Or) -> list[Node]:
    """(a OR (b OR c)) is one list of alternatives: one bool level, not two."""
    out: list[Node] = []
    for child in node.children:
        out.extend(_flatten_or(child) if isinstance(child, Or) else [child])
    return out


def _flatten(node: And) -> list[Node]:
    out: list[Node] = []
    for child in node.children:
        out.extend(_flatten(child) if isinstance(child, And) else [child])
    return out


def _leaf(node: Term | Phrase) -> Query:
    """One word or phrase over the fields of its scope (all of them when unscoped)."""
    scopes = [node.field] if node.field else list(DEFAULT_SCOPES)
    clauses: list[Query] = []
    for scope in scopes:
        spec = FIELDS_BY_SCOPE.get(scope)
        if spec is None:  # the parser only produces known scopes; belt and braces
            raise QuerySyntaxError(f"Unknown field '{scope}:'.")
        clauses += [_field_query(node, field, spec.weight) for field in spec.searched]
    return any_of(clauses)


def any_of(clauses: list[Query]) -> Query:
    """The one clause, or a bool query any of them satisfies."""
    if len(clauses) == 1:
        return clauses[0]
    return Bool(should=clauses, minimum_should_match=1)


def _field_query(node: Term | Phrase, field: str, boost: float) -> Query:
    if isinstance(node, Phrase):
        return MatchPhrase(field, {"query": " ".join(node.words), "boost": boost})
    if node.prefix:
        # The index holds stems, so the typed prefix is stemmed too before matching
        # (therapies* -> therapi*), as the embedded engine's tokenizer does; no synonyms.
        return MatchBoolPrefix(
            field, {"query": node.text, "analyzer": PLAIN_ANALYZER, "boost": boost}
        )
    return Match(field, {"query": node.text, "operator": "and", "boost": boost})


def highlight_queries(node: Node | None) -> dict[str, Query]:
    """Per highlighted field, a flat query of the words and phrases that can match there.

    Handing the highlighter the whole search query (nested clauses, every field, synonym
    graphs) costs about as much as the search itself; a flat query per field costs almost
    nothing. Excluded words and lone stop words are never highlighted; fields nothing can
    match are left out.
    """
    leaves = marked_leaves(node)
    out: dict[str, Query] = {}
    for field, scope in HIGHLIGHT_FIELDS.items():
        clauses = [
            _field_query(leaf, field, 1.0)
            for leaf in leaves
            if leaf.field is None or leaf.field == scope
        ]
        if clauses:
            out[field] = any_of(clauses)
    return out
