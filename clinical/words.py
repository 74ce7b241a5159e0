"""The word tables of the clinical rules, compiled: the phrase syntax of data/findings.json
(one pass over a text), the findings vocabulary it holds, and the words that carry no evidence
that two decisions are alike (data/no_evidence_words.txt). clinical.findings reads texts with
them; kept apart so that each module is read in one sitting.

Phrase syntax (findings.json "syntax"): lower-case words matching whole words, case-insensitively
(the text is lower-cased first); words separated by spaces match any run of spaces, hyphens,
slashes, apostrophes or % signs ("x ray" = "X-ray", "speed s" = "Speed's"); '*' ending a word
lets it continue; '#' is a number; '~N' lets up to N other words stand between two words (as many
as possible, never across a sentence end); '(a|b c|)' is a choice of words, empty for optional.
All phrases become one regular expression shaped as a trie (alternatives share their prefixes):
the leftmost, then the longest phrase wins, and a phrase extending another must share its
wording (the engine takes the first alternative that matches).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

WORD = re.compile(r"[a-z0-9]+")

# Pieces of the phrase syntax: between words ("x-ray", "Speed's", "30% relief"), '*', a word's
# end, '#', a word '~N' lets in (never across a sentence end).
_SEP, _WILD, _END, _NUM = r"[\s\-/'%]+", r"[a-z0-9']*", r"(?![a-z0-9])", r"\d+(?:\.\d+)?"
_GAP_WORD, _GAP_SEP, WORD_START = r"(?:[^\w.;:!?]+[\w']+)", r"[^\w.;:!?]+", r"(?<![a-z0-9])"
_ATOM_ORDER = {"c": 0, "num": 1, "sep": 2, "gap": 3, "wild": 4, "end": 5}  # longest first


@cache
def no_evidence_words() -> frozenset[str]:
    """Words that carry no evidence that two decisions are alike, never to be shown as "shared
    terms": function words and IMR boilerplate (data/no_evidence_words.txt says which)."""
    text = resources.files("clinical").joinpath("data", "no_evidence_words.txt").read_text("utf-8")
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(word for word in words if word)


def expand(phrase: str) -> list[str]:
    """Every wording of a phrase with '(a|b|)' choices, spaces normalised."""
    match = re.search(r"\(([^()]*)\)", phrase)
    if not match:
        return [" ".join(phrase.split())]
    head, tail = phrase[: match.start()], phrase[match.end() :]
    return [w for choice in match.group(1).split("|") for w in expand(head + choice + tail) if w]


Atom = tuple[str, str]  # ("c", a character), ("wild"|"end"|"sep"|"num", ""), ("gap", "N")


def _atoms(wording: str) -> tuple[Atom, ...]:
    atoms: list[Atom] = []
    gap: str | None = None
    for token in wording.split():
        if re.fullmatch(r"~\d+", token):
            gap = token[1:]
            continue
        for word in filter(None, re.split(r"[-/]", token)):
            if atoms:
                atoms.append(("gap", gap) if gap else ("sep", ""))
                gap = None
            body = word.rstrip("*")
            if word == "#":
                atoms.append(("num", ""))
            elif not re.fullmatch(r"[a-z0-9']+", body):
                raise ValueError(f"bad word {word!r} in {wording!r}")
            else:
                atoms += [("c", ch) for ch in body] + [("wild" if "*" in word else "end", "")]
    if gap is not None or not atoms:
        raise ValueError(f"a phrase cannot end with '~N': {wording!r}")
    return tuple(atoms)


def _atom_regex(kind: str, value: str) -> str:
    if kind == "gap":
        return f"{_GAP_WORD}{{0,{value}}}{_GAP_SEP}"
    return {"c": re.escape(value), "num": _NUM, "sep": _SEP, "wild": _WILD, "end": _END}[kind]


