"""Orders that need no scoring: by decision date (newest or oldest first), by letter, and
the bitset helpers they share.

The date orders read the `items_date` index (decision_date DESC, id): newest first is its
own order; oldest first walks it backwards and puts each day's items back in id order, so
ties break the same way in both directions (item id ascending) and undated items come last
in both, as on every engine (imr_search.contract.SORT_LABELS).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator

from imr_search.sqlite.postings import Snapshot, iter_bits
from imr_search.sqlite.schema import by_row

Page = list[tuple[int, float | None]]  # (rowid, score) of one page of hits


def _to_bytes(bits: int) -> bytes:
    return bits.to_bytes((bits.bit_length() + 7) >> 3 or 1, "little")


def member_function(bits: int) -> Callable[[int], bool]:
    data = _to_bytes(bits)
    limit = len(data) << 3

    def member(rowid: int) -> bool:
        return rowid < limit and bool(data[rowid >> 3] >> (rowid & 7) & 1)

    return member


def by_letter(db: sqlite3.Connection, bits: int, offset: int, limit: int) -> Page:
    """Letter and item order (a lookup by case number)."""
    rowids = json.dumps(list(iter_bits(bits)))
    rows = db.execute(
        "SELECT rowid FROM items WHERE rowid IN (SELECT value FROM json_each(?))"
        " ORDER BY letter_id, item_number LIMIT ? OFFSET ?",
        (rowids, limit, offset),
    ).fetchall()
    return [(rowid, None) for (rowid,) in rows]


def by_date(
    db: sqlite3.Connection,
    result: int,
    total: int,
    snap: Snapshot,
    offset: int,
    limit: int,
    *,
    oldest: bool = False,
) -> Page:
    """Newest (or oldest) decision first, ties by item id, undated last, by the cheaper of
    two plans."""
    everything = max(snap.all.bit_count(), 1)
    expected_scan = (offset + limit) * everything / max(total, 1)
    if expected_scan <= 3 * total:
        # Dense result: walk the date index and keep members until the page is full. Start
        # at the year the page begins in: a result that is dense overall may still have no
        # member in the first years walked (a filter on another year), and skipping them row
        # by row would read most of the index.
        start, offset = first_year(snap, result, offset, limit, oldest=oldest)
        member = member_function(result)
        out: Page = []
        for rowid in _walk(db, start, oldest):
            if member(rowid):
                if offset:
                    offset -= 1
                    continue
                out.append((rowid, None))
                if len(out) == limit:
                    break
        return out
    # Sparse result: sort just its rows.
    rowids = json.dumps(list(iter_bits(result)))
    direction = "ASC" if oldest else "DESC"
    found = by_row(
        db,
        "SELECT rowid FROM items {by_row} WHERE rowid IN (SELECT value FROM json_each(?))"
        f" ORDER BY decision_date IS NULL, decision_date {direction}, id LIMIT ? OFFSET ?",
        (rowids, limit, offset),
    ).fetchall()
    return [(rowid, None) for (rowid,) in found]


def _walk(db: sqlite3.Connection, start: str | None, oldest: bool) -> Iterator[int]:
    """Every rowid in date order from `start` (a year: the first one walked), undated last."""
    if not oldest:
        if start is None:
            rows = db.execute(
                "SELECT rowid FROM items INDEXED BY items_date ORDER BY decision_date DESC, id"
            )
        else:
            rows = db.execute(
                "SELECT rowid FROM items INDEXED BY items_date WHERE decision_date < ?"
                " ORDER BY decision_date DESC, id",
                (f"{int(start) + 1:04d}",),
            )
        yield from (rowid for (rowid,) in rows)
        return
    # The index read backwards: dates ascending, each day's items by id descending.
    dated = db.execute(
        "SELECT rowid, decision_date FROM items INDEXED BY items_date"
        " WHERE decision_date >= ? ORDER BY decision_date ASC, id DESC",
        (start or "",),
    )
    yield from _days_in_id_order(dated)
    undated = db.execute(
        "SELECT rowid FROM items INDEXED BY items_date WHERE decision_date IS NULL ORDER BY id"
    )
    yield from (rowid for (rowid,) in undated)


def _days_in_id_order(rows: Iterable[tuple[int, str]]) -> Iterator[int]:
    """Rows of one day come by id descending: give each day's back in id order."""
    day: list[int] = []
    current = None
    for rowid, date in rows:
        if date != current:
            yield from reversed(day)
            day, current = [], date
        day.append(rowid)
    yield from reversed(day)


def first_year(
    snap: Snapshot, result: int, offset: int, limit: int, *, oldest: bool = False
) -> tuple[str | None, int]:
    """Where a date walk over `result` can start: (the first year to walk, offset left).

    The year facet says how many members each decision year has (its value is the year of
    `decision_date`), so whole years that end before `offset` are skipped without reading
    them. (None, offset) when no year can be skipped or when the page may reach undated
    items (they sort last, outside any date bound).
    """
    years: list[tuple[int, str]] = []
    for fv in snap.by_facet.get("year", ()):
        value = snap.labels[fv][1]
        if not (len(value) == 4 and value.isdigit()):
            return None, offset
        years.append((int(value), value))
    years.sort(reverse=not oldest)
    counts = [(year, (snap.value_bits("year", v) & result).bit_count()) for year, v in years]
    if offset + limit > sum(n for _, n in counts):
        return None, offset  # the page reaches undated items
    before = 0
    for i, (year, n) in enumerate(counts):
        if before + n > offset:
            if i == 0:
                return None, offset
            return f"{year:04d}", offset - before
        before += n
    return None, offset
