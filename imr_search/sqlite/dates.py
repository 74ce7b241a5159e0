"""The decision-date range filter: the items decided within [from, to], as a bitset.

Every dated item carries its decision month as a posting (rows.MONTH_FACET, "2016-03"), so a
range is the union of the months it covers whole (one OR per month) plus, for the one or two
months it cuts, the items of those days read from the `items_date` index: a range over years
of a million items costs milliseconds, not a scan. Undated items are in no range.
"""

from __future__ import annotations

import sqlite3

from imr_search.sqlite.cache import MATCH_CACHE, CacheKey
from imr_search.sqlite.postings import Snapshot, bits_from_rowids
from imr_search.sqlite.rows import MONTH_FACET

_LOWEST, _HIGHEST = "0000-00-00", "9999-99-99"
# Only well-formed dates count (Elasticsearch leaves a malformed date out of every range).
_ISO = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"


def date_bits(
    db: sqlite3.Connection,
    snap: Snapshot,
    date_from: str | None,
    date_to: str | None,
    cache_key: CacheKey | None = None,
) -> int:
    """The items whose decision date is within the range (both ends included, None: open)."""
    key = (*cache_key, "dates", date_from, date_to) if cache_key else None
    if key is not None and (found := MATCH_CACHE.get(key)) is not None:
        return int(found)
    low, high = date_from or _LOWEST, date_to or _HIGHEST
    whole: list[str] = []
    cut: list[tuple[str, str]] = []
    for fv in snap.by_facet.get(MONTH_FACET, ()):
        month = snap.labels[fv][1]
        first, last = month + "-01", month + "-31"  # ISO strings compare as dates
        if last < low or first > high:
            continue
        if low <= first and last <= high:
            whole.append(month)
        else:
            cut.append((max(low, first), min(high, last)))
    bits = snap.union(MONTH_FACET, whole)
    for start, end in cut:
        rows = db.execute(
            "SELECT rowid FROM items INDEXED BY items_date"
            f" WHERE decision_date BETWEEN ? AND ? AND decision_date GLOB '{_ISO}'",
            (start, end),
        ).fetchall()
        bits |= bits_from_rowids([r for (r,) in rows])
    bits &= snap.all
    if key is not None:
        MATCH_CACHE.put(key, bits, (bits.bit_length() >> 3) + 100)
    return bits
