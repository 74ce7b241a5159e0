"""The search query language: one parser, compiled by each engine.

Syntax (what the search box accepts):

    hardware block            both words must match (stemmed)
    "hardware block"          exact phrase
    knee OR shoulder          either
    -radiculopathy            exclude (also NOT radiculopathy)
    therap*                   prefix (at least 2 characters before the star)
    (knee OR hip) surgery     grouping
    treatment:"facet injection" rationale:opioid summary:fusion citation:ODG
                              scope a word, phrase or group to one field
    -treatment:knee           exclude within a field (also treatment:-knee, treatment:NOT knee)

User text never reaches an engine unparsed: engines compile this module's AST
(`Term`, `Phrase`, `And`, `Or`, `Not`). Bad syntax raises `QuerySyntaxError` with a
message meant for the person who typed the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from imr_search.errors import QuerySyntaxError
from mappings.fields import SCOPES as FIELDS

# (`field` the dataclass helper is used for positions; a leaf's `field` attribute is its scope)
_position = field

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 64
# Groups and negations nested deeper than this are refused: nobody means 20 levels, and a
# 1000-character query could otherwise nest hundreds deep (Python's recursion limit, and the
# engines' own limits on query depth).
MAX_DEPTH = 20
# The parsed tree may nest at most this deep (groups alternating OR and AND nest two levels
# each): compiled, it stays within Elasticsearch's 30 nested bool queries.
MAX_TREE_DEPTH = 24
MIN_PREFIX = 2

_WORD_CHARS = re.compile(r"\w+", re.UNICODE)
# A token is a quoted phrase, a parenthesis, or a run of anything else but space/quotes/parens.
_TOKEN = re.compile(r'\s+|"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<paren>[()])|(?P<word>[^\s"()]+)')


@dataclass(frozen=True)
class Term:
    text: str  # lower-cased word characters only
    field: str | None = None  # None = every text field
    prefix: bool = False
    # Where the word stands in the query text (-1: not from a text); not part of equality.
    start: int = _position(default=-1, compare=False, repr=False)


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    field: str | None = None
    # Where each word stands in the query text (empty: not from a text); not part of equality.
    starts: tuple[int, ...] = _position(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Phrase | And | Or | Not


def words_of(text: str) -> list[str]:
    """Split text into lower-cased word tokens, as both engines' tokenizers do."""
    return [w.lower() for w in _WORD_CHARS.findall(text)]


def _leaf(text: str, at: int, scope: str | None) -> Term | Phrase | None:
    """The word (or the phrase of the words) of `text`, which stands at `at` in the query."""
    found = [(m.group().lower(), at + m.start()) for m in _WORD_CHARS.finditer(text)]
    if not found:
        return None
    if len(found) == 1:
        return Term(found[0][0], scope, start=found[0][1])
    return Phrase(tuple(w for w, _ in found), scope, starts=tuple(p for _, p in found))


def parse_query(text: str) -> Node | None:
    """Parse a query string into an AST; None for an empty query (browse everything)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"The query is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}."
        )
    tokens = _tokenize(text)
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse()
    if node is None:
        return None
    if _count_clauses(node) > MAX_CLAUSES:
        raise QuerySyntaxError(f"The query has more than {MAX_CLAUSES} terms; shorten it.")
    if depth(node) > MAX_TREE_DEPTH:
        raise QuerySyntaxError(
            "The query nests groups and alternatives too deeply; simplify it (fewer levels "
            "of parentheses)."
        )
    _require_positive(node)
    return node


def depth(node: Node) -> int:
    """How deep the tree nests (a word or phrase: 0)."""
    if isinstance(node, Term | Phrase):
        return 0
    if isinstance(node, Not):
        return 1 + depth(node.child)
    return 1 + max(depth(c) for c in node.children)


def positive_leaves(node: Node | None) -> list[Term | Phrase]:
    """The words and phrases a query asks for (exclusions left out)."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term | Phrase):
        return [node]
    return [leaf for child in node.children for leaf in positive_leaves(child)]


