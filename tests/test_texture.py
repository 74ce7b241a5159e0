"""The open vocabulary of generated letters (synthetic/texture.py): it adds words, never meaning.

With it, generated text has the term statistics of real letters (a vocabulary that keeps
growing, hapax legomena, drug names, doses, misspellings); without it (realistic=False) a
seed gives the template-only letters of before, request for request. The round trip through
the parser (tests/test_generate.py) runs on the realistic letters, the default.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from importlib import resources

import pytest

from imr_search.query import words_of
from indexer.derive import stated_findings
from indexer.records import Letter
from synthetic.corpus import generate_letters
from synthetic.texture import lexicon, misspell

SEED = 31


@pytest.fixture(scope="module")
def pairs() -> list[tuple[Letter, Letter]]:
    """The same seed's letters with and without the open vocabulary."""
    return list(
        zip(
            generate_letters(400, SEED),
            generate_letters(400, SEED, realistic=False),
            strict=True,
        )
    )


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?]) ", text) if s]


def test_the_open_vocabulary_changes_no_request_outcome_or_citation(
    pairs: list[tuple[Letter, Letter]],
) -> None:
    for realistic, plain in pairs:
        assert realistic.case_number == plain.case_number
        assert realistic.decision_date == plain.decision_date
        assert len(realistic.items) == len(plain.items)
        for got, want in zip(realistic.items, plain.items, strict=True):
            assert (got.id, got.treatment, got.outcome, got.category, got.body_regions) == (
                want.id,
                want.treatment,
                want.outcome,
                want.category,
                want.body_regions,
            )
            assert got.citations == want.citations


def test_template_sentences_stay_in_order_and_sentences_are_added(
    pairs: list[tuple[Letter, Letter]],
) -> None:
    added = 0
    for realistic, plain in pairs:
        texts = [(realistic.clinical_summary or "", plain.clinical_summary or "")]
        texts += [
            (got.rationale or "", want.rationale or "")
            for got, want in zip(realistic.items, plain.items, strict=True)
        ]
        for got, want in texts:
            remaining = iter(_sentences(got))
            assert all(s in remaining for s in _sentences(want)), (got, want)
            added += len(_sentences(got)) - len(_sentences(want))
    assert added >= 3 * len(pairs), "every summary gets at least three sentences"


def test_the_open_vocabulary_states_no_finding(pairs: list[tuple[Letter, Letter]]) -> None:
    """Every item's findings (the 'finding' facet) are those of the template text."""
    for realistic, plain in pairs:
        for got, want in zip(realistic.items, plain.items, strict=True):
            assert stated_findings(
                got.rationale or "", realistic.clinical_summary or ""
            ) == stated_findings(want.rationale or "", plain.clinical_summary or ""), got.id


def test_no_frame_states_a_finding() -> None:
    from clinical.findings import findings

    frames = json.loads(resources.files("synthetic").joinpath("data/lexicon.json").read_bytes())[
        "frames"
    ]
    fill = {"words": "lunate, kneecap, and gum", "word": "lunate", "drug": "Zotapril"}
    fill |= {"dose": "10mg", "date": "10/13/2016", "bp": "130/80", "weight": "180"}
    for frame in frames["summary"] + frames["rationale"]:
        assert not findings(frame.format(**fill)), frame


def test_template_words_keep_their_counts(pairs: list[tuple[Letter, Letter]]) -> None:
    """A search for a word of the templates finds the same letters with or without the open
    vocabulary (only the added sentences' own frame words, like 'history', may be new)."""
    frames = json.loads(resources.files("synthetic").joinpath("data/lexicon.json").read_bytes())[
        "frames"
    ]
    frame_words = set(words_of(" ".join(frames["summary"] + frames["rationale"])))
    for realistic, plain in pairs:
        plain_words = set(words_of(plain.clinical_summary or ""))
        for item in plain.items:
            plain_words |= set(words_of(item.rationale or ""))
        got_words = set(words_of(realistic.clinical_summary or ""))
        for item in realistic.items:
            got_words |= set(words_of(item.rationale or ""))
        assert plain_words <= got_words
        new = got_words - plain_words - frame_words
        assert all(lexicon().allowed(w) or not w.isalpha() for w in new), sorted(new)


