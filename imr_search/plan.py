"""What a search asks for, worked out once for every engine: the query's AST (synonyms
expanded), the part that says what the decisions are *about*, and case numbers to look up.

- Case numbers ("CM16-0213037", "cm16 0213037", an item id "CM16-0213037-1") are lookups,
  not words: they are taken out of the query text and restrict the search to those letters
  (several numbers: any of them); an item id puts its item first.
- The decisions a query is *about* are those whose request (the `request:` scope, the
  normalised request) matches the query's words without a scope; decisions that match only
  elsewhere (the clinical summary, a passing mention in a rationale) merely mention it. Words
  with a scope of their own keep it. A query without unscoped words has no such split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from imr_search.query import And, Node, Not, Or, Phrase, Term, depth, parse_query
from imr_search.synonyms import expand_synonyms

REQUEST_SCOPE = "request"
# A query nested deeper than this has no about/mention split: its about query would nest as
# deep again inside the search, past what engines accept (Elasticsearch: 30 bool levels).
MAX_ABOUT_DEPTH = 8

# A case number as people type it: any case, spaces or a dash inside, quoted or not; an item
# number after a dash makes it an item id.
CASE_NUMBER = re.compile(
    r'(?<![\w-])"?\s*CM\s*-?\s*(?P<year>\d{2})\s*[-\s]\s*(?P<number>\d{4,8})'
    r'(?:\s*-\s*(?P<item>\d{1,2}))?\s*"?(?![\w-])',
    re.IGNORECASE,
)
# What is left of a query once its case numbers are taken out, when it is only operators.
_ONLY_OPERATORS = re.compile(r"^(?:\s|\bOR\b|\bAND\b|\||&&|\+)*$")
_LEADING_OR = re.compile(r"^\s*(?:OR|\|)\s+")
_TRAILING_OR = re.compile(r"\s+(?:OR|\|)\s*$")


@dataclass(frozen=True)
class CaseRef:
    """A case number (or an item id) typed into the query."""

    letter_id: str  # "CM16-0213037"
    item_number: int | None = None

    @property
    def item_id(self) -> str | None:
        return f"{self.letter_id}-{self.item_number}" if self.item_number else None


@dataclass(frozen=True)
class QueryPlan:
    ast: Node | None  # the words to match, synonyms expanded; None: no words (browse)
    about: Node | None  # the words matched against the request; None: no about/mention split
    cases: tuple[CaseRef, ...] = ()  # restrict to these letters (any of them)
    # The text had something in it, but nothing to search for ("-", "*", '""'): the search
    # shows every decision, and says so (contract.NO_WORDS_NOTICE).
    no_words: bool = False

    @property
    def pinned(self) -> tuple[str, ...]:
        """Item ids typed in the query: listed first."""
        return tuple(c.item_id for c in self.cases if c.item_id)


def plan(query: str) -> QueryPlan:
    """The plan of a query text (QuerySyntaxError when its words do not parse)."""
    cases, rest = extract_cases(query)
    ast = parse_query(rest)
    return QueryPlan(
        ast=expand_synonyms(ast),
        about=expand_synonyms(about_query(ast)),
        cases=cases,
        no_words=ast is None and not cases and bool(rest.strip()),
    )


def extract_cases(query: str) -> tuple[tuple[CaseRef, ...], str]:
    """(the case numbers typed, the query text without them)."""
    found: list[CaseRef] = []

    def take(match: re.Match[str]) -> str:
        item = match.group("item")
        letter = f"CM{match.group('year')}-{match.group('number')}"
        found.append(CaseRef(letter, int(item) if item else None))
        return " "

    rest = CASE_NUMBER.sub(take, query) if "m" in query.lower() else query
    if not found:
        return (), query
    if _ONLY_OPERATORS.match(rest):
        rest = ""
    rest = _TRAILING_OR.sub("", _LEADING_OR.sub("", rest))
    return tuple(dict.fromkeys(found)), rest.strip()


def about_query(node: Node | None) -> Node | None:
    """The query's unscoped words moved to the request scope, exclusions left out (they
    already shaped the result); None when no word of it is unscoped."""
    if node is None or not _has_unscoped(node) or depth(node) > MAX_ABOUT_DEPTH:
        return None
    return _rescoped(node)


def request_only(node: Node) -> bool:
    """Whether every word of a query is in the request scope (as about queries mostly are:
    an engine may then match it on an index of the request text alone)."""
    if isinstance(node, Term | Phrase):
        return node.field == REQUEST_SCOPE
    if isinstance(node, Not):
        return False
    return all(request_only(c) for c in node.children)


def _has_unscoped(node: Node) -> bool:
    if isinstance(node, Term | Phrase):
        return node.field is None
    if isinstance(node, Not):
        return False
    return any(_has_unscoped(c) for c in node.children)


def _rescoped(node: Node) -> Node | None:
    if isinstance(node, Term | Phrase):
        return node if node.field else replace(node, field=REQUEST_SCOPE)
    if isinstance(node, Not):
        return None
    children = [c for c in (_rescoped(child) for child in node.children) if c is not None]
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return And(tuple(children)) if isinstance(node, And) else Or(tuple(children))
