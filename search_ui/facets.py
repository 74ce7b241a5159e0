"""Facets as plain data (Datasette style): value, label, count, selected and a toggle URL.

The sidebar template and the JSON API render the same structures, so what a person sees and
what a script gets never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from imr_search.contract import FacetValue, SearchResponse
from mappings.facets import FACETS, FACETS_BY_NAME, NONE
from search_ui.params import SearchState
from search_ui.payloads import FacetBlockPayload, FacetOptionPayload

UrlFor = Callable[[SearchState], str]

PARTY_LABELS = {"claims_administrator": "Claims administrator", "reviewer": "Reviewer"}
FILTERABLE = 8  # a facet listing more values than this gets a box that filters them (app.js)

# The decision-date bounds as active filters: parameter -> how the chip reads.
DATE_LABELS = {"date_from": "Decided on or after", "date_to": "Decided on or before"}


def value_label(facet: str, value: str) -> str:
    """How a facet value reads on screen (the URL keeps the raw value)."""
    spec = FACETS_BY_NAME.get(facet)
    if spec is not None and spec.kind == "citation_source" and value == NONE:
        return "Cited no medical evidence"
    if facet in ("category", "body_region"):
        return value.replace("_", " ").capitalize()
    return value


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int | None  # None: selected, but outside the engine's top values for this facet
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class FacetBlock:
    name: str
    label: str
    options: tuple[FacetOption, ...]
    selected: int  # how many values are selected
    truncated: bool  # the facet has more values than those listed
    more_url: str | None  # the same search listing more values of this facet
    fewer_url: str | None  # ... back to the usual number, when this facet lists more
    # A facet counted on request (FacetSpec.on_request) and not asked for: the same search
    # counting its values (else None).
    show_url: str | None = None

    @property
    def counted(self) -> bool:
        """Whether the engine counted this facet's values (else only its selected ones are
        listed, without counts)."""
        return self.show_url is None

    @property
    def filterable(self) -> bool:
        """Long enough to deserve a box that filters its values (app.js)."""
        return len(self.options) > FILTERABLE

    def payload(self) -> FacetBlockPayload:
        """The block as the JSON API sends it."""
        return FacetBlockPayload(
            name=self.name,
            label=self.label,
            truncated=self.truncated,
            counted=self.counted,
            values=tuple(
                FacetOptionPayload(o.value, o.label, o.count, o.selected, o.toggle_url)
                for o in self.options
            ),
        )


@dataclass(frozen=True)
class Chip:
    """An active filter, shown with a link that removes it."""

    facet: str
    facet_label: str
    value: str
    label: str
    remove_url: str


def build_facets(
    response: SearchResponse | None,
    state: SearchState,
    url_for: UrlFor,
    *,
    toggle_urls: bool = True,
) -> list[FacetBlock]:
    """One block per facet of the engine, in FACETS order; selected values always listed.

    `toggle_urls=False` leaves them empty: the page's checkboxes submit the form instead, and
    ~90 URLs per page are worth skipping on the hot path.
    """

    def toggle(name: str, value: str) -> str:
        return url_for(state.toggled(name, value)) if toggle_urls else ""

    blocks: list[FacetBlock] = []
    for spec in FACETS:
        ranked: tuple[FacetValue, ...] = response.facets.get(spec.name, ()) if response else ()
        chosen = state.filters.get(spec.name, ())
        # The engine listed one value more than the page shows (SearchState.request), in
        # rank order, then the selected values outside its top: a value with items past the
        # shown ones means the facet has more.
        size = state.facet_size_of(spec.name)
        values = ranked[:size] + tuple(v for v in ranked[size:] if v.value in chosen)
        truncated = size > 0 and any(v.count > 0 for v in ranked[size:])
        options = [
            FacetOption(
                value=v.value,
                label=value_label(spec.name, v.value),
                count=v.count,
                selected=v.selected or v.value in chosen,
                toggle_url=toggle(spec.name, v.value),
            )
            for v in values
        ]
        if spec.name == "year":  # years read best in order, newest first
            options.sort(key=lambda o: o.value, reverse=True)
        listed = {o.value for o in options}
        options.extend(
            FacetOption(
                value=value,
                label=value_label(spec.name, value),
                count=None,
                selected=True,
                toggle_url=toggle(spec.name, value),
            )
            for value in chosen
            if value not in listed
        )
        expanded = spec.name in state.more
        more_url = url_for(state.with_more(spec.name)) if truncated and not expanded else None
        fewer_url = url_for(state.with_more(spec.name, False)) if expanded else None
        show_url = None
        if spec.on_request and not expanded:  # listed when asked for, then with more values
            more_url = None
            show_url = url_for(state.with_more(spec.name))
        blocks.append(
            FacetBlock(
                name=spec.name,
                label=spec.label,
                options=tuple(options),
                selected=len(chosen),
                truncated=truncated,
                more_url=more_url,
                fewer_url=fewer_url,
                show_url=show_url,
            )
        )
    return blocks


def active_filters(state: SearchState, url_for: UrlFor) -> list[Chip]:
    """The selected facet values, then the decision-date bounds, as removable chips."""
    chips: list[Chip] = []
    for spec in FACETS:
        for value in state.filters.get(spec.name, ()):
            chips.append(
                Chip(
                    facet=spec.name,
                    facet_label=spec.label,
                    value=value,
                    label=value_label(spec.name, value),
                    remove_url=url_for(state.toggled(spec.name, value)),
                )
            )
    for name, label in DATE_LABELS.items():
        value = getattr(state, name)
        if value:
            chips.append(Chip(name, label, value, value, url_for(state.removing(name, value))))
    return chips
