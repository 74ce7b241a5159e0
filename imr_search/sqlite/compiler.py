"""Compile the query language's AST to an FTS5 MATCH expression.

Every word and phrase is emitted as a double-quoted FTS5 string, so nothing the user typed
is ever read as FTS5 syntax (operators, column names, `NEAR`, `^`...). FTS5's NOT is binary
(`a NOT b`), so exclusions are attached to the positive part of their group; an exclusion
that has no positive partner cannot be searched and is reported as a syntax error.

The `request:` scope is not a column of items_fts but the one text column of items_request
(see imr_search.sqlite.schema): a MATCH string with it runs on items_request, and a query that
mixes it with other words is evaluated piece by piece (imr_search.sqlite.matching).

With `grams` (the index's phrase rewrite, imr_search.sqlite.grams), a phrase whose adjacent
words are all pairs of common words is searched as its grams in the gram columns of its
scope (in either index): the same items, found by a term lookup instead of a position merge.
Without it, or for marking (highlight() needs the text columns), every phrase is positional.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from imr_search.errors import QuerySyntaxError
from imr_search.query import And, Node, Not, Or, Phrase, Term, marked_leaves
from imr_search.sqlite.schema import (
    FTS_COLUMNS,
    GRAM_COLUMNS,
    REQUEST_COLUMN,
    TEXT_COLUMNS,
    gram_column,
)
from mappings.fields import DEFAULT_SCOPES

# Words without a scope search these columns only. When they are every text column of
# items_fts (as they are), with no column filter: a filter makes FTS5 read every position of
# every matching row. The gram columns hold only terms that start with the digit 0
# (imr_search.sqlite.grams), which only a word starting with 0 can meet ("0.5", not "2010"):
# such words get the filter. FTS5 folds no other character into 0, and an ASCII letter or
# digit before a 0 is part of its token; any other character may part it.
_TEXT_FILTER = "{" + " ".join(DEFAULT_SCOPES) + "} : "
_UNSCOPED = _TEXT_FILTER if DEFAULT_SCOPES != FTS_COLUMNS else ""
_MAY_MEET_GRAMS = re.compile(r"(?<![0-9A-Za-z])0")
# ... and their grams these (a gram term is in the gram columns only: no filter either,
# unless the words have columns of their own to leave out).
_GRAM_FILTER = "{" + " ".join(gram_column(scope) for scope in DEFAULT_SCOPES) + "} : "
_UNSCOPED_GRAMS = _GRAM_FILTER if DEFAULT_SCOPES != FTS_COLUMNS else ""
assert set(GRAM_COLUMNS) >= {gram_column(scope) for scope in DEFAULT_SCOPES}

# words of a phrase -> its gram terms, or None to search it by positions
PhraseRewrite = Callable[[Sequence[str]], "list[str] | None"]


def compile_match(node: Node, grams: PhraseRewrite | None = None) -> str:
    """The FTS5 MATCH string for a (synonym-expanded) query AST; phrases of common words as
    grams when `grams` is given."""
    positive = as_positive(node)
    if positive is None:
        raise QuerySyntaxError(
            "A query needs at least one word or phrase to look for, not only exclusions "
            "(e.g. 'knee -arthroscopy')."
        )
    return _Compiler(grams).compile(positive)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _scope(field: str | None, expr: str, text: str) -> str:
    """`expr` (of the words `text`) in its field's column, or unscoped."""
    if field is None:
        return (_TEXT_FILTER if _MAY_MEET_GRAMS.search(text) else _UNSCOPED) + expr
    if field not in TEXT_COLUMNS:  # the parser only produces known fields; belt and braces
        raise QuerySyntaxError(f"Unknown field '{field}:'.")
    return "{" + field + "} : " + expr


