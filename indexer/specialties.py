"""Reviewer specialties as board names: "Family Practice" and "Family Medicine" are one
facet value, "Sports Medicinea" is Sports Medicine, and a header value wrapped over two lines
("Public Health &" / "General Preventive Medicine") is one specialty again.

The names come from data/specialties.json (ABMS and AOA specialties and subspecialties, the
licence types of non-physician reviewers, and the aliases letters use). A value that is
neither a name, an alias nor a near miss of one (difflib, SIMILARITY_CUTOFF) is kept as
written and reported in the warnings, so the table can grow from what real letters say.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

# How close (difflib ratio of the comparison keys) a misspelling must be to a known name:
# "sports medicinea" -> "sports medicine" is 0.97; "neurology" vs "urology" is 0.875.
SIMILARITY_CUTOFF = 0.9
# Words that join two parts of one name.
CONNECTORS = frozenset({"&", "and", "of", "the", "in", "with", "for", "-"})
NON_WORD = re.compile(r"[^a-z0-9&]+")


@dataclass(frozen=True)
class Specialty:
    """One board specialty or licence type."""

    name: str  # canonical display name
    kind: str  # specialty | subspecialty | board | licence | designation
    board: str  # who issues it


def normalize_specialties(raw: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(canonical names, warnings) for the specialty values read from a letter header.

    Wrapped values are joined first: a value ending with '&', 'and' or a word that never
    ends a board name ("Occupational"), one whose join with the next is a known name
    ("Sports" + "Medicine"), or a name that contains a comma split at it ("Endocrinology" +
    "Diabetes & Metabolism"). Each value is then looked up as a name or alias, then as a
    near miss; unknown values are kept as written and reported."""
    pieces = [_clean(value) for value in raw]
    merged = _merge([piece for piece in pieces if piece])
    names: list[str] = []
    warnings: list[str] = []
    for value in merged:
        name, note = _canonical(value)
        if note:
            warnings.append(note)
        if name not in names:
            names.append(name)
    return tuple(names), tuple(warnings)


def canonical_specialty(value: str) -> str | None:
    """The board name of one value (name, alias or near miss), or None when unknown."""
    name, note = _canonical(_clean(value))
    return None if note and note.startswith("unknown") else name


def specialty(name: str) -> Specialty | None:
    """The table entry of a canonical name."""
    return _tables().entries.get(name)


def board_names() -> tuple[str, ...]:
    """Every canonical name in the table."""
    return tuple(_tables().entries)


# ---------------------------------------------------------------------------------------------


def _clean(value: str) -> str:
    value = " ".join((value or "").replace("\u00a0", " ").split()).strip(" ,;.:")
    if value.lower().startswith("and "):
        value = value[4:]
    return value


def _merge(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        if out:
            previous = out[-1]
            joined = _join_kind(previous, piece)
            if joined:
                out[-1] = joined
                continue
        out.append(piece)
    return out


def _join_kind(previous: str, piece: str) -> str | None:
    """The two values joined when they are one wrapped name, else None."""
    tables = _tables()
    last = previous.split()[-1].lower()
    first = piece.split()[0]
    spaced = f"{previous} {piece}"
    if last in CONNECTORS or previous.endswith(("&", "-", "/")) or first in ("&", "and"):
        return spaced
    if last in tables.never_last or first[:1].islower():
        return spaced
    known_join = tables.lookup.get(_key(spaced))
    if known_join:
        parts = (tables.lookup.get(_key(previous)), tables.lookup.get(_key(piece)))
        if None in parts or known_join in parts:
            return spaced
    comma = f"{previous}, {piece}"
    if _key(comma) in tables.lookup:
        return comma
    return None


def _canonical(value: str) -> tuple[str, str | None]:
    tables = _tables()
    key = _key(value)
    if key in tables.lookup:
        return tables.lookup[key], None
    close = difflib.get_close_matches(key, tables.keys, n=1, cutoff=SIMILARITY_CUTOFF)
    if close:
        name = tables.lookup[close[0]]
        return name, f"specialty {value!r} read as {name!r}"
    return value, f"unknown specialty {value!r} (kept as written)"


def _key(value: str) -> str:
    """Comparison key: lower case, 'and' as '&', punctuation and spacing ignored."""
    words = NON_WORD.sub(" ", value.lower().replace("&", " & ")).split()
    return " ".join("&" if word == "and" else word for word in words)


@dataclass(frozen=True)
class _Tables:
    entries: dict[str, Specialty]
    lookup: dict[str, str]  # key of a name or alias -> canonical name
    keys: tuple[str, ...]
    never_last: frozenset[str]  # words that appear in names but never end one


@cache
def _tables() -> _Tables:
    raw = json.loads(
        resources.files("indexer").joinpath("data", "specialties.json").read_text("utf-8")
    )
    entries: dict[str, Specialty] = {}
    lookup: dict[str, str] = {}
    last_words: set[str] = set()
    inner_words: set[str] = set()
    for spec in raw["specialties"]:
        name = spec["name"]
        entries[name] = Specialty(name, spec["kind"], spec["board"])
        for written in (name, *spec.get("aliases", ())):
            key = _key(written)
            if key in lookup and lookup[key] != name:
                raise ValueError(f"specialties.json: {written!r} names two specialties")
            lookup[key] = name
            words = key.split()
            last_words.add(words[-1])
            inner_words.update(words[:-1])
    never_last = frozenset(inner_words - last_words - CONNECTORS)
    return _Tables(entries, lookup, tuple(lookup), never_last)


__all__ = [
    "SIMILARITY_CUTOFF",
    "Specialty",
    "board_names",
    "canonical_specialty",
    "normalize_specialties",
    "specialty",
]
