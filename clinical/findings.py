"""The clinical findings a rationale or a clinical summary states: "no red flags",
"radiculopathy", "no functional improvement documented", "exceeds recommended visits".

Users comparing precedent decisions see *why* two decisions are alike through these findings,
so the rules are a readable vocabulary (data/findings.json, compiled by clinical.words; its
"about" texts say what each table does) and every decision is explained (`explain_findings`).

* One pass reads the phrases of the findings and the signals that tell criteria from findings.
* A cue before a finding ("no", "lack of", "without", "denies", ...) among the 12 words before
  it in its clause, with no "but/however/which" between, negates the first finding it reaches
  and those joined to it by a list or an evidence link ("no red flags, nerve compromise or
  failed conservative care", "no findings indicative of radiculopathy"); one after ("... was
  not documented") negates it and the rest of its subject. "if/whether" drop a statement.
* Criteria are not findings: quotations of 8 words or more, sentences whose subject is a
  guideline ("The ODG recommends ...") before anything points at the patient, and sentences
  with no such pointer that follow them or speak in general terms ("should", "patients").
  Reading criteria as findings would cost 38 points of precision on the real letters
  (evaluation/findings.py). Nor is the request's own name in its conclusion a finding.
* One finding per key, in the order keys are first stated. Stated both ways about the patient,
  the affirmative statement is kept (DEDUPE_RULE): a negation is the likelier misreading (a cue
  reaching too far), and a rationale denying a factor it affirms mostly denies a corroboration
  ("radiculopathy on examination ... no imaging supporting it"); on the labels, keeping the last
  or the negated statement agrees less.

Speed: about 150 us for a 1,000-character rationale on one core, 40% in the one regular
expression pass (CPython's backtracking engine visits every word), the rest per sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from clinical.words import WORD, Phrase, Signal, no_evidence_words, vocabulary

DEDUPE_RULE = "affirmed"  # a finding stated both ways keeps its affirmative statement

_AUXILIARIES = frozenset(("is", "are", "was", "were", "be", "been", "has", "have", "had"))


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
        entry = vocabulary().entries.get(self.key)
        return entry.negated_label if entry else f"no {self.label}"


@dataclass(frozen=True)
class Explanation:
    """Why a phrase of the text gave (or did not give) a finding."""

    finding: Finding
    phrase: str  # the vocabulary phrase, as written in findings.json
    matched: str  # the words of the text it matched
    start: int
    end: int
    cue: str | None  # the cue that negated it ("no", "was not documented") or None
    kept: bool  # False: criteria, the request's name, hypothetical, stated elsewhere
    reason: str  # "finding", "criteria: quotation", "criteria: guideline subject", ...


def findings(text: str) -> tuple[Finding, ...]:
    """The findings the text states about the patient, one per key (DEDUPE_RULE when stated
    both ways), in the order their keys are first stated."""
    return _findings(text) if text else ()


@lru_cache(maxsize=4096)  # letters repeat a rationale across items ("Deprizine", "Fanatrex")
def _findings(text: str) -> tuple[Finding, ...]:
    chosen: dict[str, bool] = {}  # key -> negated, in the order keys are first stated
    for match in _Reader(text).read(full=False):
        if match.reason == "finding":
            for key, negated, _ in match.statements():
                chosen[key] = chosen.get(key, negated) and negated
    return tuple(_finding(key, negated) for key, negated in chosen.items())


def explain_findings(text: str) -> list[Explanation]:
    """Every phrase read in the text, in text order: the finding it states, the cue that
    decided its polarity, whether it was kept and, when not, why (a criteria statement, the
    request's own name, hypothetical, stated elsewhere)."""
    out: list[Explanation] = []
    for m in _Reader(text).read(full=True) if text else ():
        where, kept = (
            (m.phrase.written, text[m.start : m.end], m.start, m.end),
            m.reason == "finding",
        )
        for key, negated, cue in m.statements():
            out.append(Explanation(_finding(key, negated), *where, cue, kept, m.reason))
    chosen: dict[str, int] = {}  # key -> the statement kept
    for index, e in enumerate(out):
        key = e.finding.key
        if e.kept and (key not in chosen or (out[chosen[key]].finding.negated > e.finding.negated)):
            chosen[key] = index
    for index, e in enumerate(out):
        if e.kept and chosen[e.finding.key] != index:
            other = out[chosen[e.finding.key]].finding
            why = "same finding stated elsewhere" if other == e.finding else "stated both ways"
            out[index] = replace(e, kept=False, reason=f"{why}; kept {other.text!r}")
    return out


def finding_keys() -> tuple[str, ...]:
    """The keys of the vocabulary, in data file order."""
    return tuple(vocabulary().entries)


def finding_label(key: str, negated: bool = False) -> str:
    """The label users read for a key ("no red flags" when negated)."""
    return _finding(key, negated).text


@cache
def _finding(key: str, negated: bool) -> Finding:
    return Finding(key, vocabulary().entries[key].label, negated)


# -- reading one text --------------------------------------------------------------------------


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

    def __init__(self, start: int, end: int, phrase: Phrase, clause: int, sentence: int) -> None:
        self.start, self.end, self.phrase, self.clause, self.sentence = (
            start,
            end,
            phrase,
            clause,
            sentence,
        )
        self.reason = "finding"  # or why it gives none ("criteria: quotation", ...)
        self.pre_cue: str | None = None
        self.post_cue: str | None = None
        self.inherited = False  # negated through a list from the finding before it
        self.hypothetical: str | None = None

    @property
    def cue(self) -> str | None:
        return self.pre_cue or self.post_cue

    @property
    def negatable(self) -> bool:
        return any(vocabulary().entries[key].negatable for key in self.phrase.keys)

    @property
    def points_at_patient(self) -> bool:
        return any(vocabulary().entries[key].points_at_patient for key in self.phrase.keys)

    def statements(self) -> Iterator[tuple[str, bool, str | None]]:
        """(key, negated, the cue that negated it) for each finding the phrase states."""
        for key in self.phrase.keys:
            if self.cue and vocabulary().entries[key].negatable:
                yield key, not self.phrase.negative, self.cue + " (through a list)" * self.inherited
            else:
                yield key, self.phrase.negative, None


class _Reader:
    """One text: its lower-cased copy, sentences and clauses, the signals read in it, and what
    was decided about each sentence (only for the sentences holding a phrase)."""

    def __init__(self, text: str) -> None:
        self.vocab = vocab = vocabulary()
        self.text, lowered = text, text.lower()
        if len(lowered) != len(text):  # a few characters lengthen when lower-cased
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.lowered = lowered
        ends = [m.end() for m in vocab.text["sentence_end"].finditer(lowered)]
        ends = [e for e in ends if not lowered.endswith(vocab.abbreviations, max(0, e - 5), e - 1)]
        if "\n" in lowered:
            ends = sorted({*ends, *(m.end() for m in vocab.text["blank_line"].finditer(lowered))})
        self.sentences = [0, *ends]
        semicolons = ";" in lowered or ":" in lowered
        clauses = [m.end() - 1 for m in vocab.text["clause_end"].finditer(lowered)] * semicolons
        self.clauses = sorted({0, *ends, *clauses}) if clauses else self.sentences
        self.criteria: dict[int, tuple[bool, str, int]] = {}
        self.quoted: list[tuple[int, int]] = []
        if '"' in text or "\u201c" in text:
            self.quoted = [
                m.span()
                for m in vocab.text["quote"].finditer(lowered)
                if len((m.group(1) or m.group(2) or "").split()) >= vocab.quote_words
            ]
        self.requests: dict[int, list[tuple[int, int]]] = {}
        self.signals: dict[str, list[tuple[int, int]]] = {}  # kind -> spans, in text order
        self.matches: list[_Match] = []
        for start, end, value in vocab.phrases.finditer(lowered):
            if type(value) is Signal:
                self.signals.setdefault(value.kind, []).append((start, end))
            elif type(value) is Phrase and value.keys:  # an ignore phrase gives nothing
                where = self._at(self.clauses, start), self._at(self.sentences, start)
                self.matches.append(_Match(start, end, value, *where))
        # these point at the patient as surely as "the injured worker": a cue after a finding
        # that speaks of the records ("was not documented"), "there is no ..." (not "if there
        # is", "there is limited evidence"), and findings such as "was authorized"
        strong = self.signals.setdefault("strong", [])
        for at, to in self.signals.get("after", []):
            if not vocab.words["records_words"].isdisjoint(WORD.findall(lowered[at:to])):
                strong.append((at, to))
        for at, to in self.signals.get("there", []):
            if not lowered.startswith(vocab.there_exclusions, to) and not lowered[
                max(0, at - 8) : at
            ].endswith(vocab.conditions):
                strong.append((at, to))
        strong += [(m.start, m.end) for m in self.matches if m.points_at_patient]
        strong.sort()

    def read(self, full: bool) -> list[_Match]:
        """Every finding phrase, decided; `full` decides cues even where no finding is given
        (criteria), for explanations."""
        by_sentence: dict[int, list[_Match]] = {}
        for match in self.matches:
            match.reason = self._reason(match)
            by_sentence.setdefault(match.sentence, []).append(match)
        for members in by_sentence.values():
            if full or any(m.reason == "finding" for m in members):
                self._negate_before(members)
                self._negate_after(members)
        for m in self.matches:
            if m.reason == "finding" and m.hypothetical:
                m.reason = f"hypothetical: {m.hypothetical}"
            elif m.reason == "finding" and m.cue and not m.negatable:
                m.reason = f"negated ({m.cue}), which it cannot be"
        return self.matches

    def _at(self, starts: list[int], position: int) -> int:
        return bisect.bisect_right(starts, position) - 1

    def _end(self, starts: list[int], index: int) -> int:
        return starts[index + 1] if index + 1 < len(starts) else len(self.lowered)

    def _first(self, kind: str, start: int, end: int) -> tuple[int, int] | None:
        """The first signal of a kind between start and end."""
        found = self.signals.get(kind, [])
        i = bisect.bisect_left(found, (start, 0))
        return found[i] if i < len(found) and found[i][0] < end else None

    def _reason(self, match: _Match) -> str:
        """Why a phrase gives no finding ("criteria: ..."), or "finding"."""
        if any(start <= match.start < end for start, end in self.quoted):
            return "criteria: quotation"
        if any(start <= match.start < end for start, end in self._request_names(match.sentence)):
            return "names the request"
        criteria, why, patient_from = self._sentence_criteria(match.sentence)
        return f"criteria: {why}" if criteria and match.start < patient_from else "finding"

    # -- negation

    def _negate_before(self, matches: list[_Match]) -> None:
        """Cues before each finding of a sentence; lists, evidence links and relative clauses
        joining a finding to the one before it."""
        words_of = self.vocab.words
        previous: _Match | None = None
        for match in matches:
            joined = previous if previous and previous.clause == match.clause else None
            start = joined.end if joined else self.clauses[match.clause]
            window = self.lowered[max(start, match.start - 200) : match.start]
            words = self._transparent(WORD.findall(window))
            if joined and words and words[0] in words_of["relatives"]:
                # "deficits that cannot be addressed ...", "red flags which would warrant ...":
                # a clause about the finding before, which takes its polarity
                if len(words) <= self.vocab.list_gap:
                    match.pre_cue, match.inherited = joined.pre_cue, bool(joined.pre_cue)
                    match.hypothetical = joined.hypothetical
            else:
                match.pre_cue, match.hypothetical = self._cue_before(words)
                if match.pre_cue is None and match.phrase.gapped:
                    own = match.phrase.words  # "CT has not demonstrated ..."
                    inside = WORD.findall(self.lowered[match.start : match.end])
                    match.pre_cue = next(
                        (w for w in inside if w in words_of["inside"] and w not in own), None
                    )
                if joined is not None and self._is_list(words, window, joined, match):
                    if joined.pre_cue and not match.pre_cue and not match.phrase.negative:
                        match.pre_cue, match.inherited = joined.pre_cue, True  # not "negative
                        # Spurling's and full motion": a negative phrase states its polarity
                    match.hypothetical = match.hypothetical or joined.hypothetical  # "if X or Y"
            previous = match

    def _transparent(self, words: list[str]) -> list[str]:
        """The words without the runs a cue reads through ("including, but not limited to,")."""
        for run in self.vocab.transparent:
            for i in range(len(words) - len(run), -1, -1) if run[-1] in words else ():
                if tuple(words[i : i + len(run)]) == run:
                    words = words[:i] + words[i + len(run) :]
        return words

    def _cue_before(self, words: list[str]) -> tuple[str | None, str | None]:
        """The cue among the last words before a finding (None when a breaker comes first;
        beyond the window only cues opening a clause reach), and a hypothetical word."""
        vocab, w = self.vocab, self.vocab.words
        if w["cue_words"].isdisjoint(words):
            return None, None  # most windows: no cue, breaker or hypothetical word at all
        lowest, hypothetical = max(0, len(words) - vocab.window), None
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            if word in w["breakers"]:
                return None, hypothetical
            if i < lowest:
                for cue in vocab.cues["clause_cues"].get(word, ()):
                    if tuple(words[i - len(cue) + 1 : i + 1]) == cue:
                        return " ".join(cue), hypothetical
                continue
            if word in w["hypothetical"] and hypothetical is None:
                hypothetical = word
            for cue in vocab.cues["before"].get(word, ()):
                first = i - len(cue) + 1
                if tuple(words[first : i + 1]) == cue and not any(
                    tuple(words[first : first + len(p)]) == p
                    for p in vocab.cues["pseudo"].get(words[first], ())
                ):
                    return " ".join(cue), hypothetical
        return None, hypothetical

    def _is_list(self, words: list[str], gap: str, first: _Match, second: _Match) -> bool:
        """The words between two findings join them: a list ("X, Y and/or Z", "X to include
        Y": after the last connector only articles and adjectives), an evidence link
        ("findings indicative of Y"), the outcome said of a treatment ("no trial of the unit
        with functional improvement"), or a repetition of the same finding a few words on."""
        w, outcomes = self.vocab.words, self.vocab.outcomes
        if not words:
            return "," not in gap or self._continues_series(second)
        pair = (
            outcomes["after"] & set(first.phrase.keys),
            outcomes["outcomes"] & set(second.phrase.keys),
        )
        if all(pair) and len(words) <= 8 and not outcomes["words"].isdisjoint(words):
            return _AUXILIARIES.isdisjoint(words) and w["breakers"].isdisjoint(words)
        if len(words) > self.vocab.list_gap or not w["stops"].isdisjoint(words):
            return False
        last = max((i for i, x in enumerate(words) if x in w["list_connectors"]), default=None)
        if last is not None:  # "or detailing special circumstances": gerunds coordinate too
            return all(x in w["links"] or x.endswith("ing") for x in words[last + 1 :])
        series = gap.rstrip().endswith(",") or ("," in gap and len(words) <= 4)
        if series and self._continues_series(second):  # "no drug test, risk profile, ..."
            return True
        if len(words) <= 6 and set(first.phrase.keys) & set(second.phrase.keys):
            return True
        return len(words) <= 6 and all(
            x in w["links"]
            or (x == "consistent" and words[i + 1 : i + 2] == ["with"])
            or (x == "with" and words[i - 1 : i] == ["consistent"])
            for i, x in enumerate(words)
        )

    def _continues_series(self, match: _Match) -> bool:
        """A finding after a bare comma belongs to a series when the series goes on after it
        ("no red flags, radiculopathy, or ..."), not when a clause starts ("Given the lack of
        improvement, weaning is ...")."""
        w = self.vocab.words
        end = min(self._end(self.clauses, match.clause), match.end + 80)
        for word in re.findall(r"[a-z0-9]+|,", self.lowered[match.end : end])[:9]:
            if word == "," or word in w["list_connectors"]:
                return True
            if word in w["stops"]:
                return False
        return False

    def _negate_after(self, matches: list[_Match]) -> None:
        """ "X ... was not documented": a cue after a finding negates it (at most 4 words
        between, no verb or connector) and the rest of its subject ("X and Y with the
        previous visits was not indicated")."""
        w = self.vocab.words
        stops = w["stops"]
        after = self.signals.get("after", [])
        by_clause: dict[int, list[_Match]] = {}
        for match in matches:
            by_clause.setdefault(match.clause, []).append(match)
        for clause, members in by_clause.items():
            end = self._end(self.clauses, clause)
            i = bisect.bisect_left(after, (members[0].end, 0))
            for cue_start, cue_end in after[i:]:
                if cue_start >= end:
                    break
                before = [m for m in members if m.end <= cue_start]
                between = WORD.findall(self.lowered[before[-1].end : cue_start]) if before else []
                if (
                    not before
                    or len(between) > 4
                    or not (stops | w["list_connectors"]).isdisjoint(between)
                ):
                    continue  # "X and is not a surgical candidate": another subject
                cue = " ".join(WORD.findall(self.lowered[cue_start:cue_end]))
                before[-1].post_cue = before[-1].post_cue or cue
                for earlier, later in zip(reversed(before[:-1]), reversed(before[1:]), strict=True):
                    gap = WORD.findall(self.lowered[earlier.end : later.start])
                    if len(gap) > 6 or not stops.isdisjoint(gap):
                        break
                    earlier.post_cue = earlier.post_cue or cue

    # -- criteria

    def _sentence_criteria(self, index: int) -> tuple[bool, str, int]:
        """(states criteria, why, where its part about the patient starts) for a sentence."""
        if index in self.criteria:
            return self.criteria[index]
        lowered, start, end = self.lowered, self.sentences[index], self._end(self.sentences, index)
        opening = len(lowered) - len(lowered[start:end].lstrip()) - (len(lowered) - end)
        preface = self.vocab.text["preface"].match(lowered, opening, end)
        offset = preface.end() if preface else start
        strong = self._first("strong", offset, end)
        weak = self._first("weak", offset, strong[0] if strong else end)
        marker = (weak or strong or (end, end))[0]  # the first pointer at the patient
        attribution = self._attribution(start, end)
        after_criteria = index > 0 and self._ends_in_criteria(index - 1)
        if attribution and attribution[0] < marker:
            # the sentence turns to the patient at a strong pointer after a comma or "but",
            # or at a weak one after "but" ("may be appropriate but the worker would be ...")
            to = (strong or weak or (0, 0))[0]
            cut = lowered.rfind(" but ", attribution[1], to)
            cut = max(cut, lowered.rfind(",", attribution[1], to)) if strong else cut
            result = (True, "guideline subject", cut if cut >= 0 else end)
        elif strong or (
            weak
            and not (
                after_criteria
                and not self.vocab.text["past"].search(lowered, start, end)
                and self.vocab.general.search(lowered, start, end)
            )
        ):
            result = (False, "", start)
        elif after_criteria:
            result = (True, "continues criteria", end)
        elif self.vocab.general.search(lowered, start, end):
            result = (True, "general statement", end)
        else:
            result = (False, "", start)
        self.criteria[index] = result
        return result

    def _attribution(self, start: int, end: int) -> tuple[int, int] | None:
        """The first guideline subject followed by its reporting verb ("The ODG recommends",
        "per the guidelines") in a sentence: (where it starts, where the verb ends)."""
        for kind, tail in (("subject", self.vocab.subject_tail), ("per", self.vocab.per_tail)):
            found = self.signals.get(kind, [])
            for at, after in found[bisect.bisect_left(found, (start, 0)) :]:
                if at >= end:
                    break
                if followed := tail.match(self.lowered, after, end):
                    return at, followed.end()
        return None

    def _ends_in_criteria(self, index: int) -> bool:
        criteria, _, patient_from = self._sentence_criteria(index)
        return criteria and patient_from >= self._end(self.sentences, index)

    def _request_names(self, sentence: int) -> list[tuple[int, int]]:
        """Spans naming the request in a conclusion ("the request for X is not medically
        necessary")."""
        if sentence not in self.requests:
            text, lowered = self.vocab.text, self.lowered
            start, end, spans = self.sentences[sentence], self._end(self.sentences, sentence), []
            if lowered.find("request", start, end) >= 0:
                for conclusion in text["conclusion"].finditer(lowered, start, end):
                    *_, head = [
                        None,
                        *text["request_head"].finditer(lowered, start, conclusion.start()),
                    ]
                    if head and not text["not_a_name"].search(
                        lowered, head.end(), conclusion.start()
                    ):
                        spans.append((head.end(), conclusion.start()))
            self.requests[sentence] = spans
        return self.requests[sentence]


__all__ = ["DEDUPE_RULE", "Explanation", "Finding", "explain_findings", "finding_keys"]
__all__ += ["finding_label", "findings", "no_evidence_words"]
