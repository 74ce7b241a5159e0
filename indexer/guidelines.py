"""Canonical guideline names and guideline sections, one name per guideline across the
letter eras, so that "ACOEM Chapter 12 Low Back Complaints, Page(s) 303" (2013-15 letters)
and "Low Back Complaints 2004, Section(s): Special Studies" (2016+) are one facet value.

Guidelines (data/guidelines.json):

* MTUS: one name per guideline title and edition, "MTUS ACOEM Ch. 12: Low Back Complaints
  (2004)", "MTUS Chronic Pain Medical Treatment Guidelines (2016)". A year picks the latest
  edition not after it. Without a year the title's default edition is used: the 2009 Chronic
  Pain guidelines (the only edition before the 2016 update, and letters that omit the year
  are the 2013-15 ones, which cite "MTUS (Effective July 18, 2009)"), 2004 for the ACOEM
  chapters, 2007 for the revised Elbow chapter. An ACOEM chapter cited by number, by title or
  only by page ("MTUS ACOEM Page(s): 305-306" is chapter 12, pp. 287-326) is that chapter,
  whoever cited it. The later ACOEM guidelines ("Low Back Disorders", MTUS from Dec. 2017)
  are "MTUS ACOEM: Low Back Disorders", without edition.
* ODG: "ODG: <chapter>" with the parser's chapter names; "ODG: Preface" when the citation
  names the preface; "ODG (chapter not named)" otherwise.
* Others: a readable name (a known host's owner, the study's first author, ACOEM chapters).

Sections are "<short guideline name>: <section>" ("Chronic Pain Medical Treatment 2016:
Opioids, criteria for use", "ODG Low Back: MRIs (magnetic resonance imaging)"): the MTUS
"Section(s):" values and the ODG topics, matched to the table's names case- and
punctuation-blind; unknown ones are kept, in sentence case (ACOEM ones as written).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from indexer import citation_patterns as cp

# A later ACOEM title ("Low Back Disorders") with a year from this one on is the 3rd edition
# or later (2011, in the MTUS from Dec. 2017); before it, the revised 2007 Elbow Disorders.
FIRST_LATER_ACOEM_YEAR = 2008
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
CHAPTER = re.compile(r"\bChapter\s+(\d{1,2})\b|\bCh\.?\s*(\d{1,2})\b", re.IGNORECASE)
PAGE_NUMBERS = re.compile(r"\d{1,3}")
PREFACE = re.compile(r"\bpreface\b", re.IGNORECASE)
THIRD_EDITION = re.compile(r"\b(?:3rd|third|4th|fourth)\s+ed", re.IGNORECASE)
# Words dropped before a guideline title is looked up.
TITLE_NOISE = re.compile(
    r"\b(?:mtus|ca|california|acoem|guidelines?|chapter|ch|practice|occupational\s+medicine|"
    r"american\s+college\s+of\s+occupational\s+and\s+environmental\s+medicine|"
    r"effective|revised|edition|ed|\d+(?:st|nd|rd|th)|pages?|page\(s\)|pg|pp|\d+)\b",
    re.IGNORECASE,
)
# Trademark signs and the like dropped from section names.
MARKS = re.compile(r"[\u00ae\u2122\u00a9]")
# A section that is only a number or a page range is a misread page, not a section.
NUMBER_ONLY = re.compile(r"^[\d\s.,\-\u2013]+$")
# A section number in front of an opioid guideline section ("3.3.9 ...").
SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s")


@dataclass(frozen=True)
class Guideline:
    """A canonical guideline: its display name and the short name its sections use."""

    name: str  # "MTUS ACOEM Ch. 12: Low Back Complaints (2004)"
    short: str  # "Low Back Complaints 2004"
    family: str | None  # section table: "mtus_chronic_pain" | "acoem" | "odg" | None


def canonical_guideline(source: str, guideline: str | None, text: str = "") -> str:
    """One display name per guideline and edition (see the module docstring)."""
    return resolve_guideline(source, guideline, text).name


def canonical_sections(
    source: str, guideline: str | None, sections: Sequence[str], text: str = ""
) -> tuple[str, ...]:
    """The cited sections as "<short guideline>: <section>", normalised and deduplicated. An
    ODG citation whose parsed sections are empty takes the known topics named in its text
    ("Low Back and neck Chapter, Physical Therapy")."""
    resolved = resolve_guideline(source, guideline, text)
    values = [section for piece in sections for section in _split_chapter_parts(piece)]
    if not values and resolved.family == "odg":
        values = _topics_in(text)
    if not values and resolved.family == "acoem" and source == "other":
        chapter = _acoem_2004_chapter_title(text)
        values = [chapter] if chapter else []
    out: list[str] = []
    for value in values:
        name = canonical_section(resolved.family, value)
        if name:
            full = f"{resolved.short}: {name}"
            if full not in out:
                out.append(full)
    return tuple(out)


def canonical_section(family: str | None, section: str) -> str | None:
    """One section name in its canonical form; None for a bare number (a misread page)."""
    value = " ".join(MARKS.sub("", section).split()).strip(" ,;:.-/")
    if not value or NUMBER_ONLY.match(value):
        return None
    tables = _tables()
    if family and family in tables.sections:
        found = _lookup(tables.sections[family], value)
        if found:
            return found
    if SECTION_NUMBER.match(value) or family == "acoem":
        return value
    return _sentence_case(value)


def resolve_guideline(source: str, guideline: str | None, text: str = "") -> Guideline:
    """The canonical guideline of a parsed citation (source, guideline, sentence)."""
    guideline = " ".join((guideline or "").split()) or None
    if source == "ODG":
        return _odg(guideline, text)
    if source == "MTUS":
        return _mtus(guideline, text)
    return _other(guideline, text)


def guideline_names() -> tuple[str, ...]:
    """Every MTUS and ODG display name the table knows."""
    tables = _tables()
    mtus = (edition.name for entry in tables.mtus for edition in entry.editions.values())
    later = (f"MTUS ACOEM: {title}" for title in tables.acoem_current.values())
    odg = (f"ODG: {chapter}" for chapter in tables.odg_chapters)
    return tuple(dict.fromkeys((*mtus, *later, *odg)))


# ---------------------------------------------------------------------------------------------
# MTUS, ODG, others
# ---------------------------------------------------------------------------------------------


def _mtus(guideline: str | None, text: str) -> Guideline:
    written = guideline or ""
    year = _year(written)
    later = _acoem_current(written)
    if later and (year is None or year >= FIRST_LATER_ACOEM_YEAR):
        return Guideline(f"MTUS ACOEM: {later}", f"MTUS ACOEM {later}", "acoem")
    entry = _mtus_entry(written) or _mtus_entry_by_chapter(written or text)
    if entry is None and (not written or written.upper() == "ACOEM"):
        entry = _mtus_entry_by_pages(text)
    if entry is None:
        if later:
            return Guideline(f"MTUS ACOEM: {later}", f"MTUS ACOEM {later}", "acoem")
        if not written or written.upper() == "ACOEM":
            name = "MTUS ACOEM (chapter not named)" if written else "MTUS (guideline not named)"
            return Guideline(name, name, "acoem" if written else None)
        return Guideline(f"MTUS: {written}", written, None)
    return _edition(entry, year)


def _edition(entry: _MtusEntry, year: int | None) -> Guideline:
    if year is None:
        return entry.editions[entry.default]
    years = sorted(entry.editions, key=int)
    chosen = years[0]
    for edition in years:
        if int(edition) <= year:
            chosen = edition
    return entry.editions[chosen]


def _odg(guideline: str | None, text: str) -> Guideline:
    tables = _tables()
    chapter: str | None = None
    if guideline:
        if guideline in tables.odg_chapters:
            chapter = guideline
        else:
            match = cp.ODG_CHAPTER.search(guideline)
            chapter = (
                cp.ODG_CHAPTERS[int(match.lastgroup[1:])][0] if match and match.lastgroup else None
            )
            chapter = chapter or guideline
    elif PREFACE.search(text):
        chapter = "Preface"
    if not chapter:
        return Guideline("ODG (chapter not named)", "ODG", "odg")
    return Guideline(f"ODG: {chapter}", f"ODG {chapter}", "odg")


def _other(guideline: str | None, text: str) -> Guideline:
    tables = _tables()
    if guideline and guideline.upper() == "ACOEM" or (not guideline and cp.ACOEM.search(text)):
        later = None if _acoem_2004_chapter_title(text) else _acoem_current(text)
        if later:
            return Guideline(f"ACOEM: {later}", f"ACOEM {later}", "acoem")
        entry = _mtus_entry_by_chapter(text) or _mtus_entry_by_title(text)
        if entry and not THIRD_EDITION.search(text):
            return _edition(entry, None)
        name = tables.sources.get("ACOEM", "ACOEM")
        return Guideline(name, name, "acoem")
    if not guideline:
        return Guideline("Other (source not named)", "Other", None)
    name = tables.sources.get(guideline.lower(), tables.sources.get(guideline, guideline))
    return Guideline(name, name, None)


# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------


def _year(text: str) -> int | None:
    match = YEAR.search(text)
    return int(match.group(1)) if match else None


def _mtus_entry(written: str) -> _MtusEntry | None:
    return _mtus_entry_by_chapter(written) or _mtus_entry_by_title(written)


def _mtus_entry_by_title(text: str) -> _MtusEntry | None:
    key = _key(TITLE_NOISE.sub(" ", text))
    if not key:
        return None
    tables = _tables()
    if key in tables.mtus_titles:
        return tables.mtus_titles[key]
    padded = f" {key} "
    for alias in tables.mtus_alias_order:  # longest first
        if f" {alias} " in padded:
            return tables.mtus_titles[alias]
    return None


def _mtus_entry_by_chapter(text: str) -> _MtusEntry | None:
    match = CHAPTER.search(text)
    if not match:
        return None
    number = match.group(1) or match.group(2)
    return _tables().mtus_chapters.get(number)


def _mtus_entry_by_pages(text: str) -> _MtusEntry | None:
    label = cp.PAGES_LABEL.search(text)
    if not label:
        return None
    value = cp.PAGES_VALUE.match(text[label.end() :])
    if not value:
        return None
    first = int(PAGE_NUMBERS.findall(value.group(0))[0])
    for entry in _tables().mtus:
        if entry.pages and entry.pages[0] <= first <= entry.pages[1]:
            return entry
    return None


def _acoem_current(text: str) -> str | None:
    key = f" {_key(text)} "
    tables = _tables()
    for alias in tables.acoem_current_order:
        if f" {alias} " in key:
            return tables.acoem_current[alias]
    return None


def _acoem_2004_chapter_title(text: str) -> str | None:
    """The 2004 chapter title a free-text ACOEM citation names ("Chapter 7, Independent
    Medical Examinations and Consultations"), used as its section."""
    key = f" {_key(text)} "
    for name in _tables().general_approach_titles:
        if f" {_key(name)} " in key:
            return name
    return None


def _split_chapter_parts(section: str) -> list[str]:
    """'Physical therapy/Preface' -> ['Physical therapy']: drops a part naming a chapter."""
    if "/" not in section:
        return [section]
    tables = _tables()
    chapters = {_key(name) for name in tables.odg_chapters} | {
        "preface",
        "low back lumbar and thoracic",
    }
    parts = [part for part in section.split("/") if _key(part) not in chapters]
    return parts if len(parts) == 1 else [section]


def _topics_in(text: str) -> list[str]:
    """Known ODG topics named in a citation sentence that the parser left without topics."""
    key = f" {_key(text)} "
    found = []
    for alias, name in _tables().sections["odg"].items():
        if len(alias) > 3 and f" {alias} " in key and name not in found:
            found.append(name)
    return found


def _lookup(table: dict[str, str], value: str) -> str | None:
    key = _key(value)
    if key in table:
        return table[key]
    bare = _key(re.sub(r"\([^)]*\)", " ", value))
    return table.get(bare) if bare else None


def _sentence_case(value: str) -> str:
    """'Proton Pump Inhibitors (PPIs)' -> 'Proton pump inhibitors (PPIs)': words after the
    first lose their capital unless they are acronyms or open a parenthesis."""
    words = value.split(" ")
    out = [words[0][:1].upper() + words[0][1:]]
    for word in words[1:]:
        core = word.strip("()[],;:")
        if word.startswith("(") or sum(ch.isupper() for ch in core) > 1 or not core:
            out.append(word)
        else:
            out.append(word[:1].lower() + word[1:] if word[:1].isupper() else word)
    return " ".join(out)


def _key(value: str) -> str:
    """Comparison key: lower case, '&' as 'and', punctuation ignored, simple plurals cut."""
    value = value.lower().replace("&", " and ").replace("\u2019", "'").replace("'s", "")
    words = re.findall(r"[a-z0-9]+", value)
    return " ".join(_singular(word) for word in words)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MtusEntry:
    title: str
    editions: dict[str, Guideline]
    default: str
    pages: tuple[int, int] | None


@dataclass(frozen=True)
class _Tables:
    mtus: tuple[_MtusEntry, ...]
    mtus_titles: dict[str, _MtusEntry]  # alias key -> entry
    mtus_alias_order: tuple[str, ...]
    mtus_chapters: dict[str, _MtusEntry]
    acoem_current: dict[str, str]  # alias key -> title
    acoem_current_order: tuple[str, ...]
    general_approach_titles: tuple[str, ...]
    odg_chapters: tuple[str, ...]
    sections: dict[str, dict[str, str]]  # family -> key -> canonical name
    sources: dict[str, str]


@cache
def _tables() -> _Tables:
    raw = json.loads(
        resources.files("indexer").joinpath("data", "guidelines.json").read_text("utf-8")
    )
    entries: list[_MtusEntry] = []
    titles: dict[str, _MtusEntry] = {}
    chapters: dict[str, _MtusEntry] = {}
    general: tuple[str, ...] = ()
    for spec in raw["mtus"]:
        editions = {
            year: Guideline(edition["display"], edition["short"], spec.get("sections"))
            for year, edition in spec["editions"].items()
        }
        pages = tuple(spec["pages"]) if spec.get("pages") else None
        entry = _MtusEntry(spec["title"], editions, spec["default"], pages)
        entries.append(entry)
        for alias in (spec["title"], *spec["aliases"]):
            titles[_key(alias)] = entry
        for number in spec.get("acoem_chapter", ()):
            chapters[number] = entry
        if spec["title"] == "General Approaches":
            general = tuple(alias for alias in spec["aliases"] if len(alias.split()) > 2)
    current: dict[str, str] = {}
    for spec in raw["acoem_current"]:
        for alias in (spec["title"], *spec["aliases"]):
            current[_key(alias)] = spec["title"]
    sections: dict[str, dict[str, str]] = {}
    for family, names in raw["sections"].items():
        table: dict[str, str] = {}
        for spec in names:
            for alias in (spec["name"], *spec["aliases"]):
                table.setdefault(_key(alias), spec["name"])
            bare = _key(re.sub(r"\([^)]*\)", " ", spec["name"]))
            table.setdefault(bare, spec["name"])
        sections[family] = table
    general_titles = tuple(
        spec["name"]
        for spec in raw["sections"]["acoem"]
        if _key(spec["name"]) in {_key(title) for title in general}
    )
    return _Tables(
        tuple(entries),
        titles,
        tuple(sorted(titles, key=len, reverse=True)),
        chapters,
        current,
        tuple(sorted(current, key=len, reverse=True)),
        general_titles,
        tuple(raw["odg_chapters"]),
        sections,
        {key.lower() if "." in key else key: name for key, name in raw["sources"].items()},
    )


__all__ = [
    "Guideline",
    "canonical_guideline",
    "canonical_section",
    "canonical_sections",
    "guideline_names",
    "resolve_guideline",
]