class _Trie:
    """Phrases as a trie of atoms written out as one regular expression whose alternatives
    share their prefixes; with `groups`, each phrase ends in an empty group named after it."""

    def __init__(self) -> None:
        self.children: dict[Atom, _Trie] = {}
        self.leaf: str | None = None

    def add(self, atoms: Iterable[Atom], name: str) -> str | None:
        """Add a phrase; returns the name already there when the same wording was added."""
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        if node.leaf is None:
            node.leaf = name
            return None
        return node.leaf

    def ordered(self) -> list[tuple[Atom, _Trie]]:
        return sorted(self.children.items(), key=lambda kv: _ATOM_ORDER[kv[0][0]])

    def regex(self, groups: bool) -> str:
        parts = [_atom_regex(*atom) + child.regex(groups) for atom, child in self.ordered()]
        if self.leaf is not None:  # last: the longer phrases are tried first
            parts.append(f"(?P<{self.leaf}>)" if groups else "")
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True)
class PhraseSet:
    """Phrases compiled for reading: `scan` finds them (no groups: a match object of a pattern
    with thousands of groups is slow to make), then the small pattern of the phrases starting
    with the same two characters says which it was (cached by the text matched)."""

    scan: re.Pattern[str]
    # first two characters, or the first -> the pattern's source; compiled on first use,
    # or all at once by compile_all (about a second) where processes fork afterwards
    sources: dict[str, str]
    values: dict[str, object]  # leaf name -> value
    known: dict[str, object] = field(default_factory=dict, compare=False)
    compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)

    def identify(self, prefix: str) -> re.Pattern[str] | None:
        """The pattern of the phrases starting with `prefix` (None: there are none)."""
        found = self.compiled.get(prefix)
        if found is None:
            source = self.sources.get(prefix)
            if source is None:
                return None
            found = self.compiled[prefix] = re.compile(source)
        return found

    def compile_all(self) -> None:
        """Compile every pattern now. A process that forks workers calls it first: each
        worker then shares the compiled patterns instead of compiling its own on first use
        (seconds on a busy machine, paid again by every replacement worker, and counted
        against the per-file deadline of whichever letter needs them first)."""
        for prefix in self.sources:
            self.identify(prefix)

    def finditer(self, lowered: str) -> Iterator[tuple[int, int, object]]:
        """(start, end, value) of each phrase in lower-cased text, leftmost then longest."""
        known = self.known
        for m in self.scan.finditer(lowered):
            first, last = m.span()
            seen = lowered[first : last + 1]  # the match and the character after it
            value = known.get(seen, known)
            if value is known:
                pattern = self.identify(seen[:2]) or self.identify(seen[0])
                assert pattern is not None  # scan only matches phrases it knows
                which = pattern.match(lowered, first)
                value = self.values[which.lastgroup] if which and which.lastgroup else None
                if len(known) > 50_000:
                    known.clear()
                known[seen] = value
            yield first, last, value


def compile_phrases(
    phrases: Iterable[tuple[str, object]], meaning: Callable[[object], object] = lambda v: v
) -> PhraseSet:
    """Compile (phrase, value) pairs; one wording given two meanings is an error (values of
    the same `meaning` may share a wording)."""
    trie, values = _Trie(), dict[str, object]()
    for phrase, value in phrases:
        for wording in expand(phrase):
            existing = trie.add(_atoms(wording), name := f"p{len(values)}")
            if existing is None:
                values[name] = value
            elif meaning(values[existing]) != meaning(value):
                raise ValueError(f"{wording!r} is given twice differently")
    identify: dict[str, str] = {}
    numbers = [(a, c) for a, c in trie.ordered() if a[0] == "num"]
    for first in {a[1] for a in trie.children if a[0] == "c"} | set("0123456789"):
        node = trie.children.get(("c", first)) or _Trie()
        for second in [*(a[1] for a in node.children if a[0] == "c"), ""]:
            parts = [
                re.escape(first) + _atom_regex(*atom) + child.regex(groups=True)
                for atom, child in node.ordered()
                if atom == ("c", second) or atom[0] != "c"
            ] + [_atom_regex(*a) + c.regex(True) for a, c in numbers if first.isdigit()]
            if parts:
                identify[first + second] = WORD_START + "(?:" + "|".join(parts) + ")"
    return PhraseSet(re.compile(WORD_START + trie.regex(groups=False)), identify, values)


def trie_regex(phrases: Iterable[str]) -> str:
    """One pattern (no groups) matching any of the phrases."""
    trie = _Trie()
    for wording in (w for phrase in phrases for w in expand(phrase)):
        trie.add(_atoms(wording), "leaf")
    return "(?:" + trie.regex(groups=False) + ")"


# -- the findings vocabulary (data/findings.json) ----------------------------------------------


@dataclass(frozen=True)
class Entry:
    label: str
    negated_label: str
    negatable: bool
    points_at_patient: bool  # stated only of a patient ("was authorized")


@dataclass(frozen=True)
class Phrase:
    keys: tuple[str, ...]  # () for an ignore phrase; two keys for a compound phrase
    written: str
    negative: bool  # states the absence by itself ("full range of motion")
    gapped: bool = False  # has a '~N': a cue may stand among the words it lets in

    @property
    def words(self) -> frozenset[str]:
        """Its own words ("not" in "has not responded to ...") are no cue inside it."""
        return frozenset(WORD.findall(self.written))


@dataclass(frozen=True)
class Signal:
    """A phrase read for what it says of its sentence: a pointer at the patient ("strong",
    "weak", "there"), a guideline subject ("subject", "per"), a cue after a finding ("after")."""

    kind: str


@dataclass(frozen=True)
class Vocabulary:
    entries: dict[str, Entry]
    phrases: PhraseSet  # findings, compounds, ignores (Phrase) and signals (Signal)
    cues: dict[str, dict[str, tuple[tuple[str, ...], ...]]]  # before, pseudo, clause_cues
    words: dict[str, frozenset[str]]  # breakers, links, verbs ... (findings.json "cues")
    outcomes: dict[str, frozenset[str]]  # treatment keys, outcome keys, words joining them
    window: int
    list_gap: int
    transparent: tuple[tuple[str, ...], ...]
    conditions: tuple[str, ...]  # "if there is ...": a condition, no pointer at the patient
    there_exclusions: tuple[str, ...]  # "there is limited evidence": guideline text
    subject_tail: re.Pattern[str]  # a reporting verb after a guideline subject
    per_tail: re.Pattern[str]  # a guideline after "per", "according to"
    general: re.Pattern[str]  # the words of general statements
    text: dict[str, re.Pattern[str]]  # sentences, quotations, the request's name (see "text")
    abbreviations: tuple[str, ...]  # a "." after these ends no sentence
    quote_words: int  # a quotation this long states guideline text


