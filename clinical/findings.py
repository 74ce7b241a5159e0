"""The clinical findings a rationale or a clinical summary states: "no red flags",
"radiculopathy", "no functional improvement documented", "exceeds recommended visits".

Users comparing precedent decisions see *why* two decisions are alike through these findings,
so the rules are a readable vocabulary (data/findings.json: key, label, phrases, negatable)
and every decision can be explained (`explain_findings`).

How a text is read:

* Phrases. Every phrase of the vocabulary is compiled into one regular expression shaped as a
  trie (one pass over the text, a few character tests per position); the leftmost, then the
  longest phrase wins, and a phrase consumes its words ("imaging studies demonstrating
  radiculopathy" is imaging findings, not radiculopathy). "ignore" phrases (guideline titles,
  treatment names such as "trigger point injection") are read and dropped.
* Negation before a finding: a cue ("no", "lack of", "without", "absent", "denies", "fails
  to", "negative", ...) among the 8 words before it, within its clause (a sentence, a ";" or
  ":" part), with no "but/however/which/..." between, and no other finding between (a cue
  negates the first finding it reaches: "no documentation of functional improvement with the
  previous sessions" negates the improvement, not the sessions), except through a list ("no
  red flags, nerve compromise or failed conservative care"). Pseudo-negations ("not only",
  "not recommended", "not to exceed") are not cues; "if/whether/unless/contingent" make the
  statement hypothetical and it is dropped.
* Negation after a finding: "... was not documented", "... were negative", "... is absent"
  negates the findings it is said of (those before it in the clause, with no verb between).
* "Negative" phrases state the absence themselves ("full range of motion", "intact
  sensation"); a cue before them turns them back ("not at full range of motion").
* Criteria are not findings: text in a quotation of 8 words or more, and sentences whose
  subject is a guideline ("The ODG recommends ...", "Per guidelines, ...") before anything
  points at the patient, and the general sentences that follow them ("should", "patients",
  no pointer at the patient), state what guidelines require, not what this patient has; they
  give no finding. The request's own name in the conclusion ("the request for Deprizine
  (unknown quantity) is not medically necessary") is not a finding either.
* One finding per key, in text order. A finding stated both ways in the text about the
  patient keeps the affirmative statement (DEDUPE_RULE): a negation is the likelier misreading
  (a cue reaching too far), and rationales that affirm and deny the same factor mostly affirm
  it clinically and deny a corroboration of it ("radiculopathy on examination; no imaging
  supporting radiculopathy").
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
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

# Sentence ends: ". " (not after e.g., i.e., Dr., vs.), "!", "?", a blank line.
_SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bdr)(?<!\bvs)(?<!\bno)(?<!\bst)[.!?]+[\"'\u201d)\]]*(?=\s|$)"
    r"|\n\s*\n"
)
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
# "Regarding the request for X, ..." names the request before the sentence starts.
_PREFACE = re.compile(r"\s*(?:regarding|with\s+regard\s+to|as\s+for|in\s+regards?\s+to)\b[^,]*,")

# A verb in the past tense: a sentence about what happened to this patient ("the patient was
# seen", "has completed"), not about what guidelines require.
_PAST = re.compile(
    r"\b(?:was|were|had|did)\b|\b(?:has|have)\s+(?:been\s+)?"
    r"(?!shown|found|demonstrated|proven|reported|suggested|associated)(?:\w+ly\s+)?"
    r"(?:\w+ed|on|using|taking|undergone|received|seen|had|made)\b"
)
# The words a guideline-subject sentence must contain (a quick test before the pattern).
_GUIDELINE_WORDS = (
    "mtus",
    "odg",
    "acoem",
    "guideline",
    "criteria",
    "medicare",
    "literature",
    "studies",
    "chapter",
    "aetna",
    "cigna",
    "colorado",
    "cms",
    "ama",
)


def _names_guideline(sentence: str) -> bool:
    return any(word in sentence for word in _GUIDELINE_WORDS)


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
    """The findings the text states about the patient, one per key, in text order."""
    return tuple(e.finding for e in explain_findings(text) if e.kept)


def explain_findings(text: str) -> list[Explanation]:
    """Every phrase read in the text, the cue that decided its polarity and whether it was kept
    (with the reason when not), in text order."""
    if not text:
        return []
    return _Reader(text).read()


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


@dataclass(frozen=True)
class _Phrase:
    keys: tuple[str, ...]  # () for an ignore phrase; two keys for a compound phrase
    written: str
    negative: bool  # states the absence by itself ("full range of motion")
    gapped: bool = False  # has a '~N': other words, a cue among them, may stand inside


@dataclass(frozen=True)
class _Vocabulary:
    entries: dict[str, _Entry]
    pattern: re.Pattern[str]  # every phrase; the group named p<n> says which matched
    phrases: dict[str, _Phrase]  # group name -> phrase
    before: dict[str, tuple[tuple[str, ...], ...]]  # last word of a cue -> cues (word tuples)
    pseudo: dict[str, tuple[tuple[str, ...], ...]]  # first word -> pseudo-negations
    after: re.Pattern[str]
    breakers: frozenset[str]
    inside: frozenset[str]  # single-word cues, looked for inside gapped phrases
    hypothetical: frozenset[str]
    connectors: frozenset[str]
    links: frozenset[str]  # words a list or an evidence link may hold ("indicative of")
    relatives: frozenset[str]
    transparent: tuple[tuple[str, ...], ...]  # word runs a cue reads through
    verbs: frozenset[str]
    window: int
    list_gap: int
    strong_markers: re.Pattern[str]  # a pointer at the patient
    weak_markers: re.Pattern[str]  # one that guideline text uses too ("the patient")
    attribution: re.Pattern[str]  # a guideline as the subject of a sentence
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
    share their prefixes; each phrase ends in an empty named group saying which it was."""

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

    def regex(self) -> str:
        parts = [
            _atom_regex(atom) + child.regex()
            for atom, child in sorted(self.children.items(), key=lambda kv: _ATOM_ORDER[kv[0][0]])
        ]
        if self.leaf is not None:
            parts.append(f"(?P<{self.leaf}>)")  # last: the longer phrases are tried first
        if len(parts) == 1:
            return parts[0]
        return "(?:" + "|".join(parts) + ")"


