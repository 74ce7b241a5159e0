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
FTS5 for the terms of each run of word characters (cached, a bounded number), so the
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
from itertools import chain

import numpy

from imr_search.sqlite.compiler import PhraseRewrite
from imr_search.sqlite.schema import GRAM_COLUMNS, GRAMS_VERSION, GRAMS_WORDS, TOKENIZER
from mappings.common_grams import common_words, list_version

# Between two grams of a column that are not consecutive pairs of the text.
RUN_BREAK = "0"
# A run of characters FTS5's unicode61 tokenizer may read as one or more tokens: every ASCII
# character but a letter or digit is a separator there, and so is every character str.split()
# splits on (Unicode spaces); FTS5 itself splits the rest (see _resolve).
_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
# chunk -> FTS5's terms for it (tokenized, folded, stemmed), for the searches of the process
# (they depend only on the tokenizer).
_TERMS: dict[str, tuple[str, ...]] = {}
# At most this many chunks in a cache, then it starts again: the words of letters are a long
# tail (a new chunk in every few tokens at a million items), so a cache of every chunk met
# grew with the corpus (about 300 bytes a chunk); asking FTS5 again costs ~5 us a chunk.
_MAX_CHUNKS = 200_000
_RESOLVE_BATCH = 5_000
# A writer's code of a chunk FTS5 reads as no token or several (see CommonGrams._learn).
_MANY = -1


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


def _ask(db: sqlite3.Connection, chunks: list[str]) -> list[tuple[str, ...]]:
    """FTS5's terms of each chunk, in order."""
    _scratch(db)
    out: list[tuple[str, ...]] = []
    # One transaction for the scratch rows (a savepoint nests in the caller's, if any): in
    # autocommit mode every row inserted was its own, flushed to a segment: 40 us a chunk.
    db.execute("SAVEPOINT imr_tokens")
    try:
        for start in range(0, len(chunks), _RESOLVE_BATCH):
            part = chunks[start : start + _RESOLVE_BATCH]
            found: list[list[str]] = [[] for _ in part]
            db.executemany("INSERT INTO temp.imr_tokens(rowid, t) VALUES (?, ?)", enumerate(part))
            for doc, term in db.execute(
                "SELECT doc, term FROM temp.imr_tokens_v ORDER BY doc, offset"
            ):
                found[doc].append(term)
            db.execute("ROLLBACK TO imr_tokens")  # the scratch table empty again
            out += map(tuple, found)
    finally:
        db.execute("ROLLBACK TO imr_tokens")
        db.execute("RELEASE imr_tokens")
    return out


def _resolve(db: sqlite3.Connection, chunks: Iterable[str]) -> None:
    """Ask FTS5 for the terms of the chunks not cached yet (_TERMS)."""
    wanted = set(chunks)
    missing = list(wanted.difference(_TERMS))
    if not missing:
        return
    if len(_TERMS) + len(missing) > _MAX_CHUNKS:
        _TERMS.clear()
        missing = list(wanted)
    _TERMS.update(zip(missing, _ask(db, missing), strict=True))


def terms_of(db: sqlite3.Connection, text: str) -> tuple[str, ...]:
    """FTS5's terms of a text, in order (tokenized, folded, stemmed: as the index holds them)."""
    chunks = chunks_of(text)
    _resolve(db, chunks)
    return tuple(t for c in chunks for t in _TERMS[c])