def test_no_lexicon_word_shares_a_stem_with_a_template_word() -> None:
    """Stemmed as the engines stem (FTS5 porter): the lexicon's words, drug names and the first
    composed words never fold into a word of the templates, so no query for a template word
    finds the open vocabulary."""
    lex = lexicon()
    vocabulary = resources.files("synthetic").joinpath("data/vocabulary.json").read_text("utf-8")
    drawn = [*lex.words, *lex.drugs]
    drawn += [lex.word(len(lex.words) + r) for r in range(5000)]
    drawn += [lex.drug(len(lex.drugs) + r) for r in range(2000)]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    db.execute("INSERT INTO t VALUES (?)", (vocabulary,))
    template = {row[0] for row in db.execute("SELECT term FROM v")}
    db.execute("DELETE FROM t")
    clashes = []
    for word in drawn:
        db.execute("DELETE FROM t")
        db.execute("INSERT INTO t VALUES (?)", (word,))
        if {row[0] for row in db.execute("SELECT term FROM v")} & template:
            clashes.append(word)
    assert not clashes


def test_composed_words_are_many_and_distinct() -> None:
    lex = lexicon()
    composed = [lex.word(len(lex.words) + r) for r in range(20_000)]
    assert len(set(composed)) >= 0.99 * len(composed)
    assert all(re.fullmatch(r"[a-z]{4,}", w) for w in composed)


def test_vocabulary_grows_like_the_real_letters() -> None:
    """Distinct terms at the real letters' token count come near theirs (lexicon.json holds
    what benchmarks/corpus_stats.py measured), and keep growing with the corpus."""
    real = json.loads(resources.files("synthetic").joinpath("data/lexicon.json").read_bytes())[
        "model"
    ]["real_letters"]
    seen: set[str] = set()
    tokens = 0
    at_real = None
    for letter in generate_letters(10**6, SEED):
        text = [letter.clinical_summary or ""]
        for item in letter.items:
            text += [item.treatment, item.rationale or "", *(c.text for c in item.citations)]
        words = words_of(" ".join(text))
        seen.update(words)
        tokens += len(words)
        if at_real is None and tokens >= real["tokens"]:
            at_real = len(seen)
        if tokens >= 8 * real["tokens"]:
            break
    assert at_real is not None
    assert 0.8 * real["distinct"] <= at_real <= 1.2 * real["distinct"]
    # Heaps' law with the real letters' beta: 8 times the text, 8 ** beta times the words.
    assert len(seen) / at_real >= 0.8 * 8 ** real["heaps_beta"]


def test_template_only_letters_saturate() -> None:
    """What the open vocabulary fixes: template sentences stop bringing new words."""
    first = {w for letter in generate_letters(500, SEED, realistic=False) for w in _all(letter)}
    more = {w for letter in generate_letters(2000, SEED, realistic=False) for w in _all(letter)}
    assert len(more) < 1.3 * len(first)


def _all(letter: Letter) -> set[str]:
    words = set(words_of(letter.clinical_summary or ""))
    for item in letter.items:
        words |= set(words_of(item.rationale or ""))
    return words


@pytest.mark.parametrize("word", ["tramadol", "tenosynovitis", "orthotics"])
def test_a_misspelling_is_one_slip(word: str) -> None:
    rng = random.Random(3)
    for _ in range(200):
        typo = misspell(word, rng)
        assert typo != word or len(set(word)) < len(word)  # a doubled-letter swap is a no-op
        assert typo[0] == word[0]
        assert abs(len(typo) - len(word)) <= 1
