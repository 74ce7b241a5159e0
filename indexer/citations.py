"""Citations: which guideline each party relied on, read from its guideline paragraph.

Two ways of writing them exist:

* 2014+ letters: one or more sentences "Decision based on MTUS <guideline> <year>,
  Section(s): ..." / "Decision based on Non-MTUS Citation <free text>", after optional
  lead-ins ("did not base their decision on the MTUS"). One MTUS sentence may name several
  guidelines; one Non-MTUS sentence may name several sources (ODG chapters, ACOEM, a study,
  URLs) and yields one citation per source, all sharing the sentence as `text`.
* 2013 letters and professional reviews: prose ("... based its decision on the Chronic Pain
  Medical Treatment Guidelines (2009), page 79, which is part of the MTUS").

Sources are "MTUS" (mtus=True), "ODG" or "other" (mtus=False). Guidelines are normalised
for faceting: MTUS "Chronic Pain Medical Treatment 2016", ODG chapters "Low Back", other
sources "ACOEM", a URL's host, a study's "Chou R et al.".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from indexer import citation_patterns as cp
from indexer.records import Citation, Party

# MTUS section names that contain ", <Upper case>" and must not be split there.
COMPOUND_SECTION_HEADS: tuple[str, ...] = ("nsaids",)

# ACOEM (2nd ed., 2004) chapter numbers -> titles, for prose such as "ACOEM ... Chapter 12".
ACOEM_CHAPTERS: dict[str, str] = {
    "2": "General Approach to Initial Assessment and Documentation",
    "3": "Initial Approaches to Treatment",
    "4": "Work-Relatedness",
    "5": "Cornerstones of Disability Prevention and Management",
    "6": "Pain, Suffering, and the Restoration of Function",
    "7": "Independent Medical Examinations and Consultations",
    "8": "Neck and Upper Back Complaints",
    "9": "Shoulder Complaints",
    "10": "Elbow Complaints",
    "11": "Forearm, Wrist, and Hand Complaints",
    "12": "Low Back Complaints",
    "13": "Knee Complaints",
    "14": "Ankle and Foot Complaints",
    "15": "Stress-Related Conditions",
}

# Guideline named by "MTUS (Effective July 18, 2009)".
CHRONIC_PAIN_2009 = "Chronic Pain Medical Treatment 2009"

# Longest guideline name kept for a free-text source.
MAX_GUIDELINE_CHARS = 80


def parse_citations(text: str, party: Party) -> tuple[tuple[Citation, ...], bool]:
    """The citations in one party's guideline paragraph (one line of text) and whether the
    party "did not cite any medical evidence"."""
    if "  " in text or "\n" in text or text[:1].isspace() or text[-1:].isspace():
        text = " ".join(text.split())
    if not text:
        return (), False
    starts = _decision_starts(text)
    if not starts:
        if cp.CITED_NOTHING.search(text):
            return (), True
        return tuple(_dedupe(_prose_citations(text, party))), False
    citations: list[Citation] = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        sentence = text[match.start() : end].strip()
        body = text[match.end() : end].strip()
        citations.extend(_decision_sentence(body, sentence, party))
    return tuple(_dedupe(citations)), False


def _decision_starts(text: str) -> list[re.Match[str]]:
    """Every "Decision based on" (found with str.find first: cheaper than a regex scan)."""
    lower = text.lower()
    starts = []
    position = lower.find("decision based on")
    while position != -1:
        match = cp.DECISION_BASED_ON.match(text, position)
        if match:
            starts.append(match)
        position = lower.find("decision based on", position + 1)
    return starts


def copy_to(citations: tuple[Citation, ...], party: Party, text: str) -> tuple[Citation, ...]:
    """The same guidelines cited by another party (2013: "the Expert Reviewer found the
    guideline used by the Claims Administrator relevant and appropriate")."""
    return tuple(
        Citation(party, c.source, c.mtus, c.guideline, text, c.sections, c.pages) for c in citations
    )


# ---------------------------------------------------------------------------------------------
# "Decision based on ..." sentences
# ---------------------------------------------------------------------------------------------


def _decision_sentence(body: str, sentence: str, party: Party) -> Iterator[Citation]:
    non_mtus = cp.NON_MTUS_PREFIX.match(body)
    if non_mtus:
        yield from _non_mtus(body[non_mtus.end() :], sentence, party)
        return
    mtus = cp.MTUS_PREFIX.match(body)
    if mtus:
        yield from _mtus(body[mtus.end() :], sentence, party)
        return
    # "Decision based on ODG ..." without the MTUS/Non-MTUS word.
    yield from _non_mtus(body, sentence, party)


def _mtus(body: str, sentence: str, party: Party) -> Iterator[Citation]:
    body = body.strip().rstrip(".").strip()
    for part in cp.MTUS_GUIDELINE_JOIN.split(body) if ", and " in body else (body,):
        guideline, sections, pages = _guideline_sections_pages(part)
        if guideline is None and cp.EFFECTIVE_2009.search(part):
            # "MTUS (Effective July 18, 2009)": the date the Chronic Pain Medical Treatment
            # Guidelines took effect; 2013-14 letters cite them this way.
            guideline = CHRONIC_PAIN_2009
        yield Citation(party, "MTUS", True, guideline, sentence, sections, pages)


def _guideline_sections_pages(part: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """Split "<guideline>, Section(s): a, b Page(s): 1-2" into its three pieces."""
    at = part.find("ection")
    section_label = cp.SECTIONS_LABEL.search(part, max(0, at - 4)) if at >= 0 else None
    page_label = cp.PAGES_LABEL.search(part) if _may_cite_pages(part) else None
    cut = (
        min(m.start() for m in (section_label, page_label) if m)
        if section_label or page_label
        else len(part)
    )
    guideline = _clean_guideline(part[:cut])
    sections: tuple[str, ...] = ()
    pages: str | None = None
    tail_topics = ""
    if page_label:
        value = cp.PAGES_VALUE.match(part[page_label.end() :])
        if value:
            pages = _normalise_pages(value.group(0))
            tail_topics = part[page_label.end() + value.end() :]
    if section_label:
        stop = (
            page_label.start()
            if page_label and page_label.start() > section_label.end()
            else len(part)
        )
        sections = split_sections(part[section_label.end() : stop])
    elif tail_topics.strip(" ,.;"):
        sections = split_sections(tail_topics)
    return guideline, sections, pages


def _may_cite_pages(text: str) -> bool:
    """Cheap check before PAGES_LABEL: "Page(s)", "pages", "pg.", "pp.", "p."."""
    lower = text.lower()
    return "page" in lower or "pg" in lower or "p." in lower


def _clean_guideline(text: str) -> str | None:
    if "(" in text:
        text = cp.EFFECTIVE_NOTE.sub("", text)
    text = text.strip(" ,.;:")
    if "uide" in text:
        text = cp.TRAILING_GUIDELINES.sub("", text)
    text = " ".join(text.split()).strip(" ,.;:")
    return text or None


def _normalise_pages(text: str) -> str:
    text = text.replace("\u2013", "-")
    text = " ".join(text.split())
    return text.replace(" - ", "-").replace(" -", "-").replace("- ", "-")


def split_sections(text: str) -> tuple[str, ...]:
    """Split a Section(s) list: at ", " before a capital ("Initial Care, Activity
    Modification"), or before a section number for numbered MTUS sections."""
    text = " ".join(text.split()).strip(" ,.;")
    if not text:
        return ()
    if cp.NUMBERED_SECTION.match(text):
        pieces = cp.NUMBERED_SECTION_SPLIT.split(text)
    else:
        pieces = []
        for piece in cp.SECTION_SPLIT.split(text):
            if pieces and pieces[-1].lower() in COMPOUND_SECTION_HEADS:
                pieces[-1] = f"{pieces[-1]}, {piece}"
            else:
                pieces.append(piece)
    return tuple(piece.strip(" ,.;") for piece in pieces if piece.strip(" ,.;"))


# ---------------------------------------------------------------------------------------------
# Non-MTUS sources
# ---------------------------------------------------------------------------------------------


def _non_mtus(body: str, sentence: str, party: Party) -> Iterator[Citation]:
    body = body.strip().rstrip(".").strip()
    lower = body.lower()
    several = " and " in lower or ";" in body or "http" in lower or "www." in lower
    for segment in cp.SOURCE_BOUNDARY.split(body) if several else (body,):
        segment = segment.strip(" ,;.")
        if not segment:
            continue
        low = segment.lower()
        if ("official disability" in low or "odg" in low) and cp.ODG.search(segment):
            yield from _odg(segment, sentence, party)
        else:
            yield from _other(segment, sentence, party)


def _odg(segment: str, sentence: str, party: Party) -> Iterator[Citation]:
    """One citation per ODG chapter named (none named: one citation without a guideline)."""
    rest = cp.ODG_NAME.sub("", segment, count=1)
    pages = _pages_in(rest)
    chapters = [
        (cp.ODG_CHAPTERS[int(m.lastgroup[1:])][0], m.start(), m.end())
        for m in cp.ODG_CHAPTER.finditer(rest)
        if m.lastgroup
    ]
    if not chapters:
        yield Citation(party, "ODG", False, None, sentence, _topics(rest), pages)
        return
    # A chapter named again later ("Pain Chapter, Antidepressants for chronic pain") is part
    # of a topic, not a new chapter.
    first_seen: dict[str, tuple[int, int]] = {}
    for chapter, start, end in chapters:
        first_seen.setdefault(chapter, (start, end))
    kept = sorted(first_seen.items(), key=lambda pair: pair[1][0])
    for index, (chapter, (start, end)) in enumerate(kept):
        stop = kept[index + 1][1][0] if index + 1 < len(kept) else len(rest)
        topic_text = rest[end:stop]
        if index == 0:
            topic_text = rest[:start] + " ; " + topic_text
        yield Citation(party, "ODG", False, chapter, sentence, _topics(topic_text), pages)


def _topics(text: str) -> tuple[str, ...]:
    text = cp.ODG_TOPIC_NOISE.sub(" ", text)
    text = cp.PAGES_LABEL.sub(" ", text)
    topics = []
    for piece in cp.TOPIC_SPLIT.split(text):
        piece = " ".join(piece.split()).strip(cp.TOPIC_TRIM)
        piece = piece.lstrip(")").rstrip("(").strip(cp.TOPIC_TRIM)
        if piece.count("(") > piece.count(")"):
            piece += ")"
        if piece and piece.lower() not in {"and", "&", "odg", "guidelines", "(", ")"}:
            topics.append(piece)
    return tuple(topics)


def _other(segment: str, sentence: str, party: Party) -> Iterator[Citation]:
    """A source outside the MTUS and ODG: ACOEM, a URL, a study, a monograph."""
    pages = _pages_in(segment)
    omtg = cp.OTHER_GUIDELINES.match(segment)
    rest = segment[omtg.end() :] if omtg else segment
    urls = cp.URL.findall(rest)
    if urls and rest.lstrip().startswith(("http", "www", "HTTP", "WWW")):
        hosts: list[str] = []
        for url in urls:
            host = _host(url)
            if host and host not in hosts:
                hosts.append(host)
        for host in hosts:
            yield Citation(party, "other", False, host, sentence, (), pages)
        return
    yield Citation(party, "other", False, _other_name(rest, urls, bool(omtg)), sentence, (), pages)


def _other_name(text: str, urls: list[str], labelled: bool) -> str | None:
    if cp.ACOEM.search(text):
        return "ACOEM"
    author = cp.LEADING_AUTHOR.match(text.strip()) or cp.STUDY_AUTHOR.search(text)
    if author:
        return f"{author.group('author')} et al."
    if urls:
        return _host(urls[0])
    head = cp.SOURCE_HEAD.match(text.strip())
    if head:
        name = " ".join(head.group(0).split()).strip(" -")
        if name:
            return name[:MAX_GUIDELINE_CHARS]
    return "Other Medical Treatment Guidelines" if labelled else None


def _host(url: str) -> str | None:
    match = cp.URL_HOST.match(url)
    return match.group(1).lower().rstrip(".") if match else None


def _pages_in(text: str) -> str | None:
    label = cp.PAGES_LABEL.search(text) if _may_cite_pages(text) else None
    if not label:
        return None
    value = cp.PAGES_VALUE.match(text[label.end() :])
    return _normalise_pages(value.group(0)) if value else None


# ---------------------------------------------------------------------------------------------
# Prose citations (2013 letters, professional reviews)
# ---------------------------------------------------------------------------------------------


def _prose_citations(text: str, party: Party) -> Iterator[Citation]:
    for sentence in cp.SENTENCE_SPLIT.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        yield from _prose_sentence(sentence if sentence.endswith(".") else sentence + ".", party)


def _prose_sentence(sentence: str, party: Party) -> Iterator[Citation]:
    # Cheap lower-case substring checks decide which regexes are worth running.
    low = sentence.lower()
    about_mtus = "mtus" in low or "utilization schedule" in low
    outside = about_mtus and bool(cp.NOT_PART_OF_MTUS.search(sentence))
    pages = _pages_in(sentence)
    named = list(cp.MTUS_NAMED.finditer(sentence)) if "guideline" in low or about_mtus else []
    if named and not outside:
        for match in named:
            name = " ".join(match.group("name").split())
            year = match.group("year")
            guideline = f"{name} {year}" if year else name
            yield Citation(party, "MTUS", True, guideline, sentence, (), pages)
        return
    odg = cp.ODG.search(sentence) if "official disability" in low or "odg" in low else None
    if odg:
        core = cp.WHICH_CLAUSE.sub("", sentence[odg.start() :]).rstrip(". ")
        yield from _odg(core, sentence, party)
        return
    if "acoem" in low or "american college" in low:
        chapter = cp.ACOEM_CHAPTER.search(sentence)
        if about_mtus and cp.PART_OF_MTUS.search(sentence) and not outside:
            name = "ACOEM"
            if chapter:
                number = chapter.group("chapter")
                title = ACOEM_CHAPTERS.get(number)
                name = f"ACOEM Chapter {number} {title}" if title else f"ACOEM Chapter {number}"
            yield Citation(party, "MTUS", True, name, sentence, (), pages)
        else:
            yield Citation(party, "other", False, "ACOEM", sentence, (), pages)
        return
    if about_mtus and cp.PART_OF_MTUS.search(sentence) and not outside:
        yield Citation(party, "MTUS", True, None, sentence, (), pages)
        return
    urls = cp.URL.findall(sentence) if "http" in low or "www." in low else []
    studied = any(word in low for word in ("study", "article", "review", "trial"))
    author = cp.STUDY_AUTHOR.search(sentence) if studied else None
    if urls or author:
        yield Citation(
            party, "other", False, _other_name(sentence, urls, False), sentence, (), pages
        )


def _dedupe(citations: list[Citation] | Iterator[Citation]) -> list[Citation]:
    """Drop exact repeats (same party, source, guideline, sections, pages) keeping order."""
    seen: set[tuple[object, ...]] = set()
    out: list[Citation] = []
    for c in citations:
        key = (c.party, c.source, c.guideline, c.sections, c.pages, c.text)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


__all__ = ["copy_to", "parse_citations", "split_sections"]