# English function words. They are searched like any word (the indexes keep them, so that
# phrases such as "failure of conservative care" keep every word), but a lone one is never
# marked in snippets or texts: "the" or "of" marked in every line says nothing. Inside a
# phrase they are marked with the phrase.
_STOP_WORDS = """
a an and are as at be been being but by can could did do does for from had has have he her
hers him his i if in into is it its may me might my no nor not of on or our she should so
such than that the their them then there these they this those to us was we were what when
where which who whom why will with would you your
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS.split())


def marked_leaves(node: Node | None) -> list[Term | Phrase]:
    """What gets marked: the words and phrases a query asks for, exclusions and lone stop
    words left out (a stop word's prefix, `th*`, is marked: it was typed as one)."""
    return [
        leaf
        for leaf in positive_leaves(node)
        if not (isinstance(leaf, Term) and not leaf.prefix and leaf.text in STOP_WORDS)
    ]


# --- tokenizer -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # "word" | "phrase" | "(" | ")" | "OR" | "NOT"
    value: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    tokens: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        if m.group("phrase") is not None:
            if not m.group("closed"):
                raise QuerySyntaxError(
                    f'Unclosed quote at character {m.start() + 1}: add the closing ".'
                )
            tokens.append(_Tok("phrase", m.group("phrase"), m.start()))
        elif m.group("paren"):
            tokens.append(_Tok(m.group("paren"), m.group("paren"), m.start()))
        elif m.group("word"):
            word = m.group("word")
            if word in ("OR", "|", "||"):
                tokens.append(_Tok("OR", word, m.start()))
            elif word in ("AND", "&&", "+"):
                continue  # AND is what juxtaposition means already
            elif word == "NOT":
                tokens.append(_Tok("NOT", word, m.start()))
            else:
                tokens.append(_Tok("word", word, m.start()))
    return tokens


# --- recursive-descent parser ------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    @contextmanager
    def nested(self, tok: _Tok) -> Iterator[None]:
        """Around a group or a negation: bounds the nesting depth."""
        if self.depth >= MAX_DEPTH:
            raise QuerySyntaxError(
                f"Too deeply nested at character {tok.pos + 1}: groups and exclusions may nest "
                f"at most {MAX_DEPTH} levels; simplify the query."
            )
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ")" can stop or_expr early
            raise QuerySyntaxError(
                f"Unmatched ')' at character {tok.pos + 1}: remove it or add a '('."
            )
        return node

    def or_expr(self) -> Node | None:
        branches: list[Node] = []
        node = self.and_expr()
        if node is not None:
            branches.append(node)
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            node = self.and_expr()
            if node is None or not branches:
                raise QuerySyntaxError(f"OR at character {tok.pos + 1} needs a term on both sides.")
            branches.append(node)
        if not branches:
            return None
        return branches[0] if len(branches) == 1 else Or(tuple(branches))

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind not in ("OR", ")"):
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "NOT":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("OR", ")"):
                raise QuerySyntaxError(f"NOT at character {tok.pos + 1} needs a term after it.")
            with self.nested(tok):
                child = self.unary()
            return Not(child) if child is not None else None
        if tok.kind == "word" and tok.value.startswith("-") and len(tok.value) > 1:
            # "-word" or "-field:..." or "-(": strip the dash and parse what follows.
            self.tokens[self.i] = _Tok("word", tok.value[1:], tok.pos + 1)
            with self.nested(tok):
                child = self.unary()
            return Not(child) if child is not None else None
        if tok.kind == "word" and tok.value == "-":
            self.take()
            nxt = self.peek()
            if nxt is not None and nxt.kind in ("(", "phrase") and nxt.pos == tok.pos + 1:
                with self.nested(tok):
                    child = self.unary()
                return Not(child) if child is not None else None
            return None  # a lone dash means nothing
        return self.primary(field=None)

    def primary(self, field: str | None) -> Node | None:
        tok = self.take()
        if tok.kind == "(":
            with self.nested(tok):
                node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QuerySyntaxError(
                    f"Unclosed '(' at character {tok.pos + 1}: add the matching ')'."
                )
            self.take()
            if node is None:
                raise QuerySyntaxError(f"Empty parentheses at character {tok.pos + 1}.")
            return _with_field(node, field) if field else node
        if tok.kind == "phrase":
            return _leaf(tok.value, tok.pos + 1, field)
        if tok.kind == "word":
            return self.word(tok, field)
        raise QuerySyntaxError(f"Unexpected '{tok.value}' at character {tok.pos + 1}.")

    def word(self, tok: _Tok, field: str | None) -> Node | None:
        value = tok.value
        name, colon, rest = value.partition(":")
        if colon and field is None and re.fullmatch(r"[A-Za-z_]+", name):
            scope = name.lower()
            if scope not in FIELDS:
                raise QuerySyntaxError(
                    f"Unknown field '{name}:' at character {tok.pos + 1}; use one of "
                    + ", ".join(f"{f}:" for f in FIELDS)
                    + ", or put the text in quotes."
                )
            rest_at = tok.pos + len(name) + 1
            # An exclusion inside the scope (treatment:-knee, treatment:NOT knee) means what
            # -treatment:knee means.
            negated = rest == "NOT" or rest.startswith("-")
            rest = "" if rest == "NOT" else rest.removeprefix("-")
            if rest:  # treatment:knee
                self.tokens[self.i - 1] = _Tok("word", rest, rest_at + negated)
                self.i -= 1
            nxt = self.peek()
            if not negated and nxt is not None and nxt.kind == "NOT":  # treatment: NOT knee
                self.take()
                negated, nxt = True, self.peek()
            if nxt is None or nxt.kind in ("OR", ")", "NOT"):
                raise QuerySyntaxError(
                    f"'{name}:' at character {tok.pos + 1} needs a word, phrase or group after it."
                )
            if negated and value.endswith(":-") and nxt.pos != rest_at + 1:
                example = nxt.value if nxt.kind == "word" else "word"
                raise QuerySyntaxError(
                    f"A space follows the dash after '{name}:' at character {tok.pos + 1}; to "
                    f"exclude, write -{scope}:{example}."
                )
            if not negated:
                return self.primary(field=scope)
            with self.nested(tok):
                child = self.primary(field=scope)
            return Not(child) if child is not None else None
        # "L4-S1", "3.3.9": one typed word with inner punctuation is a phrase of its parts
        # ("l4-s*" too: kept simple and exact).
        leaf = _leaf(value, tok.pos, field)
        if isinstance(leaf, Term) and value.endswith("*"):
            if len(leaf.text) < MIN_PREFIX:
                raise QuerySyntaxError(
                    f"'{value}' at character {tok.pos + 1}: a prefix needs at least "
                    f"{MIN_PREFIX} characters before the *."
                )
            return replace(leaf, prefix=True)
        return leaf


def _with_field(node: Node, field: str) -> Node:
    """Push a field scope down onto every leaf of a group (inner scopes win)."""
    if isinstance(node, Term | Phrase):
        return node if node.field else replace(node, field=field)
    if isinstance(node, Not):
        return Not(_with_field(node.child, field))
    return type(node)(tuple(_with_field(c, field) for c in node.children))


def _count_clauses(node: Node) -> int:
    if isinstance(node, Term | Phrase):
        return 1
    if isinstance(node, Not):
        return _count_clauses(node.child)
    return sum(_count_clauses(c) for c in node.children)


def _is_positive(node: Node) -> bool:
    """True when the node can match on its own (is not only exclusions)."""
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, Or):
        return all(_is_positive(c) for c in node.children)
    return any(_is_positive(c) for c in node.children)


def _require_positive(node: Node) -> None:
    if not _is_positive(node):
        raise QuerySyntaxError(
            "A query needs at least one word or phrase to look for, not only exclusions "
            "(e.g. 'knee -arthroscopy')."
        )
