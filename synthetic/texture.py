"""The open vocabulary of generated letters: rare words, drug names, doses, misspellings.

The template sentences of vocabulary.json reuse about 1,500 words however many letters are
drawn, so a generated index had a small dictionary and dense posting lists; real letters keep
bringing new words (39 real letters hold 2,439 distinct terms in 26,546 tokens, and the count
keeps growing as distinct = K * tokens ** beta, Heaps' law). This module adds what the
templates lack: sentences of a clinical summary or rationale ("Past medical history was notable
for ...") whose words are drawn from a ranked open lexicon with Zipf-Mandelbrot frequencies,
P(rank r) ~ (r + q) ** -a. The lexicon is infinite: the word lists of data/lexicon.json first
(anatomy, conditions, procedures, clinical and everyday words, drug names of clinical/data),
then words composed from medical word parts ("peri" + "chondr" + "itis"), so the vocabulary
grows with the corpus as the real one does (beta ~ 1 / a). Drug names and doses fill medication
lists; a few words are misspelt at the rate measured on the real letters. The parameters (a, q,
sentences per summary, ...) are fitted to the real letters' statistics by
benchmarks/corpus_stats.py --fit and stored in data/lexicon.json beside those statistics.

What it never changes: the requests, outcomes and citations (its random stream is its own, so
a letter's other draws are those of the template generator), the words of vocabulary.json
(lexicon words sharing one are left out), and the findings the clinical rules read (words of
clinical/data/findings.json are left out; tests/test_texture.py checks every item's findings).
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Lexicon", "Model", "Texture", "lexicon", "model"]

_WORD = re.compile(r"[a-z0-9]+")
_VOWELS = frozenset("aeiouy")
# Keys a misspelling may hit instead of the intended one (QWERTY neighbours).
_NEIGHBOURS = {
    "a": "qsz", "b": "vgn", "c": "xdv", "d": "sfe", "e": "wrd", "f": "dgr", "g": "fht",
    "h": "gjy", "i": "uok", "j": "hku", "k": "jli", "l": "kop", "m": "nj", "n": "bmh",
    "o": "ipl", "p": "ol", "q": "wa", "r": "etf", "s": "adw", "t": "ryg", "u": "yij",
    "v": "cbf", "w": "qes", "x": "zsc", "y": "tuh", "z": "xas",
}  # fmt: skip


@cache
def _data() -> dict[str, Any]:
    return json.loads(resources.files("synthetic").joinpath("data/lexicon.json").read_bytes())


@dataclass(frozen=True)
class Model:
    """How much open-vocabulary text a letter gets, and how its words are drawn."""

    zipf_a: float  # exponent of the rank distribution (Heaps' beta tends to 1 / a)
    zipf_q: float  # Mandelbrot offset: how flat the head of the lexicon is
    drug_q: float  # the same offset for drug names (the exponent is shared)
    summary_sentences: tuple[int, int]  # open-vocabulary sentences per summary (min, max)
    rationale_share: float  # chance that a rationale gets one
    list_words: tuple[int, int]  # words in a "{words}" list (min, max)
    reuse: float  # chance that a word slot repeats a word the letter already used
    typo_rate: float  # misspelt share of the drawn words


@cache
def model() -> Model:
    """The fitted model of data/lexicon.json."""
    fields = dict(_data()["model"]["parameters"])
    for name in ("summary_sentences", "list_words"):
        fields[name] = tuple(fields[name])
    return Model(**fields)


def _template_words() -> frozenset[str]:
    """Every word of the template vocabulary (vocabulary.json): the lexicon stays apart."""
    raw = resources.files("synthetic").joinpath("data/vocabulary.json").read_text("utf-8")
    return frozenset(_WORD.findall(raw.lower()))


def _finding_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """Words (and '*' prefixes) of the finding rules' phrases: never drawn, so that the open
    vocabulary states no finding."""
    raw = json.loads(resources.files("clinical").joinpath("data/findings.json").read_bytes())
    words: set[str] = set()
    prefixes: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for token in re.findall(r"[a-z0-9']+\*?", value.lower()):
                (prefixes if token.endswith("*") else words).add(token.rstrip("*'"))
        elif isinstance(value, list):
            for entry in value:
                walk(entry)
        elif isinstance(value, dict):
            for key, entry in value.items():
                if key not in ("about", "key", "label", "negated_label"):
                    walk(entry)

    for finding in raw["findings"]:
        walk(finding.get("phrases", []))
        walk(finding.get("negative", []))
    walk(raw["compound"])
    return frozenset(words), tuple(sorted(p for p in prefixes if len(p) >= 3))


def _drug_names() -> list[str]:
    """One-word drug names of the clinical rules' drug list (brands and generics)."""
    raw = json.loads(resources.files("clinical").joinpath("data/drugs.json").read_bytes())
    names: list[str] = []
    for drug in raw["drugs"]:
        for name in [*drug.get("ingredients", [drug["key"]]), *drug["names"]]:
            if re.fullmatch(r"[a-z]{4,}", name):
                names.append(name)
    return sorted(set(names))


