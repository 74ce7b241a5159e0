"""What a search says about its whole result: facet counts, outcome rate, breakdown.

Each facet is counted over the result filtered by every *other* facet's selection; the
outcome rate counts the decisions about the query when the query has an about/mention split
(imr_search.plan); the breakdown counts the same decisions without the user's own outcome
filter (a rate within "Overturned only" would always be 0% or 100%), all of its values for
the decision year (in order: a trend), the top values for any other facet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from imr_search.contract import BreakdownRow, FacetValue, OutcomeRate, SearchRequest
from imr_search.sqlite.postings import Snapshot
from mappings.facets import FACETS

CHRONOLOGICAL = ("year",)  # breakdowns shown whole and in order


@dataclass(frozen=True)
class Summary:
    """What a search says about its whole result set: facets, outcome rate, breakdown.

    It depends only on the query, the filters, the facet size and the breakdown facet, not
    on the page or the sort, so it is kept in the per-generation cache: paging through
    results or re-sorting them does not count every facet again.
    """

    facets: Mapping[str, tuple[FacetValue, ...]]
    outcome_rate: OutcomeRate
    breakdown: tuple[BreakdownRow, ...]
    breakdown_ignores: tuple[str, ...] = ()

    def nbytes(self) -> int:
        values = sum(len(v) for v in self.facets.values()) + len(self.breakdown)
        return 1000 + 150 * values


def summarize(
    snap: Snapshot,
    request: SearchRequest,
    selections: Mapping[str, Sequence[str]],
    masks: Mapping[str, int],
    base: int,
    result: int,
    about: int | None,
) -> Summary:
    """Facet counts (each facet ignoring its own selection), outcome rate and breakdown.

    `about`: the decisions the rate and breakdown count (those about the query), None for the
    whole result."""
    facets: dict[str, tuple[FacetValue, ...]] = {}
    # facet -> counts over `result` itself (exact for every value that can be in the top
    # `facet_size`: all that the facet list and the breakdown show)
    counted: dict[str, dict[str, int]] = {}
    planes = snap.planes(result)  # `result` split for sparse counting, once for every facet
    for spec in FACETS:
        size = request.size_of(spec.name)
        if not size and spec.name not in selections:
            facets[spec.name] = ()
            continue
        chosen = selections.get(spec.name, ())
        if spec.name in masks:
            mask = base
            for name, other in masks.items():
                if name != spec.name:
                    mask &= other
            counts = snap.top_counts(spec.name, mask, size, chosen)
        else:
            counts = snap.top_counts(spec.name, result, size, chosen, planes)
            if size >= request.facet_size:  # exact for the breakdown's top values too
                counted[spec.name] = counts
        facets[spec.name] = _facet_list(counts, chosen, size)

    upheld_bits = snap.value_bits("outcome", "Upheld")
    rated = result if about is None else result & about
    upheld = (rated & upheld_bits).bit_count()
    rate = OutcomeRate(upheld=upheld, overturned=rated.bit_count() - upheld)
    breakdown: tuple[BreakdownRow, ...] = ()
    ignores: tuple[str, ...] = ()
    if request.breakdown:
        # The breakdown's own basis: the rate's decisions, without the outcome filter.
        basis = rated
        if "outcome" in masks:
            ignores = ("outcome",)
            basis = base if about is None else base & about
            for name, mask in masks.items():
                if name != "outcome":
                    basis &= mask
        chronological = request.breakdown in CHRONOLOGICAL
        size = 1_000 if chronological else max(request.facet_size, 1)
        shown = counted.get(request.breakdown) if basis is result and not chronological else None
        if shown is None or request.facet_size < 1:
            shown = snap.top_counts(request.breakdown, basis, size)
        breakdown = _breakdown(snap, request.breakdown, basis, upheld_bits, shown, size)
        if chronological:
            breakdown = tuple(sorted(breakdown, key=lambda row: row.value))
    return Summary(facets, rate, breakdown, ignores)


# --- facets -------------------------------------------------------------------------------


def _facet_list(
    counts: Mapping[str, int], selected: Sequence[str], size: int
) -> tuple[FacetValue, ...]:
    """Top `size` values by count (ties by value), plus every selected value, count order."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    listed = {value for value, _ in ordered}
    ordered += [(value, counts.get(value, 0)) for value in selected if value not in listed]
    ordered.sort(key=lambda kv: (-kv[1], kv[0]))
    chosen = set(selected)
    return tuple(FacetValue(value, count, value in chosen) for value, count in ordered)


def _breakdown(
    snap: Snapshot,
    facet: str,
    basis: int,
    upheld_bits: int,
    counts: Mapping[str, int],
    size: int,
) -> tuple[BreakdownRow, ...]:
    """Outcome counts for the top `size` values of the breakdown facet (`counts`: over
    `basis`)."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    rows = []
    for value, count in top:
        upheld = (snap.value_bits(facet, value) & basis & upheld_bits).bit_count()
        rows.append(BreakdownRow(value, OutcomeRate(upheld=upheld, overturned=count - upheld)))
    return tuple(rows)
