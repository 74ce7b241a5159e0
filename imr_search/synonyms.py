"""Query-time synonym expansion from the shared list in mappings/synonyms.txt.

Both engines compile the expanded AST, so "PT" finds "physical therapy" the same way
everywhere. A plain word or phrase equal to an entry becomes an OR of the whole group;
so do runs of adjacent plain words (`physical therapy` typed without quotes).
"""

from __future__ import annotations

from functools import cache

from imr_search.query import And, Node, Not, Or, Phrase, Term, words_of
from mappings.synonyms import synonym_groups


@cache
def _table() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """entry words -> every entry of its group (as word tuples)."""
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for group in synonym_groups():
        entries = tuple(tuple(words_of(e)) for e in group)
        for entry in entries:
            table[entry] = entries
    return table


@cache
def _longest_entry() -> int:
    return max((len(k) for k in _table()), default=1)


def is_synonym_entry(word: str) -> bool:
    """Whether a single word is an entry of the synonym list ("pt", "esi", "tens")."""
    return (word,) in _table()


def _leaf(words: tuple[str, ...], field: str | None) -> Node:
    return Term(words[0], field) if len(words) == 1 else Phrase(words, field)


def _group_for(words: tuple[str, ...], field: str | None) -> Node | None:
    entries = _table().get(words)
    if entries is None:
        return None
    original = _leaf(words, field)
    alternatives = [_leaf(e, field) for e in entries if e != words]
    return Or((original, *alternatives))


def expand_synonyms(node: Node | None) -> Node | None:
    """Return the AST with shared synonyms expanded (None stays None)."""
    return None if node is None else _expand(node)


def _expand(node: Node) -> Node:
    if isinstance(node, Term):
        return node if node.prefix else (_group_for((node.text,), node.field) or node)
    if isinstance(node, Phrase):
        return _group_for(node.words, node.field) or node
    if isinstance(node, Not):
        return Not(_expand(node.child))
    if isinstance(node, Or):
        return Or(tuple(_expand(c) for c in node.children))
    return _expand_and(node)


def _expand_and(node: And) -> Node:
    children = list(node.children)
    out: list[Node] = []
    i = 0
    while i < len(children):
        matched = False
        # Longest run of adjacent plain terms (same field) that forms a synonym entry.
        for size in range(min(_longest_entry(), len(children) - i), 1, -1):
            run = [c for c in children[i : i + size] if isinstance(c, Term) and not c.prefix]
            if len(run) != size:
                continue
            fields = {c.field for c in run}
            if len(fields) != 1:
                continue
            words = tuple(c.text for c in run)
            group = _group_for(words, fields.pop())
            if group is not None:
                out.append(group)
                i += size
                matched = True
                break
        if not matched:
            out.append(_expand(children[i]))
            i += 1
    return out[0] if len(out) == 1 else And(tuple(out))