# Suffixes the crude stem cuts, longest first (data/lexicon.json "stem_suffixes").
_SUFFIXES = sorted(_data()["stem_suffixes"], key=len, reverse=True)


def _stem(word: str) -> str:
    """A crude stem that cuts deeper than Porter's (suffix after suffix), so that a composed
    word never folds into a template word's stem: 'electrism' and 'electrical' both give
    'electr'. Listed words get the engines' own stems (`porter_stems`)."""
    for _ in range(3):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def porter_stems(words: Sequence[str]) -> list[str]:
    """Each word's stem as the engines index it (SQLite FTS5's porter tokenizer)."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(w, tokenize = 'porter unicode61')")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        db.executemany("INSERT INTO t(rowid, w) VALUES (?, ?)", enumerate(words, 1))
        stems = dict(db.execute("SELECT doc, term FROM v WHERE offset = 0"))
    finally:
        db.close()
    return [stems.get(i, word) for i, word in enumerate(words, 1)]


class Lexicon:
    """Rank -> word, for every rank: the listed words first, then composed ones. Words that
    the template vocabulary or the finding rules hold are skipped, deterministically."""

    def __init__(self, data: dict[str, Any]) -> None:
        template = sorted(_template_words())
        self._template = frozenset(template)
        self._template_stems = frozenset(_stem(w) for w in template)
        porter = frozenset(porter_stems(template))
        self._blocked, self._blocked_prefixes = _finding_words()
        listed = sorted({w for group in data["words"].values() for w in group})
        # A fixed shuffle: no group of the file is more frequent than another.
        random.Random(14).shuffle(listed)
        self.words = [
            w for w, s in zip(listed, porter_stems(listed), strict=True)
            if s not in porter and self.allowed(w)
        ]  # fmt: skip
        drugs = _drug_names()
        random.Random(15).shuffle(drugs)
        self.drugs = [
            w for w, s in zip(drugs, porter_stems(drugs), strict=True)
            if s not in porter and self.allowed(w)
        ]  # fmt: skip
        parts = data["pseudo"]
        self._prefixes: list[str] = parts["prefixes"]
        self._roots: list[str] = parts["roots"]
        self._suffixes: list[str] = parts["suffixes"]
        self._onsets: list[str] = parts["drug_onsets"]
        self._middles: list[str] = parts["drug_middles"]
        self._stems: list[str] = parts["drug_stems"]

    def allowed(self, word: str) -> bool:
        return (
            word not in self._template
            and _stem(word) not in self._template_stems
            and word not in self._blocked
            and not word.startswith(self._blocked_prefixes)
        )

    def word(self, rank: int) -> str:
        """The word of a rank (0 = the most frequent)."""
        if rank < len(self.words):
            return self.words[rank]
        space = len(self._prefixes) * len(self._suffixes) * len(self._roots)
        return self._composed(rank - len(self.words), space, self._clinical)

    def drug(self, rank: int) -> str:
        """The drug name of a rank: listed names first, then drug-like composed names."""
        if rank < len(self.drugs):
            return self.drugs[rank]
        space = len(self._onsets) * len(self._stems) * len(self._middles)
        return self._composed(rank - len(self.drugs), space, self._drug)

    def _composed(self, index: int, space: int, compose: Any) -> str:
        # Within each block of `space` compositions (one root, or one middle syllable, first;
        # then longer words) the ranks are scattered by a multiplicative walk (7919 is prime
        # and divides no space), so neighbouring ranks do not read alike; a refused candidate
        # takes another place of its block.
        block, offset = divmod(index, space)
        attempt = 0
        while True:
            place = (offset * 7919 + attempt * 104_729) % space
            candidate: str = compose(block * space + place)
            if self.allowed(candidate):
                return candidate
            attempt += 1

    def _clinical(self, n: int) -> str:
        n, prefix = divmod(n, len(self._prefixes))
        n, suffix = divmod(n, len(self._suffixes))
        n, root = divmod(n, len(self._roots))
        roots = [self._roots[root]]
        while n:  # past one root per word, more roots: the space never runs out
            n, root = divmod(n - 1, len(self._roots))
            roots.append(self._roots[root])
        return _join([self._prefixes[prefix], *_linked(roots), self._suffixes[suffix]])

    def _drug(self, n: int) -> str:
        n, onset = divmod(n, len(self._onsets))
        n, stem = divmod(n, len(self._stems))
        n, middle = divmod(n, len(self._middles))
        middles = [self._middles[middle]]
        while n:
            n, middle = divmod(n - 1, len(self._middles))
            middles.append(self._middles[middle])
        return _join([self._onsets[onset], *middles, self._stems[stem]])


def _linked(roots: Sequence[str]) -> Iterator[str]:
    """Roots as compounds join them: 'o' before a consonant ('oste' 'o' 'chondr')."""
    for i, root in enumerate(roots):
        yield root
        if i + 1 < len(roots) and roots[i + 1][0] not in _VOWELS:
            yield "o"


def _join(parts: Sequence[str]) -> str:
    """Word parts joined; 'o' is added between a root and a suffix starting with a consonant
    ('arthr' + 'scopy' -> 'arthroscopy'), and a doubled vowel at a joint is dropped."""
    word = ""
    for part in parts:
        if not part:
            continue
        if word and word[-1] in _VOWELS and part[0] in _VOWELS:
            part = part[1:]
        elif word and word[-1] not in _VOWELS and part[0] not in _VOWELS and len(part) > 3:
            word += "o"
        word += part
    return word


@cache
def lexicon() -> Lexicon:
    return Lexicon(_data())


@dataclass(frozen=True)
class _Frames:
    summary: tuple[str, ...]
    rationale: tuple[str, ...]
    doses: tuple[str, ...]


@cache
def _frames() -> _Frames:
    data = _data()["frames"]
    return _Frames(tuple(data["summary"]), tuple(data["rationale"]), tuple(data["doses"]))


_SLOT = re.compile(r"\{(\w+)\}")


class Texture:
    """Open-vocabulary sentences for one letter at a time, from their own random stream."""

    def __init__(self, rng: random.Random, fitted: Model | None = None) -> None:
        self.rng = rng
        self.model = fitted or model()
        self.lexicon = lexicon()
        self.frames = _frames()
        self.used: list[str] = []  # this letter's drawn words
        self.drugs: list[str] = []  # and drug names

    def new_letter(self) -> None:
        """Start a letter: words repeat within a letter (a rare word is rarely said once)."""
        self.used = []
        self.drugs = []

    def summary(self, dates: Sequence[str]) -> list[str]:
        """Sentences for a clinical summary; `dates` are the letter's dates as prose writes
        them (the visits, the imaging, the injury)."""
        low, high = self.model.summary_sentences
        count = low + int(self.rng.random() * (high - low + 1))
        frames = self.rng.sample(self.frames.summary, count)  # no sentence twice
        return [self._fill(frame, dates) for frame in frames]

    def rationale(self, dates: Sequence[str]) -> list[str]:
        """No sentence, or one, for a rationale."""
        if self.rng.random() >= self.model.rationale_share:
            return []
        return [self._fill(self.rng.choice(self.frames.rationale), dates)]

    def _fill(self, frame: str, dates: Sequence[str]) -> str:
        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "word":
                return self.word()
            if name == "words":
                low, high = self.model.list_words
                count = low + int(self.rng.random() * (high - low + 1))
                return _listed([self.word() for _ in range(count)])
            if name == "drug":
                return self.drug()
            if name == "dose":
                return self.rng.choice(self.frames.doses)
            if name == "date":
                return self.rng.choice(dates)
            if name == "count":
                return str(1 + int(self.rng.random() ** 2 * 24))
            if name == "bp":
                systolic = 104 + int(self.rng.random() * 50)
                return f"{systolic}/{systolic - 40 - int(self.rng.random() * 20)}"
            if name == "weight":
                return str(118 + int(self.rng.random() * 170))
            raise KeyError(f"unknown slot {{{name}}} in {frame!r}")

        return _SLOT.sub(slot, frame)

    def _rank(self, q: float) -> int:
        """A Zipf-Mandelbrot rank, P(r) ~ (r + q) ** -a: the inverse of the continuous
        distribution's CDF at one uniform draw."""
        a1 = self.model.zipf_a - 1.0
        return int(q * ((1.0 - self.rng.random()) ** (-1.0 / a1) - 1.0))

    def word(self) -> str:
        """A word this letter used already (`reuse`), else a new draw from the lexicon."""
        if self.used and self.rng.random() < self.model.reuse:
            return self.rng.choice(self.used)
        word = self._maybe_misspelt(self.lexicon.word(self._rank(self.model.zipf_q)))
        self.used.append(word)
        return word

    def drug(self) -> str:
        if self.drugs and self.rng.random() < self.model.reuse:
            return self.rng.choice(self.drugs)
        name = self._maybe_misspelt(self.lexicon.drug(self._rank(self.model.drug_q)))
        name = name[0].upper() + name[1:]
        self.drugs.append(name)
        return name

    def _maybe_misspelt(self, word: str) -> str:
        if self.rng.random() >= self.model.typo_rate or len(word) < 5:
            return word
        typo = misspell(word, self.rng)
        return typo if self.lexicon.allowed(typo) else word


def misspell(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: a letter dropped, doubled, swapped with the next, or a
    neighbouring key hit instead (never the first letter)."""
    i = 1 + int(rng.random() * (len(word) - 2))
    kind = int(rng.random() * 4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    keys = _NEIGHBOURS.get(word[i], "")
    return word[:i] + (keys[int(rng.random() * len(keys))] if keys else word[i]) + word[i + 1 :]


def _listed(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b, and c'."""
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]