class CommonGrams:
    """An index's list of common words, and what it makes of texts and phrases."""

    def __init__(self, words: Iterable[str], version: str | None = None) -> None:
        self.words = tuple(sorted(set(words)))
        self.common = frozenset(self.words)
        self.version = version or list_version(self.words)
        # Writing: a token's code is 0, or k for the k-th common word. chunk -> its code
        # when FTS5 reads it as one token, else _MANY and its codes in _many (filled as
        # chunks are met); gram id (first code * _pairs + second; 0: RUN_BREAK) -> its term.
        self._code_of_word = {word: k for k, word in enumerate(self.words, 1)}
        self._code: dict[str, int] = {}
        self._many: dict[str, tuple[int, ...]] = {}
        self._pairs = len(self.words) + 1
        self._terms: dict[int, str] = {0: RUN_BREAK}

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
        texts = list(dict.fromkeys(chain.from_iterable(rows)))
        chunked = list(map(chunks_of, texts))
        self._learn(db, set(chain.from_iterable(chunked)))
        code = self._code
        codes: list[int] = []  # every text's tokens, one text after the other
        lengths: list[int] = []  # each text's number of tokens
        for chunks in chunked:
            tokens = list(map(code.__getitem__, chunks))
            if _MANY in tokens:  # a chunk of several tokens (or none): FTS5's one by one
                tokens = [c for chunk in chunks for c in self._many.get(chunk, (code[chunk],))]
            codes += tokens
            lengths.append(len(tokens))
        grams = dict(zip(texts, self._gram_texts(codes, lengths), strict=True))
        return [tuple(map(grams.__getitem__, texts)) for texts in rows]

    def _learn(self, db: sqlite3.Connection, chunks: set[str]) -> None:
        """Code the chunks not met yet (their terms from FTS5)."""
        missing = list(chunks.difference(self._code))
        if not missing:
            return
        if len(self._code) + len(missing) > _MAX_CHUNKS:
            self._code.clear()
            self._many.clear()
            missing = list(chunks)
        of_word = self._code_of_word
        for chunk, terms in zip(missing, _ask(db, missing), strict=True):
            if len(terms) == 1:
                self._code[chunk] = of_word.get(terms[0], 0)
            else:
                self._code[chunk] = _MANY
                self._many[chunk] = tuple(of_word.get(t, 0) for t in terms)

    def _gram_texts(self, codes: list[int], lengths: list[int]) -> list[str]:
        """Each text's gram column from its tokens' codes (the texts' tokens one after the
        other, `lengths` each). A gram is two neighbours of a text that are both common;
        RUN_BREAK goes between two grams of a text that are not consecutive pairs. Whole
        arrays at a time (numpy), not a Python step per token: column_texts took a sixth
        less CPU on generated letters (20 batches of 1,000 items, cache warm)."""
        token = numpy.array(codes, dtype=numpy.int64)
        sizes = numpy.array(lengths, dtype=numpy.int64)
        starts = numpy.cumsum(sizes) - sizes
        common = token > 0
        pair = common[:-1] & common[1:]
        last = starts - 1  # no pair across texts: the last token of one, the first of the next
        pair[last[(last >= 0) & (last < len(pair))]] = False
        firsts = numpy.flatnonzero(pair)
        text = numpy.searchsorted(starts, firsts, side="right") - 1
        breaks = numpy.flatnonzero((firsts[1:] != firsts[:-1] + 1) & (text[1:] == text[:-1])) + 1
        ids = numpy.insert(token[firsts] * self._pairs + token[firsts + 1], breaks, 0)
        text = numpy.insert(text, breaks, text[breaks])
        ends = numpy.searchsorted(text, numpy.arange(len(lengths)), side="right").tolist()
        grams = ids.tolist()
        for gram in set(grams).difference(self._terms):
            first, second = divmod(gram, self._pairs)
            self._terms[gram] = gram_term(self.words[first - 1], self.words[second - 1])
        terms = list(map(self._terms.__getitem__, grams))
        return [" ".join(terms[a:b]) for a, b in zip([0, *ends], ends, strict=False)]

    # --- searching ----------------------------------------------------------------------

    def rewriter(self, db: sqlite3.Connection) -> PhraseRewrite:
        """words of a phrase -> its grams, or None when the phrase cannot be one (fewer than
        two tokens, or a word that is not common)."""

        def rewrite(words: Sequence[str]) -> list[str] | None:
            terms = terms_of(db, " ".join(words))
            if len(terms) < 2 or not self.common.issuperset(terms):
                return None
            return [gram_term(a, b) for a, b in zip(terms, terms[1:], strict=False)]

        return rewrite


__all__ = ["GRAM_COLUMNS", "RUN_BREAK", "CommonGrams", "PhraseRewrite", "gram_term", "terms_of"]