def _by_word(cues: Iterable[str], last: bool = True) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Word runs keyed by their last (or first) word."""
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for run in (tuple(cue.split()) for cue in cues):
        out[run[-1 if last else 0]] = (*out.get(run[-1 if last else 0], ()), run)
    return out


def _meaning(value: object) -> object:
    """Two phrases may share a wording when they mean the same."""
    return (value.keys, value.negative) if isinstance(value, Phrase) else value


def warm() -> None:
    """Compile the whole findings vocabulary now (about a second) in a process about to fork
    workers (index workers, a server's workers), so that they all share one compiled copy."""
    vocabulary().phrases.compile_all()


@cache
def vocabulary() -> Vocabulary:
    raw = json.loads(resources.files("clinical").joinpath("data", "findings.json").read_text())
    entries: dict[str, Entry] = {}
    pairs: list[tuple[str, object]] = []
    for item in raw["findings"]:
        if item["key"] in entries:
            raise ValueError(f"findings.json: key {item['key']!r} twice")
        entries[key := item["key"]] = Entry(
            item["label"],
            item.get("negated_label", f"no {item['label']}"),
            item["negatable"],
            item.get("points_at_patient", False),
        )
        pairs += [(p, Phrase((key,), p, False, "~" in p)) for p in item["phrases"]]
        pairs += [(p, Phrase((key,), p, True, "~" in p)) for p in item.get("negative", ())]
    for compound in raw["compound"]:
        if set(compound["keys"]) - set(entries):
            raise ValueError(f"findings.json: a compound with unknown keys {compound['keys']}")
        keys = tuple(compound["keys"])
        pairs += [(p, Phrase(keys, p, False, "~" in p)) for p in compound["phrases"]]
    pairs += [(p, Phrase((), p, False)) for p in raw["ignore"]]
    cues, criteria = raw["cues"], raw["criteria"]
    for kind, name in (
        ("after", "after"),
        ("strong", "strong_markers"),
        ("weak", "weak_markers"),
        ("subject", "guideline_subjects"),
        ("per", "per_words"),
        ("there", "there_markers"),
    ):
        pairs += [(p, Signal(kind)) for p in (cues | criteria)[name]]
    names = ("breakers", "hypothetical", "list_connectors", "links", "relatives", "verbs")
    words = {name: frozenset(cues[name]) for name in (*names, "records_words")}
    words["stops"] = words["verbs"] | words["breakers"]  # end a list, or a cue after a finding
    words["inside"] = frozenset(c for c in cues["before"] if " " not in c) - {"non"}
    before, clause_cues = _by_word(cues["before"]), _by_word(cues["clause_cues"])
    words["cue_words"] = frozenset(
        (*before, *clause_cues, *cues["breakers"], *cues["hypothetical"])
    )
    general = "|".join(sorted(map(re.escape, criteria["general_words"]), key=len, reverse=True))
    general = general.replace(r"\ ", r"\s+")
    text = raw["text"]
    return Vocabulary(
        entries=entries,
        phrases=compile_phrases(pairs, _meaning),
        cues={
            "before": before,
            "pseudo": _by_word(cues["pseudo"], last=False),
            "clause_cues": clause_cues,
        },
        words=words,
        outcomes={name: frozenset(value) for name, value in cues["outcomes"].items()},
        window=int(cues["before_window"]),
        list_gap=int(cues["list_gap"]),
        transparent=tuple(tuple(run.split()) for run in cues["transparent"]),
        conditions=tuple(f"{word} " for word in criteria["conditions"]),
        there_exclusions=tuple(f" {words}" for words in criteria["there_not_followed_by"]),
        subject_tail=re.compile(
            rf"(?:[^\w.;!?]+[\w']+){{0,6}}?[^\w.;!?]+{trie_regex(criteria['reporting_verbs'])}"
        ),
        per_tail=re.compile(r"(?:\s+the)?(?:\s+[\w/-]+){0,5}?\s+(?:guidelines?|mtus|odg|acoem)\b"),
        general=re.compile(rf"\b(?:{general})\b"),
        text={k: re.compile(v) for k, v in text.items() if isinstance(v, str) and k != "about"},
        abbreviations=tuple(text["abbreviations"]),
        quote_words=int(text["quote_words"]),
    )


__all__ = [
    "WORD",
    "Entry",
    "Phrase",
    "PhraseSet",
    "Signal",
    "Vocabulary",
    "compile_phrases",
    "expand",
    "no_evidence_words",
    "trie_regex",
    "vocabulary",
    "warm",
]
