"""Common grams in the SQLite index: a phrase of common words becomes a term lookup.

FTS5 answers a phrase by merging the positions of its words in every row that holds all of
them: for a phrase of common words ("physical therapy", "medically necessary") that is a large
share of the index. So each text column has a gram column beside it (`treatment_grams`...)
holding, for every two adjacent tokens of the text that are both common words
(mappings.common_grams), one term naming the pair: "0physic0therapi0" for "physical therapy"
(the two stems between zeros: a token FTS5's porter tokenizer leaves as it is, since it ends
in a digit). The request text's index, items_request, has one too (`request_grams`). The
compiler then searches a phrase whose adjacent words are all common pairs as its grams in the
gram columns: one term for two words, a phrase of grams for more.

Words never meet grams. Every term of a gram column starts with the digit 0 and holds no other
digit (gram terms, and RUN_BREAK): a word, a phrase or a prefix with no token starting with 0
can match none of them, so words without a scope keep searching items_fts with no column
filter (which would make FTS5 read every position of every matching row); the compiler
filters the few that may have one ("0.5") to the text columns. (A prefix such as `physic*`
would otherwise also expand to every gram of "physic": more doclists to merge, and bm25 hits
in gram columns.)

Exactness. A gram is written exactly where its two words stand next to each other in the
field, as FTS5 tokenizes the field: the writer does not tokenize or stem in Python, it asks
FTS5 for the terms of each run of word characters (cached by process, `_TERMS`), so the
tokens, stems and positions are FTS5's own. A phrase of n words matches where its n-1 grams
follow each other in the gram column: consecutive grams of the column are consecutive pairs of
the text, because the writer puts RUN_BREAK between two grams that are not. Hence the gram
query matches exactly the items the positional phrase matches (tests/test_common_grams.py
checks it on generated and real letters). Relevance differs a little: FTS5's bm25 takes a
row's length over all its columns, gram columns included, and scores a phrase searched as
grams by the gram column's statistics.

Highlighting is not affected: marks come from the positional phrase (compile_marking).

Each index stores the list it was built with (meta), and writes and searches use that one,
whatever list this version ships: an index built with another list still finds exactly the
same items, with its own grams.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import compress, count, islice
from operator import and_

from imr_search.sqlite.compiler import PhraseRewrite
from imr_search.sqlite.schema import GRAM_COLUMNS, GRAMS_VERSION, GRAMS_WORDS, TOKENIZER
from mappings.common_grams import common_words, list_version

# Between two grams of a column that are not consecutive pairs of the text.
RUN_BREAK = "0"
# A run of characters FTS5's unicode61 tokenizer may read as one or more tokens: every ASCII
# character but a letter or digit is a separator there, and so is every character str.split()
# splits on (Unicode spaces); FTS5 itself splits the rest (see _resolve).
_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
# chunk -> FTS5's terms for it (tokenized, folded, stemmed), for every index of the process:
# they depend only on the tokenizer.
_TERMS: dict[str, tuple[str, ...]] = {}
_MAX_TERMS = 1_000_000
_RESOLVE_BATCH = 5_000


def chunks_of(text: str) -> list[str]:
    """The runs of word characters of a text (FTS5 reads each as zero or more tokens)."""
    return text.translate(_SEPARATORS).split()


def gram_term(first: str, second: str) -> str:
    """The term of a pair of stems: each after a 0, and a 0 last (porter leaves it as it is,
    and no word without a 0 meets it)."""
    return f"0{first}0{second}0"


def _scratch(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_tokens USING fts5("
        f"t, tokenize = '{TOKENIZER}')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.imr_tokens_v"
        " USING fts5vocab(temp, imr_tokens, instance)"
    )


def _resolve(db: sqlite3.Connection, chunks: Iterable[str]) -> None:
    """Ask FTS5 for the terms of the chunks not cached yet."""
    wanted = set(chunks)
    missing = list(wanted.difference(_TERMS))
    if not missing:
        return
    if len(_TERMS) + len(missing) > _MAX_TERMS:
        _TERMS.clear()
        missing = list(wanted)
    _scratch(db)
    # One transaction for the scratch rows (a savepoint nests in the caller's, if any): in
    # autocommit mode every row inserted was its own, flushed to a segment: 40 us a chunk.
    db.execute("SAVEPOINT imr_tokens")
    try:
        for start in range(0, len(missing), _RESOLVE_BATCH):
            part = missing[start : start + _RESOLVE_BATCH]
            found: list[list[str]] = [[] for _ in part]
            db.executemany("INSERT INTO temp.imr_tokens(rowid, t) VALUES (?, ?)", enumerate(part))
            for doc, term in db.execute(
                "SELECT doc, term FROM temp.imr_tokens_v ORDER BY doc, offset"
            ):
                found[doc].append(term)
            db.execute("ROLLBACK TO imr_tokens")  # the scratch table empty again
            for chunk, terms in zip(part, found, strict=True):
                _TERMS[chunk] = tuple(terms)
    finally:
        db.execute("ROLLBACK TO imr_tokens")
        db.execute("RELEASE imr_tokens")


class CommonGrams:
    """An index's list of common words, and what it makes of texts and phrases."""

    def __init__(self, words: Iterable[str], version: str | None = None) -> None:
        self.words = tuple(sorted(set(words)))
        self.common = frozenset(self.words)
        self.version = version or list_version(self.words)
        # chunk -> 0 and its stem when it is one common word, "" when one other word, None
        # when FTS5 reads it as no word or several (filled as chunks are met).
        self._stem_of: dict[str, str | None] = {}

    @classmethod
    def shipped(cls) -> CommonGrams:
        """The list of this version (mappings/common_grams.txt): what new indexes get."""
        return cls(common_words())

    @classmethod
    def of_index(cls, db: sqlite3.Connection) -> CommonGrams:
        """The list the index was built with (stored in its meta table)."""
        rows = dict(
            db.execute(
                "SELECT key, value FROM meta WHERE key IN (?, ?)", (GRAMS_VERSION, GRAMS_WORDS)
            ).fetchall()
        )
        if GRAMS_WORDS not in rows:  # the schema version guarantees it; belt and braces
            raise sqlite3.DatabaseError("the index does not record its common-grams list")
        return cls(json.loads(rows[GRAMS_WORDS]), rows.get(GRAMS_VERSION))

    # --- writing ------------------------------------------------------------------------

    def column_texts(
        self, db: sqlite3.Connection, rows: Sequence[Sequence[str]]
    ) -> list[tuple[str, ...]]:
        """The gram column texts of each row of texts (one per text column). Each distinct
        text once: a letter's items share its summary (a fifth of a batch's text)."""
        chunked = {text: chunks_of(text) for texts in rows for text in texts}
        met = {c for chunks in chunked.values() for c in chunks}
        _resolve(db, met)
        stem_of = self._stem_of
        if len(stem_of) > _MAX_TERMS:
            stem_of.clear()
        common = self.common
        for chunk in met.difference(stem_of):
            terms = _TERMS[chunk]
            if len(terms) == 1:
                stem_of[chunk] = "0" + terms[0] if terms[0] in common else ""
            else:
                stem_of[chunk] = None
        grams = {text: self._grams(chunks) for text, chunks in chunked.items()}
        return [tuple(map(grams.__getitem__, texts)) for texts in rows]

    def _grams(self, chunks: list[str]) -> str:
        # Each token as 0 and its stem when a common word, else "": a gram is two neighbours
        # that are both common, written as their concatenation and a 0 (gram_term).
        stems = list(map(self._stem_of.__getitem__, chunks))
        if None in stems:  # a chunk of several tokens (or none): FTS5's tokens one by one
            common = self.common
            stems = ["0" + t if t in common else "" for c in chunks for t in _TERMS[c]]
        common_token = list(map(bool, stems))
        firsts = list(compress(count(), map(and_, common_token, islice(common_token, 1, None))))
        if not firsts:
            return ""
        out: list[str] = []
        last = firsts[0] - 1  # token position of the first word of the last gram written
        for position in firsts:
            if position != last + 1:
                out.append(RUN_BREAK)
            out.append(stems[position] + stems[position + 1] + "0")  # type: ignore[operator]
            last = position
        return " ".join(out)

    # --- searching ----------------------------------------------------------------------

    def rewriter(self, db: sqlite3.Connection) -> PhraseRewrite:
        """words of a phrase -> its grams, or None when the phrase cannot be one (fewer than
        two tokens, or a word that is not common)."""

        def rewrite(words: Sequence[str]) -> list[str] | None:
            chunks = [c for word in words for c in chunks_of(word)]
            _resolve(db, chunks)
            terms = [t for c in chunks for t in _TERMS[c]]
            if len(terms) < 2 or not self.common.issuperset(terms):
                return None
            return [gram_term(a, b) for a, b in zip(terms, terms[1:], strict=False)]

        return rewrite


__all__ = ["GRAM_COLUMNS", "RUN_BREAK", "CommonGrams", "PhraseRewrite", "gram_term"]