def compile_phrases(
    phrases: Iterable[tuple[str, object]],
) -> tuple[re.Pattern[str], dict[str, object]]:
    """One pattern for (phrase, value) pairs; returns it and group name -> value. The same
    wording given two different values is an error (the table would be ambiguous)."""
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
    return re.compile(r"(?<![a-z0-9])" + trie.regex()), values


def _meaning(value: object) -> object:
    """What a phrase means (two phrases may share a wording when they mean the same)."""
    return (value.keys, value.negative) if isinstance(value, _Phrase) else value


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
            key, item["label"], item.get("negated_label", f"no {item['label']}"), item["negatable"]
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
    pattern, values = compile_phrases(pairs)
    cues = raw["cues"]
    before: dict[str, tuple[tuple[str, ...], ...]] = {}
    for cue in cues["before"]:
        words = tuple(cue.split())
        before[words[-1]] = (*before.get(words[-1], ()), words)
    pseudo: dict[str, tuple[tuple[str, ...], ...]] = {}
    for cue in cues["pseudo"]:
        words = tuple(cue.split())
        pseudo[words[0]] = (*pseudo.get(words[0], ()), words)
    after, _ = compile_phrases((p, None) for p in cues["after"])
    criteria = raw["criteria"]
    strong, _ = compile_phrases((p, None) for p in criteria["strong_markers"])
    weak, _ = compile_phrases((p, None) for p in criteria["weak_markers"])
    subjects = _words_pattern(criteria["guideline_subjects"])
    verbs = _words_pattern(criteria["reporting_verbs"])
    attribution = re.compile(
        rf"\b(?:{subjects})\b(?:[^\w.;!?]+[\w']+){{0,6}}?[^\w.;!?]+(?:{verbs})\b"
        r"|\b(?:per|according\s+to|in\s+accordance\s+with)\s+(?:the\s+)?(?:[\w/-]+\s+){0,5}?"
        r"(?:guidelines?|mtus|odg|acoem)\b"
    )
    general = re.compile(rf"\b(?:{_words_pattern(criteria['general_words'])})\b")
    return _Vocabulary(
        entries=entries,
        pattern=pattern,
        phrases={name: value for name, value in values.items() if isinstance(value, _Phrase)},
        before=before,
        pseudo=pseudo,
        after=after,
        breakers=frozenset(cues["breakers"]),
        inside=frozenset(c for c in cues["before"] if " " not in c) - {"non"},
        hypothetical=frozenset(cues["hypothetical"]),
        connectors=frozenset(cues["list_connectors"]),
        links=frozenset(cues["links"]),
        relatives=frozenset(cues["relatives"]),
        transparent=tuple(tuple(run.split()) for run in cues["transparent"]),
        verbs=frozenset(cues["verbs"]),
        window=int(cues["before_window"]),
        list_gap=int(cues["list_gap"]),
        strong_markers=strong,
        weak_markers=weak,
        attribution=attribution,
        general=general,
    )


