"""The clinical findings a rationale or a clinical summary states: "no red flags",
"radiculopathy", "no functional improvement documented", "exceeds recommended visits".

Users comparing precedent decisions see *why* two decisions are alike through these findings,
so the rules are a readable vocabulary (data/findings.json: a stable key, the label users read,
phrases, whether a cue can negate it) and every decision can be explained
(`explain_findings`: which phrase, which cue, and why a phrase gave no finding).

How a text is read:

* One pass. Every phrase of the vocabulary, and the signal phrases that tell criteria from
  findings (pointers at the patient, guideline subjects, cues after a finding), are compiled
  into one regular expression shaped as a trie; the leftmost, then the longest phrase wins, and
  a phrase consumes its words ("imaging studies demonstrating radiculopathy" is imaging
  findings). "ignore" phrases (treatment names, boilerplate) are read and dropped.
* Negation before a finding: a cue ("no", "lack of", "without", "absent", "denies", "fails
  to", "negative", ...) among the 12 words before it, within its clause (a sentence, a ";" or
  ":" part), with no "but/however/which/..." between and no other finding between: a cue
  negates the first finding it reaches ("no documentation of functional improvement with the
  previous sessions" negates the improvement, not the sessions), and those joined to it by a
  list or an evidence link ("no red flags, nerve compromise or failed conservative care",
  "lack of findings indicative of radiculopathy"); a finding in a relative clause after another
  ("deficits that cannot be addressed ...") takes that one's polarity. Pseudo-negations ("not
  only", "not recommended", "not to exceed") are no cues; "if/whether/unless/contingent" make
  the statement hypothetical and it is dropped.
* Negation after a finding: "... was not documented", "... were negative", "... has been
  ruled out" negates the finding it follows (no verb between) and the others of its subject
  ("X and Y with the previous visits was not indicated").
* "Negative" phrases state the absence themselves ("full range of motion", "intact
  sensation"); a cue before them turns them back.
* Criteria are not findings. Text in a quotation of 8 words or more, a sentence whose subject
  is a guideline ("The ODG recommends ...", "Per guidelines, ...") before anything in it points
  at the patient, and the sentences without such a pointer that follow it or speak in general
  terms ("should", "patients", "recommended") state what guidelines require, not what this
  patient has: they give no finding. Pointers at the patient: "the injured worker", "in this
  case", "there is no ...", "was not documented", dates, the records, past-tense verbs with "the
  patient" (findings.json "criteria" lists them). On the 84 real items, reading criteria as
  findings would cost about 38 points of precision (evaluation/findings.py). The request's own
  name in the conclusion ("the request for Deprizine (unknown quantity) is not medically
  necessary") is not a finding either.
* One finding per key, in the order keys are first stated. A finding stated both ways about the
  patient keeps the affirmative statement (DEDUPE_RULE): statements in criteria never compete
  (they are no statements about the patient); between two statements about the patient, a
  negation is the likelier misreading (a cue reaching too far), and rationales that affirm and
  deny one factor mostly affirm it clinically and deny a corroboration of it ("radiculopathy on
  examination ... no imaging supporting radiculopathy"). On the labels, "affirmed" agrees best
  (then "last", then "negated").

Speed: one backtracking-regex pass over the text (about 40% of the time) and per-sentence
decisions for the sentences holding a phrase; about 150 us for a 1,000-character rationale.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Literal

WORD = re.compile(r"[a-z0-9]+")

# The regular-expression pieces of the phrase syntax (see findings.json "syntax").
_SEP = r"[\s\-/'%]+"  # between the words of a phrase: "x-ray", "Speed's", "30% relief"
_WILD = r"[a-z0-9']*"  # a '*' ending a word
_END = r"(?![a-z0-9])"  # a word without '*' ends here
_NUM = r"\d+(?:\.\d+)?"  # '#'
_GAP_WORD = r"(?:[^\w.;:!?]+[\w']+)"  # one word a '~N' lets in, never across a sentence end
_GAP_SEP = r"[^\w.;:!?]+"
_WORD_START = r"(?<![a-z0-9])"
_UNKNOWN = object()

# Sentence ends: ".", "!" or "?" before a space, a quote or a bracket (not after e.g., i.e.,
# Dr., vs.: _ABBREVIATIONS), and blank lines.
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"')\]\u201d]|$)")
_ABBREVIATIONS = ("e.g", "i.e", " dr", " vs", " no", " st", "etc", " mr", " ms")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_CLAUSE_END = re.compile(r"[;:]\s")
# Quotations (straight or curly quotes) of 8 words or more state guideline text.
_QUOTE = re.compile(r"\"([^\"]*)\"|\u201c([^\u201d]*)\u201d")
QUOTE_WORDS = 8
# A conclusion about the request: the request's own name before it is not a finding.
_CONCLUSION = re.compile(
    r"\s(?:is|are|was|were)\s+(?:not\s+|therefore\s+|thus\s+|also\s+|hereby\s+)?"
    r"(?:determined\s+to\s+be\s+|deemed\s+(?:to\s+be\s+)?|considered\s+|found\s+to\s+be\s+)?"
    r"(?:not\s+)?(?:medically\s+(?:necessary|reasonable|appropriate|indicated)|a\s+medical\s+"
    r"necessity|supported|certified|recommended|warranted)"
)
_REQUEST_HEAD = re.compile(
    r"\b(?:request(?:ed)?\s+for|original\s+request,?|request,|(?:the|currently|originally)\s+"
    r"requested)\s+"
)
# A verb between "the request for" and the conclusion: what comes between is no name.
_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|due|because|since|denied|modified)\b")
# "Regarding the request for X, ..." names the request before the sentence starts.
_PREFACE_WORDS = ("regarding", "with regard", "as for", "in regard")
_PREFACE = re.compile(r"\s*(?:regarding|with\s+regard\s+to|as\s+for|in\s+regards?\s+to)\b[^,]*,")

# A verb in the past tense: a sentence about what happened to this patient ("the patient was
# seen", "has completed"), not about what guidelines require.
_PAST = re.compile(
    r"\b(?:was|were|had|did)\b|\b(?:has|have)\s+(?:been\s+)?"
    r"(?!shown|found|demonstrated|proven|reported|suggested|associated)(?:\w+ly\s+)?"
    r"(?:\w+ed|on|using|taking|undergone|received|seen|had|made)\b"
)
DEDUPE_RULE: Literal["affirmed", "negated", "last"] = "affirmed"


@dataclass(frozen=True)
class Finding:
    """A clinical finding stated about the patient, negated or not ("no red flags")."""

    key: str
    label: str
    negated: bool

    @property
    def text(self) -> str:
        """What users read: the label, or its negated form ("no red flags")."""
        if not self.negated:
            return self.label
        entry = _vocabulary().entries.get(self.key)
        return entry.negated_label if entry else f"no {self.label}"


@dataclass(frozen=True)
class Explanation:
    """Why a phrase of the text gave (or did not give) a finding."""

    finding: Finding
    phrase: str  # the vocabulary phrase, as written in findings.json
    matched: str  # the words of the text it matched
    start: int
    end: int
    cue: str | None  # the cue that negated it ("no evidence", "was not documented") or None
    kept: bool  # False: a criteria statement, the request's name, hypothetical or superseded
    reason: str  # "finding", "criteria: quotation", "criteria: guideline subject", ...


def findings(text: str) -> tuple[Finding, ...]:
    """The findings the text states about the patient, one per key (DEDUPE_RULE when stated
    both ways), in the order their keys are first stated."""
    if not text:
        return ()
    chosen: dict[str, bool] = {}  # key -> negated, in the order keys are first stated
    for match in _Reader(text).read(full=False):
        if match.reason != "finding":
            continue
        for key, negated, _ in match.statements():
            if key not in chosen:
                chosen[key] = negated
            elif chosen[key] != negated:
                chosen[key] = _resolve(chosen[key], negated)
    return tuple(_finding(key, negated) for key, negated in chosen.items())


def explain_findings(text: str) -> list[Explanation]:
    """Every phrase read in the text, in text order: the finding it states, the cue that
    decided its polarity, and whether it was kept (with the reason when not: a criteria
    statement, the request's own name, hypothetical, or stated elsewhere)."""
    if not text:
        return []
    out: list[Explanation] = []
    for match in _Reader(text).read(full=True):
        for key, negated, cue in match.statements():
            out.append(
                Explanation(
                    _finding(key, negated),
                    match.phrase.written,
                    text[match.start : match.end],
                    match.start,
                    match.end,
                    cue,
                    match.reason == "finding",
                    match.reason,
                )
            )
    return _dedupe(out)


@cache
def no_evidence_words() -> frozenset[str]:
    """Words that carry no evidence that two decisions are alike, never to be shown as "shared
    terms": function words and IMR boilerplate (data/no_evidence_words.txt says which)."""
    text = resources.files("clinical").joinpath("data", "no_evidence_words.txt").read_text("utf-8")
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(word for word in words if word)


def _resolve(earlier: bool, later: bool) -> bool:
    """The polarity kept when a finding is stated both ways (see DEDUPE_RULE)."""
    if DEDUPE_RULE == "affirmed":
        return False
    if DEDUPE_RULE == "negated":
        return True
    return later


@cache
def _finding(key: str, negated: bool) -> Finding:
    return Finding(key, _vocabulary().entries[key].label, negated)


def finding_keys() -> tuple[str, ...]:
    """The keys of the vocabulary, in data file order."""
    return tuple(_vocabulary().entries)


def finding_label(key: str, negated: bool = False) -> str:
    """The label users read for a key ("no red flags" when negated)."""
    return Finding(key, _vocabulary().entries[key].label, negated).text


# ---------------------------------------------------------------------------------------------
# The vocabulary, compiled.


@dataclass(frozen=True)
class _Entry:
    key: str
    label: str
    negated_label: str
    negatable: bool
    points_at_patient: bool  # stated only of a patient ("was authorized"): a sentence stating
    # it is about the patient


@dataclass(frozen=True)
class _Phrase:
    keys: tuple[str, ...]  # () for an ignore phrase; two keys for a compound phrase
    written: str
    negative: bool  # states the absence by itself ("full range of motion")
    gapped: bool = False  # has a '~N': other words, a cue among them, may stand inside

    @property
    def words(self) -> frozenset[str]:
        """The words of the phrase as written ("not" in "has not responded to ...")."""
        return frozenset(WORD.findall(self.written))


@dataclass(frozen=True)
class _Signal:
    """A phrase read for what it says about its sentence, not a finding: a pointer at the
    patient ("strong", "weak"), a guideline as a subject ("subject", "per"), a cue after a
    finding ("after": "... was not documented")."""

    kind: str


@dataclass(frozen=True)
class _Vocabulary:
    entries: dict[str, _Entry]
    # every finding, compound and ignore phrase (values: _Phrase) and every signal phrase
    # (values: _Signal), read in one pass
    phrases: PhraseSet
    before: dict[str, tuple[tuple[str, ...], ...]]  # last word of a cue -> cues (word tuples)
    pseudo: dict[str, tuple[tuple[str, ...], ...]]  # first word -> pseudo-negations
    # last word -> cues that open a clause ("it does not appear that"), reaching its first
    # finding however far
    clause_cues: dict[str, tuple[tuple[str, ...], ...]]
    breakers: frozenset[str]
    cue_words: frozenset[str]  # the words _cue_before looks for
    inside: frozenset[str]  # single-word cues, looked for inside gapped phrases
    hypothetical: frozenset[str]
    connectors: frozenset[str]
    links: frozenset[str]  # words a list or an evidence link may hold ("indicative of")
    relatives: frozenset[str]
    # a treatment finding and the outcome said of it ("trial ... with functional improvement")
    treatments: frozenset[str]
    outcomes: frozenset[str]
    outcome_words: frozenset[str]
    auxiliaries: frozenset[str]  # "is", "was", "has": a new clause, not a noun phrase
    transparent: tuple[tuple[str, ...], ...]  # word runs a cue reads through
    verbs: frozenset[str]
    window: int
    list_gap: int
    records_words: frozenset[str]  # a cue after a finding with one points at the patient
    conditions: tuple[str, ...]  # "if there is ...": a condition, not about the patient
    # "there is ..." points at the patient ("there is no documentation of ..."), unless one
    # of these follows ("there is limited evidence": guideline text)
    there_exclusions: tuple[str, ...]
    subject_tail: re.Pattern[str]  # what follows a guideline subject: a reporting verb
    per_tail: re.Pattern[str]  # what follows "per", "according to": a guideline
    general: re.Pattern[str]  # the words of general statements


def expand(phrase: str) -> list[str]:
    """Every wording of a phrase with '(a|b|)' choices, spaces normalised."""
    match = re.search(r"\(([^()]*)\)", phrase)
    if not match:
        return [" ".join(phrase.split())]
    out: list[str] = []
    for choice in match.group(1).split("|"):
        out += expand(phrase[: match.start()] + choice + phrase[match.end() :])
    return [wording for wording in out if wording]


Atom = tuple[str, str]  # ("c", char) | ("wild", "") | ("end", "") | ("sep", "") | ("gap", n) ...


def _atoms(wording: str) -> tuple[Atom, ...]:
    atoms: list[Atom] = []
    gap: str | None = None
    for token in wording.split():
        if re.fullmatch(r"~\d+", token):
            gap = token[1:]
            continue
        for word in re.split(r"[-/]", token):
            if not word:
                continue
            if atoms:
                atoms.append(("gap", gap) if gap else ("sep", ""))
                gap = None
            if word == "#":
                atoms.append(("num", ""))
                continue
            wild = word.endswith("*")
            body = word.rstrip("*")
            if not re.fullmatch(r"[a-z0-9']+", body):
                raise ValueError(f"findings.json: bad word {word!r} in {wording!r}")
            atoms += [("c", ch) for ch in body]
            atoms.append(("wild", "") if wild else ("end", ""))
    if gap is not None or not atoms:
        raise ValueError(f"findings.json: a phrase cannot end with '~N': {wording!r}")
    return tuple(atoms)


_ATOM_ORDER = {"c": 0, "num": 1, "sep": 2, "gap": 3, "wild": 4, "end": 5}


def _atom_regex(atom: Atom) -> str:
    kind, value = atom
    if kind == "c":
        return re.escape(value)
    if kind == "gap":
        return f"{_GAP_WORD}{{0,{value}}}{_GAP_SEP}"
    return {"num": _NUM, "sep": _SEP, "wild": _WILD, "end": _END}[kind]


class _Trie:
    """Phrases as a trie of atoms, written out as one regular expression whose alternatives
    share their prefixes (one pass over the text, a few character tests per word)."""

    def __init__(self) -> None:
        self.children: dict[Atom, _Trie] = {}
        self.leaf: str | None = None

    def add(self, atoms: Iterable[Atom], name: str) -> str | None:
        """Add a phrase; returns the name already there when the same wording was added."""
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        if node.leaf is not None:
            return node.leaf
        node.leaf = name
        return None

    def ordered(self) -> list[tuple[Atom, _Trie]]:
        return sorted(self.children.items(), key=lambda kv: _ATOM_ORDER[kv[0][0]])

    def regex(self, groups: bool) -> str:
        """The pattern; with `groups`, each phrase ends in an empty group named after it."""
        parts = [_atom_regex(atom) + child.regex(groups) for atom, child in self.ordered()]
        if self.leaf is not None:  # last: the longer phrases are tried first
            parts.append(f"(?P<{self.leaf}>)" if groups else "")
        if len(parts) == 1:
            return parts[0]
        return "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True)
class PhraseSet:
    """Phrases compiled for reading: `scan` finds them (no groups: a match object of a
    pattern with thousands of groups is slow to make), then the small pattern of the phrases
    starting with the same character says which phrase it was."""

    scan: re.Pattern[str]
    identify: dict[str, re.Pattern[str]]  # first two characters (or the first alone, for
    # phrases whose second character is no letter) -> pattern with named leaves
    values: dict[str, object]  # leaf name -> value
    # matched text (and the character after it) -> value: texts repeat their phrases
    known: dict[str, object] = field(default_factory=dict, compare=False)

    def finditer(
        self, lowered: str, start: int = 0, end: int | None = None
    ) -> Iterator[tuple[int, int, object]]:
        """(start, end, value) of each phrase in lower-cased text, leftmost then longest."""
        known = self.known
        for m in self.scan.finditer(lowered, start, len(lowered) if end is None else end):
            first, last = m.span()
            seen = lowered[first : last + 1]  # the match and the character after it
            value = known.get(seen, _UNKNOWN)
            if value is _UNKNOWN:
                pattern = self.identify.get(seen[:2]) or self.identify[seen[0]]
                which = pattern.match(lowered, first)
                value = self.values[which.lastgroup] if which and which.lastgroup else None
                if len(known) > 50_000:
                    known.clear()
                known[seen] = value
            yield first, last, value

    def search(self, lowered: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        return self.scan.search(lowered, start, len(lowered) if end is None else end)


def compile_phrases(phrases: Iterable[tuple[str, object]]) -> PhraseSet:
    """Compile (phrase, value) pairs. The same wording given two meanings is an error (the
    table would be ambiguous)."""
    trie = _Trie()
    values: dict[str, object] = {}
    for phrase, value in phrases:
        for wording in expand(phrase):
            name = f"p{len(values)}"
            existing = trie.add(_atoms(wording), name)
            if existing is None:
                values[name] = value
            elif _meaning(values[existing]) != _meaning(value):
                raise ValueError(f"findings.json: {wording!r} is given twice differently")
    scan = re.compile(_WORD_START + trie.regex(groups=False))
    identify: dict[str, re.Pattern[str]] = {}
    for first in {atom[1] for atom in trie.children if atom[0] == "c"} | set("0123456789"):
        node = trie.children.get(("c", first))
        numbers = [(a, c) for a, c in trie.ordered() if a[0] == "num" and first.isdigit()]
        seconds = {a[1] for a in node.children if a[0] == "c"} if node else set()
        # keyed by the first two characters: small patterns, so cheap match objects
        for second in [*seconds, ""]:
            parts = [
                re.escape(first) + _atom_regex(atom) + child.regex(groups=True)
                for atom, child in (node.ordered() if node else ())
                if atom == ("c", second) or atom[0] != "c"
            ]
            parts += [_atom_regex(atom) + child.regex(groups=True) for atom, child in numbers]
            if parts:
                identify[first + second] = re.compile(_WORD_START + "(?:" + "|".join(parts) + ")")
    return PhraseSet(scan, identify, values)


def _meaning(value: object) -> object:
    """What a phrase means (two phrases may share a wording when they mean the same)."""
    if isinstance(value, _Phrase):
        return (value.keys, value.negative)
    return value


def _trie_regex(phrases: Iterable[str]) -> str:
    """A pattern matching any of the phrases (phrase syntax), as a trie."""
    trie = _Trie()
    for phrase in phrases:
        for wording in expand(phrase):
            trie.add(_atoms(wording), "leaf")
    return "(?:" + trie.regex(groups=False) + ")"


def _words_pattern(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len)[::-1])


@cache
def _vocabulary() -> _Vocabulary:
    raw = json.loads(
        resources.files("clinical").joinpath("data", "findings.json").read_text("utf-8")
    )
    entries: dict[str, _Entry] = {}
    pairs: list[tuple[str, object]] = []
    for item in raw["findings"]:
        key = item["key"]
        if key in entries:
            raise ValueError(f"findings.json: key {key!r} twice")
        entries[key] = _Entry(
            key,
            item["label"],
            item.get("negated_label", f"no {item['label']}"),
            item["negatable"],
            item.get("points_at_patient", False),
        )
        pairs += [(p, _Phrase((key,), p, False, "~" in p)) for p in item["phrases"]]
        pairs += [(p, _Phrase((key,), p, True, "~" in p)) for p in item.get("negative", ())]
    for compound in raw.get("compound", ()):
        unknown = set(compound["keys"]) - set(entries)
        if unknown:
            raise ValueError(f"findings.json: compound with unknown keys {sorted(unknown)}")
        pairs += [
            (p, _Phrase(tuple(compound["keys"]), p, False, "~" in p)) for p in compound["phrases"]
        ]
    pairs += [(p, _Phrase((), p, False)) for p in raw.get("ignore", ())]
    cues = raw["cues"]
    criteria = raw["criteria"]
    for kind, phrases in (
        ("after", cues["after"]),
        ("strong", criteria["strong_markers"]),
        ("weak", criteria["weak_markers"]),
        ("subject", criteria["guideline_subjects"]),
        ("per", criteria["per_words"]),
        ("there", criteria["there_markers"]),
    ):
        pairs += [(p, _Signal(kind)) for p in phrases]
    before: dict[str, tuple[tuple[str, ...], ...]] = {}
    for cue in cues["before"]:
        words = tuple(cue.split())
        before[words[-1]] = (*before.get(words[-1], ()), words)
    pseudo: dict[str, tuple[tuple[str, ...], ...]] = {}
    for cue in cues["pseudo"]:
        words = tuple(cue.split())
        pseudo[words[0]] = (*pseudo.get(words[0], ()), words)
    clause_cues: dict[str, tuple[tuple[str, ...], ...]] = {}
    for cue in cues["clause_cues"]:
        words = tuple(cue.split())
        clause_cues[words[-1]] = (*clause_cues.get(words[-1], ()), words)
    verbs = _trie_regex(criteria["reporting_verbs"])
    return _Vocabulary(
        entries=entries,
        phrases=compile_phrases(pairs),
        before=before,
        pseudo=pseudo,
        clause_cues=clause_cues,
        breakers=frozenset(cues["breakers"]),
        cue_words=frozenset(before)
        | frozenset(clause_cues)
        | frozenset(cues["breakers"])
        | frozenset(cues["hypothetical"]),
        inside=frozenset(c for c in cues["before"] if " " not in c) - {"non"},
        hypothetical=frozenset(cues["hypothetical"]),
        connectors=frozenset(cues["list_connectors"]),
        links=frozenset(cues["links"]),
        relatives=frozenset(cues["relatives"]),
        treatments=frozenset(cues["outcomes"]["after"]),
        outcomes=frozenset(cues["outcomes"]["outcomes"]),
        outcome_words=frozenset(cues["outcomes"]["words"]),
        auxiliaries=frozenset(("is", "are", "was", "were", "be", "been", "has", "have", "had")),
        transparent=tuple(tuple(run.split()) for run in cues["transparent"]),
        verbs=frozenset(cues["verbs"]),
        window=int(cues["before_window"]),
        list_gap=int(cues["list_gap"]),
        records_words=frozenset(cues["records_words"]),
        conditions=tuple(f"{word} " for word in criteria["conditions"]),
        there_exclusions=tuple(f" {words}" for words in criteria["there_not_followed_by"]),
        # "The ODG Low Back chapter recommends": a reporting verb within 7 words
        subject_tail=re.compile(rf"(?:[^\w.;!?]+[\w']+){{0,6}}?[^\w.;!?]+{verbs}"),
        # "Per the Official Disability Guidelines", "according to ACOEM"
        per_tail=re.compile(r"(?:\s+the)?(?:\s+[\w/-]+){0,5}?\s+(?:guidelines?|mtus|odg|acoem)\b"),
        general=re.compile(rf"\b(?:{_words_pattern(criteria['general_words'])})\b"),
    )


# ---------------------------------------------------------------------------------------------
# Reading one text.


class _Match:
    """A finding phrase read in the text, and what was decided about it."""

    __slots__ = (
        "start",
        "end",
        "phrase",
        "clause",
        "sentence",
        "reason",
        "pre_cue",
        "post_cue",
        "inherited",
        "hypothetical",
    )

    def __init__(self, start: int, end: int, phrase: _Phrase, clause: int, sentence: int) -> None:
        self.start = start
        self.end = end
        self.phrase = phrase
        self.clause = clause
        self.sentence = sentence
        self.reason = "finding"  # or why it gives no finding ("criteria: quotation", ...)
        self.pre_cue: str | None = None
        self.post_cue: str | None = None
        self.inherited = False  # negated through a list from the finding before it
        self.hypothetical: str | None = None

    @property
    def cued(self) -> bool:
        return bool(self.pre_cue or self.post_cue)

    def statements(self) -> Iterator[tuple[str, bool, str | None]]:
        """(key, negated, the cue that negated it) for each finding the phrase states."""
        entries = _vocabulary().entries
        for key in self.phrase.keys:
            negated, cue = self.phrase.negative, None
            if entries[key].negatable and self.cued:
                cue = self.pre_cue or self.post_cue
                if self.inherited:
                    cue = f"{cue} (through a list)"
                negated = not negated
            yield key, negated, cue


class _Reader:
    """Reading one text: its lower-cased copy, sentences and clauses, and what was decided
    about each sentence (computed only for the sentences holding a phrase)."""

    def __init__(self, text: str) -> None:
        self.vocab = _vocabulary()
        self.text = text
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters lengthen when lower-cased
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.lowered = lowered
        ends = [
            m.end()
            for m in _SENTENCE_END.finditer(lowered)
            if not lowered.endswith(_ABBREVIATIONS, max(0, m.start() - 4), m.start())
        ]
        if "\n" in lowered:
            ends = sorted({*ends, *(m.end() for m in _BLANK_LINE.finditer(lowered))})
        self.sentence_starts = [0, *ends]
        clause_ends = (
            [m.start() + 1 for m in _CLAUSE_END.finditer(lowered)]
            if ";" in lowered or ":" in lowered
            else []
        )
        self.clause_starts = sorted({0, *ends, *clause_ends}) if clause_ends else [0, *ends]
        self._criteria: dict[int, tuple[bool, str, int]] = {}
        self._quoted: list[tuple[int, int]] | None = None
        self._requests: dict[int, list[tuple[int, int]]] = {}
        self.signals: dict[str, list[tuple[int, int]]] = {}  # kind -> (start, end), in order

    def read(self, full: bool) -> list[_Match]:
        """Every finding phrase of the text, decided; `full` decides cues even for the
        phrases that give no finding (criteria), for explanations."""
        matches: list[_Match] = []
        signals = self.signals
        for start, end, value in self.vocab.phrases.finditer(self.lowered):
            if type(value) is _Signal:
                signals.setdefault(value.kind, []).append((start, end))
                continue
            assert type(value) is _Phrase
            if not value.keys:
                continue  # an ignore phrase: read so that its words give nothing
            matches.append(
                _Match(
                    start,
                    end,
                    value,
                    bisect.bisect_right(self.clause_starts, start) - 1,
                    bisect.bisect_right(self.sentence_starts, start) - 1,
                )
            )
        if not matches:
            return []
        # "... was not documented", "there is no ...", "was authorized" point at the patient
        # as surely as "the patient" does
        vocab = self.vocab
        entries = vocab.entries
        signals["strong"] = sorted(
            signals.get("strong", [])
            + [
                span
                for span in signals.get("after", [])
                if not vocab.records_words.isdisjoint(WORD.findall(self.lowered[span[0] : span[1]]))
            ]
            + [
                span
                for span in signals.get("there", [])
                if not self.lowered.startswith(vocab.there_exclusions, span[1])
                and not self.lowered[max(0, span[0] - 8) : span[0]].endswith(vocab.conditions)
            ]
            + [
                (m.start, m.end)
                for m in matches
                if any(entries[key].points_at_patient for key in m.phrase.keys)
            ]
        )
        by_sentence: dict[int, list[_Match]] = {}
        for match in matches:
            match.reason = self._reason(match)
            by_sentence.setdefault(match.sentence, []).append(match)
        for members in by_sentence.values():
            if full or any(m.reason == "finding" for m in members):
                self._negate_before(members)
                self._negate_after(members)
        entries = self.vocab.entries
        for match in matches:
            if match.reason != "finding":
                continue
            if match.hypothetical:
                match.reason = f"hypothetical: {match.hypothetical}"
            elif match.cued and not any(entries[key].negatable for key in match.phrase.keys):
                # "not already authorized": a finding that cannot be negated is not stated
                match.reason = f"negated ({match.pre_cue or match.post_cue}), which it cannot be"
        return matches

    def _first(self, kind: str, start: int, end: int) -> tuple[int, int] | None:
        """The first signal of a kind between start and end."""
        found = self.signals.get(kind)
        if not found:
            return None
        i = bisect.bisect_left(found, (start, 0))
        return found[i] if i < len(found) and found[i][0] < end else None

    def _reason(self, match: _Match) -> str:
        """Why a phrase gives no finding ("criteria: ..."), or "finding"."""
        quoted = self._quotations()
        if quoted and any(start <= match.start < end for start, end in quoted):
            return "criteria: quotation"
        names = self._request_names(match.sentence)
        if names and any(start <= match.start < end for start, end in names):
            return "names the request"
        criteria, why, patient_from = self._sentence_criteria(match.sentence)
        if criteria and match.start < patient_from:
            return f"criteria: {why}"
        return "finding"

    # -- negation ------------------------------------------------------------------------------

    def _negate_before(self, matches: list[_Match]) -> None:
        """Cues before each finding of a sentence; lists and relative clauses joining a
        finding to the one before it."""
        vocab = self.vocab
        previous: _Match | None = None
        for match in matches:
            joined = previous is not None and previous.clause == match.clause
            start = previous.end if previous and joined else self.clause_starts[match.clause]
            window = self.lowered[max(start, match.start - 200) : match.start]
            words = self._transparent(WORD.findall(window))
            if previous and joined and words and words[0] in vocab.relatives:
                # "deficits that cannot be addressed ...", "red flags which would warrant
                # ...": a clause about the finding before, which takes its polarity
                if len(words) <= vocab.list_gap:
                    match.pre_cue, match.inherited = previous.pre_cue, bool(previous.pre_cue)
                    match.hypothetical = previous.hypothetical
                previous = match
                continue
            cue, hypothetical = self._cue_before(words)
            if cue is None and match.phrase.gapped:
                cue = self._cue_inside(match)
            match.pre_cue, match.hypothetical = cue, hypothetical
            if (
                cue is None
                and previous
                and joined
                and previous.pre_cue
                and not match.phrase.negative  # "negative Spurling's and full motion"
                and self._is_list(words, window, previous, match)
            ):
                match.pre_cue, match.inherited = previous.pre_cue, True
            if (
                previous
                and joined
                and previous.hypothetical
                and not match.hypothetical
                and self._is_list(words, window, previous, match)
            ):
                match.hypothetical = previous.hypothetical  # "if X, Y or Z"
            previous = match

    def _cue_inside(self, match: _Match) -> str | None:
        """A cue among the words a '~N' let in ("CT has not demonstrated ...")."""
        own = match.phrase.words
        for word in WORD.findall(self.lowered[match.start : match.end]):
            if word in self.vocab.inside and word not in own:
                return word
        return None

    def _transparent(self, words: list[str]) -> list[str]:
        """The words without the runs a cue reads through ("including, but not limited to,")."""
        for run in self.vocab.transparent:
            if run[-1] in words:
                for i in range(len(words) - len(run), -1, -1):
                    if tuple(words[i : i + len(run)]) == run:
                        words = words[:i] + words[i + len(run) :]
        return words

    def _cue_before(self, words: list[str]) -> tuple[str | None, str | None]:
        """The cue among the last words before a finding (None when a breaker comes first),
        and a hypothetical word ("if") when one comes before it."""
        vocab = self.vocab
        lowest = max(0, len(words) - vocab.window)
        if vocab.cue_words.isdisjoint(words):
            return None, None  # most windows: no cue, breaker or hypothetical word at all
        hypothetical: str | None = None
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            if i < lowest:  # beyond the window only cues that open a clause reach
                if word in vocab.breakers:
                    return None, hypothetical
                for cue in vocab.clause_cues.get(word, ()):
                    if tuple(words[i - len(cue) + 1 : i + 1]) == cue:
                        return " ".join(cue), hypothetical
                continue
            word = words[i]
            if word in vocab.breakers:
                return None, hypothetical
            if word in vocab.hypothetical and hypothetical is None:
                hypothetical = word
            for cue in vocab.before.get(word, ()):
                if tuple(words[i - len(cue) + 1 : i + 1]) != cue:
                    continue
                first = i - len(cue) + 1
                if any(
                    tuple(words[first : first + len(p)]) == p
                    for p in vocab.pseudo.get(words[first], ())
                ):
                    continue
                return " ".join(cue), hypothetical
        return None, hypothetical

    def _is_list(self, words: list[str], gap: str, first: _Match, second: _Match) -> bool:
        """The words between two findings join them: a list ("X, Y and/or Z", "X to include
        Y"), an evidence link ("findings indicative of Y", "imaging consistent with Y") or a
        repetition of the same finding a few words on. After a list's last connector only
        articles and adjectives may stand ("no red flags or clear indications for surgery",
        not "no aberrant behaviour, and a signed opioid agreement")."""
        vocab = self.vocab
        if not words:
            return "," not in gap or self._continues_series(second)
        if (
            len(words) <= 8
            and vocab.treatments.intersection(first.phrase.keys)
            and vocab.outcomes.intersection(second.phrase.keys)
            and not vocab.outcome_words.isdisjoint(words)
            and vocab.auxiliaries.isdisjoint(words)
            and vocab.breakers.isdisjoint(words)
        ):
            return True  # "no one-month trial of the unit with documented improvement"
        if len(words) > vocab.list_gap or any(
            w in vocab.verbs or w in vocab.breakers for w in words
        ):
            return False
        last = max((i for i, w in enumerate(words) if w in vocab.connectors), default=None)
        if last is not None:  # "or detailing special circumstances": gerunds coordinate too
            return all(w in vocab.links or w.endswith("ing") for w in words[last + 1 :])
        if (gap.rstrip().endswith(",") or ("," in gap and len(words) <= 4)) and (
            self._continues_series(second)  # "..., risk assessment profile, attempt at"
        ):
            return True
        if len(words) <= 6 and set(first.phrase.keys) & set(second.phrase.keys):
            return True

        return len(words) <= 6 and all(
            w in vocab.links
            or (w == "consistent" and words[i + 1 : i + 2] == ["with"])
            or (w == "with" and i > 0 and words[i - 1] == "consistent")
            for i, w in enumerate(words)
        )

    def _continues_series(self, match: _Match) -> bool:
        """A finding after a bare comma belongs to a series when the series goes on after it
        ("no red flags, radiculopathy, or ..."), not when a new clause starts ("Given the lack
        of improvement, weaning is ...")."""
        vocab = self.vocab
        end = min(self._clause_end(match.clause), match.end + 80)
        for word in re.findall(r"[a-z0-9]+|,", self.lowered[match.end : end])[:9]:
            if word == "," or word in vocab.connectors:
                return True
            if word in vocab.verbs or word in vocab.breakers:
                return False
        return False

    def _negate_after(self, matches: list[_Match]) -> None:
        """ "X ... was not documented": a cue after findings negates the one it follows (at
        most 4 words before it, no verb between) and the others of the subject it is said of
        ("X and Y with the previous visits was not indicated")."""
        vocab = self.vocab
        by_clause: dict[int, list[_Match]] = {}
        for match in matches:
            by_clause.setdefault(match.clause, []).append(match)
        after = self.signals.get("after", [])
        for clause, members in by_clause.items():
            start, end = members[0].end, self._clause_end(clause)
            i = bisect.bisect_left(after, (start, 0))
            while i < len(after) and after[i][0] < end:
                cue_start, cue_end = after[i]
                i += 1
                before = [m for m in members if m.end <= cue_start]
                if not before:
                    continue
                nearest = before[-1]
                between = WORD.findall(self.lowered[nearest.end : cue_start])
                if len(between) > 4 or any(
                    w in vocab.verbs or w in vocab.breakers or w in vocab.connectors
                    for w in between  # "X and is not a surgical candidate": another subject
                ):
                    continue
                cue = " ".join(WORD.findall(self.lowered[cue_start:cue_end]))
                nearest.post_cue = nearest.post_cue or cue
                for earlier, later in zip(reversed(before[:-1]), reversed(before[1:]), strict=True):
                    gap = WORD.findall(self.lowered[earlier.end : later.start])
                    if len(gap) > 6 or any(w in vocab.verbs or w in vocab.breakers for w in gap):
                        break
                    earlier.post_cue = earlier.post_cue or cue

    def _clause_end(self, clause: int) -> int:
        if clause + 1 < len(self.clause_starts):
            return self.clause_starts[clause + 1]
        return len(self.lowered)

    # -- criteria ------------------------------------------------------------------------------

    def _sentence_criteria(self, index: int) -> tuple[bool, str, int]:
        """(states criteria, why, where the patient-specific part starts) for a sentence."""
        if index in self._criteria:
            return self._criteria[index]
        start = self.sentence_starts[index]
        end = self._sentence_end(index)
        vocab = self.vocab
        lowered = self.lowered
        preface = (
            _PREFACE.match(lowered, start, end)
            if lowered.startswith(_PREFACE_WORDS, start)
            else None
        )
        offset = preface.end() if preface else start
        strong = self._first("strong", offset, end)
        weak = self._first("weak", offset, strong[0] if strong else end)
        first = weak or strong  # the first pointer at the patient
        marker = first[0] if first else None
        # where the patient part of a guideline sentence may start: a strong pointer, or
        # "but" before a weak one ("... may be appropriate but the worker would be ...")
        split = strong[0] if strong else None
        attribution = self._attribution(start, end)
        result: tuple[bool, str, int]
        if attribution and (marker is None or attribution[0] < marker):
            patient_from = end
            if split is not None:
                cut = max(
                    lowered.rfind(",", attribution[1], split),
                    lowered.rfind(" but ", attribution[1], split),
                )
                if cut >= 0:
                    patient_from = cut
            elif weak is not None:
                cut = lowered.rfind(" but ", attribution[1], weak[0])
                if cut >= 0:
                    patient_from = cut
            result = (True, "guideline subject", patient_from)
        elif strong or (
            weak
            and not (
                index > 0
                and self._ends_in_criteria(index - 1)
                and not _PAST.search(lowered, start, end)
                and vocab.general.search(lowered, start, end)
            )
        ):
            result = (False, "", start)
        elif index > 0 and self._ends_in_criteria(index - 1):
            result = (True, "continues criteria", end)
        elif vocab.general.search(lowered, start, end):
            result = (True, "general statement", end)
        else:
            result = (False, "", start)
        self._criteria[index] = result
        return result

    def _attribution(self, start: int, end: int) -> tuple[int, int] | None:
        """The first guideline subject with its reporting verb ("The ODG recommends", "per
        the guidelines") between start and end: (where it starts, where the verb ends)."""
        vocab = self.vocab
        for kind, tail in (("subject", vocab.subject_tail), ("per", vocab.per_tail)):
            found = self.signals.get(kind)
            if not found:
                continue
            i = bisect.bisect_left(found, (start, 0))
            while i < len(found) and found[i][0] < end:
                followed = tail.match(self.lowered, found[i][1], end)
                if followed:
                    return found[i][0], followed.end()
                i += 1
        return None

    def _sentence_end(self, index: int) -> int:
        if index + 1 < len(self.sentence_starts):
            return self.sentence_starts[index + 1]
        return len(self.lowered)

    def _ends_in_criteria(self, index: int) -> bool:
        criteria, _, patient_from = self._sentence_criteria(index)
        return criteria and patient_from >= self._sentence_end(index)

    def _quotations(self) -> list[tuple[int, int]]:
        if self._quoted is None:
            self._quoted = []
            if '"' in self.text or "\u201c" in self.text:
                self._quoted = [
                    m.span()
                    for m in _QUOTE.finditer(self.lowered)
                    if len((m.group(1) or m.group(2) or "").split()) >= QUOTE_WORDS
                ]
        return self._quoted

    def _request_names(self, sentence: int) -> list[tuple[int, int]]:
        """Spans of a sentence naming the request in a conclusion ("the request for X is
        not medically necessary")."""
        if sentence in self._requests:
            return self._requests[sentence]
        start, end = self.sentence_starts[sentence], self._sentence_end(sentence)
        spans: list[tuple[int, int]] = []
        if self.lowered.find("request", start, end) >= 0:
            for conclusion in _CONCLUSION.finditer(self.lowered, start, end):
                heads = list(_REQUEST_HEAD.finditer(self.lowered, start, conclusion.start()))
                if heads and not _VERB.search(self.lowered, heads[-1].end(), conclusion.start()):
                    spans.append((heads[-1].end(), conclusion.start()))
        self._requests[sentence] = spans
        return spans

    # -- output --------------------------------------------------------------------------------


def _cue_text(text: str) -> str:
    """The words of a cue after a finding, for explanations ("was not documented")."""
    return re.sub(r"[^a-z ]+", "", text).strip()


def _dedupe(explanations: list[Explanation]) -> list[Explanation]:
    """One kept statement per key (DEDUPE_RULE when stated both ways); the others say why
    they were not kept."""
    chosen: dict[str, int] = {}
    for index, explanation in enumerate(explanations):
        if not explanation.kept:
            continue
        key = explanation.finding.key
        if key not in chosen:
            chosen[key] = index
            continue
        current = explanations[chosen[key]].finding.negated
        negated = explanation.finding.negated
        if negated != current and _resolve(current, negated) == negated:
            chosen[key] = index
    out: list[Explanation] = []
    for index, explanation in enumerate(explanations):
        key = explanation.finding.key
        if explanation.kept and chosen[key] != index:
            kept = explanations[chosen[key]]
            why = (
                "same finding stated elsewhere"
                if kept.finding == explanation.finding
                else f"stated both ways; kept {kept.finding.text!r} ({DEDUPE_RULE} rule)"
            )
            explanation = replace(explanation, kept=False, reason=why)
        out.append(explanation)
    return out


__all__ = [
    "DEDUPE_RULE",
    "Explanation",
    "Finding",
    "explain_findings",
    "finding_keys",
    "finding_label",
    "findings",
    "no_evidence_words",
]