def as_positive(node: Node) -> Node | None:
    """The node itself when it can match on its own, else an equivalent that can, else None.

    Only `Not` needs care: NOT NOT x is x; NOT (NOT a NOT b) is (a OR b); NOT (NOT a OR NOT b)
    is (a AND b). Anything else under a NOT is an exclusion.
    """
    if not isinstance(node, Not):
        return node
    inner = node.child
    if isinstance(inner, Not):
        return as_positive(inner.child) or None
    if isinstance(inner, And | Or) and all(isinstance(c, Not) for c in inner.children):
        flipped = tuple(c.child for c in inner.children)  # type: ignore[union-attr]
        return Or(flipped) if isinstance(inner, And) else And(flipped)
    return None


class _Compiler:
    def __init__(self, grams: PhraseRewrite | None) -> None:
        self.grams = grams

    def compile(self, node: Node) -> str:
        return _compile(node, self)

    def phrase(self, node: Phrase) -> str:
        text = " ".join(node.words)
        found = self.grams(node.words) if self.grams is not None else None
        if not found:
            return _scope(node.field, _quote(text), text)
        if node.field is None:
            return _UNSCOPED_GRAMS + _quote(" ".join(found))
        if node.field not in TEXT_COLUMNS:
            raise QuerySyntaxError(f"Unknown field '{node.field}:'.")
        return "{" + gram_column(node.field) + "} : " + _quote(" ".join(found))


_POSITIONAL = _Compiler(None)


def _compile(node: Node, how: _Compiler = _POSITIONAL) -> str:
    if isinstance(node, Term):
        leaf = _quote(node.text) + (" *" if node.prefix else "")
        return _scope(node.field, leaf, node.text)
    if isinstance(node, Phrase):
        return how.phrase(node)
    if isinstance(node, Or):
        parts = []
        for child in node.children:
            positive = as_positive(child)
            if positive is None:
                raise QuerySyntaxError(
                    "An exclusion cannot be one side of OR; put it outside the OR group "
                    "(e.g. '(knee OR hip) -arthroscopy')."
                )
            parts.append(_compile(positive, how))
        # Synonyms can meet in one gram string ("urine drug test", "urine drug testing"):
        # FTS5 would run that phrase twice and bm25 would count it twice.
        return "(" + " OR ".join(dict.fromkeys(parts)) + ")"
    if isinstance(node, And):
        positives: list[str] = []
        negatives: list[str] = []
        for child in flatten(node):
            positive = as_positive(child)
            if positive is not None:
                positives.append(_compile(positive, how))
            else:
                assert isinstance(child, Not)
                excluded = as_positive(child.child)
                if excluded is None:
                    raise QuerySyntaxError(
                        "This combination of exclusions cannot be searched; write each "
                        'exclusion as -word or -"a phrase".'
                    )
                negatives.append(_compile(excluded, how))
        if not positives:
            raise QuerySyntaxError(
                "A group needs at least one word or phrase to look for besides its exclusions "
                "(e.g. '(knee -arthroscopy)')."
            )
        expr = "(" + " AND ".join(positives) + ")"
        for negative in negatives:
            expr = f"({expr} NOT {negative})"
        return expr
    positive = as_positive(node)
    if positive is None:
        raise QuerySyntaxError("An exclusion needs a word or phrase to look for beside it.")
    return _compile(positive, how)


def flatten(node: And) -> list[Node]:
    out: list[Node] = []
    for child in node.children:
        out.extend(flatten(child) if isinstance(child, And) else [child])
    return out


def compile_marking(node: Node | None) -> str | None:
    """A MATCH of every word and phrase the query asks for, OR-ed (exclusions and lone stop
    words left out: query.marked_leaves; so are `request:` words, which mark no shown text):
    run on one row of items_fts, FTS5's highlight() then marks each of them wherever it
    occurs."""
    leaves = [leaf for leaf in marked_leaves(node) if leaf.field != REQUEST_COLUMN]
    return " OR ".join(_compile(leaf) for leaf in leaves) if leaves else None