# ---------------------------------------------------------------------------------------------
# Reading one text.


@dataclass
class _Match:
    start: int
    end: int
    phrase: _Phrase
    clause: int
    sentence: int
    pre_cue: str | None = None
    post_cue: str | None = None
    inherited: bool = False  # negated through a list from the finding before it
    hypothetical: str | None = None

    @property
    def cued(self) -> bool:
        return bool(self.pre_cue or self.post_cue)


class _Reader:
    """The state of reading one text: its lower-cased copy, sentences, clauses, quotations."""

    def __init__(self, text: str) -> None:
        self.vocab = _vocabulary()
        self.text = text
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters lengthen when lower-cased
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.lowered = lowered
        ends = [m.end() for m in _SENTENCE_END.finditer(lowered)]
        self.sentence_starts = [0, *ends]
        clause_ends = sorted({*ends, *(m.start() + 1 for m in _CLAUSE_END.finditer(lowered))})
        self.clause_starts = [0, *clause_ends]
        self._criteria: dict[int, tuple[bool, str, int]] = {}

    def read(self) -> list[Explanation]:
        vocab = self.vocab
        matches: list[_Match] = []
        for m in vocab.pattern.finditer(self.lowered):
            phrase = vocab.phrases[m.lastgroup or ""]
            if not phrase.keys:
                continue  # an ignore phrase: read so that its words give nothing
            matches.append(
                _Match(
                    m.start(),
                    m.end(),
                    phrase,
                    bisect.bisect_right(self.clause_starts, m.start()) - 1,
                    bisect.bisect_right(self.sentence_starts, m.start()) - 1,
                )
            )
        if not matches:
            return []
        self._negate_before(matches)
        self._negate_after(matches)
        quoted = self._quotations()
        requests = self._request_names()
        out: list[Explanation] = []
        for match in matches:
            reason = "finding"
            if any(start <= match.start < end for start, end in quoted):
                reason = "criteria: quotation"
            elif any(start <= match.start < end for start, end in requests):
                reason = "names the request"
            else:
                criteria, why, patient_from = self._sentence_criteria(match.sentence)
                if criteria and match.start < patient_from:
                    reason = f"criteria: {why}"
                elif match.hypothetical:
                    reason = f"hypothetical: {match.hypothetical}"
            out += self._explain(match, reason)
        return self._dedupe(out)

    # -- negation ------------------------------------------------------------------------------

    def _negate_before(self, matches: list[_Match]) -> None:
        """Cues before each finding, lists and relative clauses joining it to the one before."""
        vocab = self.vocab
        previous: _Match | None = None
        for match in matches:
            after_previous = previous is not None and previous.clause == match.clause
            start = (
                previous.end if previous and after_previous else self.clause_starts[match.clause]
            )
            words = self._transparent(
                WORD.findall(self.lowered[max(start, match.start - 160) : match.start])
            )
            if previous and after_previous and words and words[0] in vocab.relatives:
                # "deficits that cannot be addressed ...", "red flags which would warrant ...":
                # a clause about the finding before, which takes its polarity
                if len(words) <= vocab.list_gap:
                    match.pre_cue, match.inherited = previous.pre_cue, bool(previous.pre_cue)
                    match.hypothetical = previous.hypothetical
                previous = match
                continue
            cue, hypothetical = self._cue_before(words)
            if cue is None and match.phrase.gapped:
                cue = self._cue_inside(match)
            match.pre_cue, match.hypothetical = cue, hypothetical
            gap = self.lowered[previous.end : match.start] if previous else ""
            if (
                cue is None
                and previous
                and after_previous
                and previous.pre_cue
                and self._is_list(words, gap, previous, match)
            ):
                match.pre_cue, match.inherited = previous.pre_cue, True
            previous = match

    def _cue_inside(self, match: _Match) -> str | None:
        """A cue among the words a '~N' let in ("CT has not demonstrated ...")."""
        for word in WORD.findall(self.lowered[match.start : match.end]):
            if word in self.vocab.inside:
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
        hypothetical: str | None = None
        lowest = max(0, len(words) - vocab.window)
        for i in range(len(words) - 1, lowest - 1, -1):
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
        repetition of the same finding a few words on."""
        vocab = self.vocab
        if not words:
            return True
        if len(words) > vocab.list_gap or any(
            w in vocab.verbs or w in vocab.breakers for w in words
        ):
            return False
        if any(w in vocab.connectors for w in words) or "," in gap:
            return True
        if len(words) <= 6 and set(first.phrase.keys) & set(second.phrase.keys):
            return True
        return len(words) <= 6 and all(
            w in vocab.links or (w == "with" and i > 0 and words[i - 1] == "consistent")
            for i, w in enumerate(words)
        )

    def _negate_after(self, matches: list[_Match]) -> None:
        """ "X ... was not documented": a cue after findings negates the one it follows (at
        most 4 words before it, no verb between) and those listed with it."""
        vocab = self.vocab
        by_clause: dict[int, list[_Match]] = {}
        for match in matches:
            by_clause.setdefault(match.clause, []).append(match)
        for clause, members in by_clause.items():
            end = (
                self.clause_starts[clause + 1]
                if clause + 1 < len(self.clause_starts)
                else len(self.lowered)
            )
            for cue in vocab.after.finditer(self.lowered, members[0].end, end):
                before = [m for m in members if m.end <= cue.start()]
                if not before:
                    continue
                nearest = before[-1]
                between = WORD.findall(self.lowered[nearest.end : cue.start()])
                if len(between) > 4 or any(
                    w in vocab.verbs or w in vocab.breakers for w in between
                ):
                    continue
                text = " ".join(cue.group(0).split())
                nearest.post_cue = nearest.post_cue or text
                for earlier, later in zip(reversed(before[:-1]), reversed(before[1:]), strict=True):
                    # the subject the cue is said of: "X and Y with the previous visits was
                    # not indicated"
                    gap = WORD.findall(self.lowered[earlier.end : later.start])
                    if len(gap) > 6 or any(w in vocab.verbs or w in vocab.breakers for w in gap):
                        break
                    earlier.post_cue = earlier.post_cue or text

    # -- criteria ------------------------------------------------------------------------------

    def _sentence_criteria(self, index: int) -> tuple[bool, str, int]:
        """(states criteria, why, where the patient-specific part starts) for a sentence."""
        if index in self._criteria:
            return self._criteria[index]
        start = self.sentence_starts[index]
        end = self._sentence_end(index)
        vocab = self.vocab
        sentence = self.lowered[start:end]
        preface = _PREFACE.match(sentence)
        offset = preface.end() if preface else 0
        strong = vocab.strong_markers.search(sentence, offset)
        weak = vocab.weak_markers.search(sentence, offset)
        marker = min((m for m in (strong, weak) if m), default=None, key=lambda m: m.start())
        attribution = vocab.attribution.search(sentence) if _names_guideline(sentence) else None
        result: tuple[bool, str, int]
        if attribution and (marker is None or attribution.start() < marker.start()):
            patient_from = end
            if marker:
                cut = max(
                    sentence.rfind(",", attribution.end(), marker.start()),
                    sentence.rfind(" but ", attribution.end(), marker.start()),
                )
                if cut >= 0:
                    patient_from = start + cut
            result = (True, "guideline subject", patient_from)
        elif (
            strong
            or weak
            and not (index > 0 and self._ends_in_criteria(index - 1) and not _PAST.search(sentence))
        ):
            result = (False, "", start)
        elif index > 0 and self._ends_in_criteria(index - 1):
            result = (True, "continues criteria", end)
        elif vocab.general.search(sentence):
            result = (True, "general statement", end)
        else:
            result = (False, "", start)
        self._criteria[index] = result
        return result

    def _sentence_end(self, index: int) -> int:
        if index + 1 < len(self.sentence_starts):
            return self.sentence_starts[index + 1]
        return len(self.lowered)

    def _ends_in_criteria(self, index: int) -> bool:
        criteria, _, patient_from = self._sentence_criteria(index)
        return criteria and patient_from >= self._sentence_end(index)

    def _quotations(self) -> list[tuple[int, int]]:
        if '"' not in self.text and "\u201c" not in self.text:
            return []
        return [
            m.span()
            for m in _QUOTE.finditer(self.lowered)
            if len((m.group(1) or m.group(2) or "").split()) >= QUOTE_WORDS
        ]

    def _request_names(self) -> list[tuple[int, int]]:
        """Spans naming the request in a conclusion ("the request for X is not medically
        necessary")."""
        spans: list[tuple[int, int]] = []
        for conclusion in _CONCLUSION.finditer(self.lowered):
            sentence = bisect.bisect_right(self.sentence_starts, conclusion.start()) - 1
            start = self.sentence_starts[sentence]
            heads = list(_REQUEST_HEAD.finditer(self.lowered, start, conclusion.start()))
            if heads:
                spans.append((heads[-1].end(), conclusion.start()))
        return spans

    # -- output --------------------------------------------------------------------------------

    def _explain(self, match: _Match, reason: str) -> list[Explanation]:
        out: list[Explanation] = []
        for key in match.phrase.keys:
            entry = self.vocab.entries[key]
            cue: str | None = None
            negated = match.phrase.negative
            if entry.negatable and match.cued:
                cue = match.pre_cue or match.post_cue
                if match.inherited:
                    cue = f"{cue} (through a list)"
                negated = not negated
            out.append(
                Explanation(
                    Finding(key, entry.label, negated),
                    match.phrase.written,
                    self.text[match.start : match.end],
                    match.start,
                    match.end,
                    cue,
                    reason == "finding",
                    reason,
                )
            )
        return out

    def _dedupe(self, explanations: list[Explanation]) -> list[Explanation]:
        """One kept statement per key (DEDUPE_RULE when stated both ways), in text order."""
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
            if (
                (DEDUPE_RULE == "affirmed" and current and not negated)
                or (DEDUPE_RULE == "negated" and negated and not current)
                or (DEDUPE_RULE == "last" and negated != current)
            ):
                chosen[key] = index
        keep = set(chosen.values())
        out: list[Explanation] = []
        for index, explanation in enumerate(explanations):
            if explanation.kept and index not in keep:
                first = explanations[chosen[explanation.finding.key]]
                why = (
                    "same finding stated earlier"
                    if first.finding == explanation.finding
                    else (f"stated both ways; kept {first.finding.text!r} ({DEDUPE_RULE} rule)")
                )
                explanation = Explanation(
                    explanation.finding,
                    explanation.phrase,
                    explanation.matched,
                    explanation.start,
                    explanation.end,
                    explanation.cue,
                    False,
                    why,
                )
            out.append(explanation)
        # text order of the kept statements: the first statement of each key
        return out


__all__ = [
    "DEDUPE_RULE",
    "Explanation",
    "Finding",
    "explain_findings",
    "finding_keys",
    "finding_label",
    "findings",
]
