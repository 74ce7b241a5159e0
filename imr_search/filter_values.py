"""Filter values as people type them, matched to the values the index holds.

A facet filter selects an exact value in both engines (keyword terms, facet bitsets), so
`outcome=overturned` would find nothing, and a misspelt guideline would quietly give 0
results. `FilterValues.canonical(filters)` gives each value the index's own spelling, matched
without regard to case or runs of spaces, and raises `UnknownValue` (an InvalidParameter:
HTTP 400 in the API, exit status 2 in the CLI) naming the facet, with the values it knows
(closed vocabularies, short lists) or the closest ones (difflib) otherwise.

Where the values come from:

- closed vocabularies are fixed here and cost nothing: `outcome` (mappings.schema.OUTCOMES)
  and the citation-source facets (MTUS, ODG, other, none);
- every other facet (kinds of request, guidelines, sections, specialties, years...) has the
  values present in the index: one search with every facet at up to MAX_ENGINE_FACET_SIZE
  values (`index_values`), read when first needed and kept for `max_age` seconds. A value
  not among them makes it read again first (at most every `min_refresh` seconds), so a value
  that a rebuilt index has just gained is found at once. A facet that has more values than
  were read is not checked: a value outside its top ones is passed on as typed.

The CLI makes one per command; the web app keeps one per app (search_ui.backend).
"""

from __future__ import annotations

import difflib
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from imr_search.contract import MAX_ENGINE_FACET_SIZE, Engine, SearchRequest
from imr_search.errors import InvalidParameter
from mappings.facets import FACETS, FACETS_BY_NAME, NONE, ON_REQUEST
from mappings.schema import CITATION_SOURCES, OUTCOMES

CLOSED: dict[str, tuple[str, ...]] = {
    spec.name: (*CITATION_SOURCES, NONE) for spec in FACETS if spec.kind == "citation_source"
}
CLOSED["outcome"] = OUTCOMES
LIST_ALL_UP_TO = 15  # a facet with this many values or fewer: the message lists them all
SUGGESTIONS = 5
MAX_AGE_S = 60.0
MIN_REFRESH_S = 1.0


class UnknownValue(InvalidParameter):
    """A filter value that no decision in the index has; `suggestions` are known values."""

    def __init__(self, facet: str, value: str, suggestions: tuple[str, ...], every: bool) -> None:
        if every:
            any_case = any(ch.isalpha() for v in suggestions for ch in v)
            hint = "use one of: " + ", ".join(suggestions) + (" (in any case)" if any_case else "")
        elif suggestions:
            hint = "the closest known values: " + "; ".join(suggestions)
        else:
            hint = "no known value is close; see the facet's values in a search's facet list"
        super().__init__(facet, f"no decision has the value {value!r}; {hint}")
        self.value = value
        self.suggestions = suggestions


def key(value: str) -> str:
    """How values are compared: case and runs of white space do not count."""
    return " ".join(value.split()).casefold()


def closest(value: str, names: Sequence[str], n: int = SUGGESTIONS) -> tuple[str, ...]:
    """The names closest to a misspelt or partial one: difflib's closest, then those that
    contain it."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(key(name), name)
    wanted = key(value)
    close = difflib.get_close_matches(wanted, list(by_key), n=n, cutoff=0.5)
    containing = [k for k in by_key if wanted and wanted in k]
    return tuple(by_key[k] for k in dict.fromkeys([*close, *containing]))[:n]


@dataclass(frozen=True)
class Vocabulary:
    """The values of one facet: by comparison key, and whether the list is complete."""

    values: tuple[str, ...]
    by_key: Mapping[str, str]
    complete: bool

    @classmethod
    def of(cls, values: Iterable[str], complete: bool = True) -> Vocabulary:
        listed = tuple(values)
        by_key: dict[str, str] = {}
        for value in listed:  # most frequent first: it wins a tie between spellings
            by_key.setdefault(key(value), value)
        return cls(listed, by_key, complete)


def index_values(engine: Engine) -> dict[str, Vocabulary]:
    """The values of every facet present in the index (one search, no documents read)."""
    request = SearchRequest(
        per_page=0,
        facet_size=MAX_ENGINE_FACET_SIZE,
        facet_sizes=dict.fromkeys(ON_REQUEST, MAX_ENGINE_FACET_SIZE),
        breakdown=None,
        highlight=False,
    )
    response = engine.search(request)
    return {
        name: Vocabulary.of((v.value for v in values), complete=len(values) < MAX_ENGINE_FACET_SIZE)
        for name, values in response.facets.items()
    }


class FilterValues:
    """Canonical filter values for one index (see the module docstring)."""

    def __init__(
        self,
        fetch: Callable[[], Mapping[str, Vocabulary]],
        *,
        max_age: float = MAX_AGE_S,
        min_refresh: float = MIN_REFRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._min_refresh = min_refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._known: Mapping[str, Vocabulary] | None = None
        self._read_at = float("-inf")

    @classmethod
    def of(cls, engine: Engine) -> FilterValues:
        """For one engine (the CLI: one per command)."""
        return cls(lambda: index_values(engine))

    def canonical(self, filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """The filters with each value as the index spells it; UnknownValue for a value
        no decision has. Facet names are not checked here (the engine's request does)."""
        out: dict[str, list[str]] = {}
        for facet, values in filters.items():
            if isinstance(values, str):
                values = [values]  # the request's own check names this mistake
            found: list[str] = []
            for value in values:
                found.append(self._one(facet, value) if facet in FACETS_BY_NAME else value)
            out[facet] = list(dict.fromkeys(found))
        return out

    def _one(self, facet: str, value: str) -> str:
        if facet in CLOSED:
            vocabulary = Vocabulary.of(CLOSED[facet])
            found = vocabulary.by_key.get(key(value))
            if found is None:
                raise UnknownValue(facet, value, vocabulary.values, every=True)
            return found
        vocabulary = self._vocabulary(facet, fresh=False)
        found = vocabulary.by_key.get(key(value))
        if found is None:  # perhaps new in the index since the values were read
            vocabulary = self._vocabulary(facet, fresh=True)
            found = vocabulary.by_key.get(key(value))
        if found is not None:
            return found
        if not vocabulary.complete:
            return value  # beyond the values read: the engine decides
        every = len(vocabulary.values) <= LIST_ALL_UP_TO
        if every:
            shown = tuple(sorted(vocabulary.values, key=_order(facet)))
        else:
            shown = closest(value, vocabulary.values)
        raise UnknownValue(facet, value, shown, every=every and bool(shown))

    def _vocabulary(self, facet: str, *, fresh: bool) -> Vocabulary:
        with self._lock:
            now = self._clock()
            age = now - self._read_at
            if self._known is None or age >= self._max_age or (fresh and age >= self._min_refresh):
                self._known = self._fetch()
                self._read_at = self._clock()
            return self._known.get(facet) or Vocabulary.of(())


def _order(facet: str) -> Callable[[str], tuple[int, str]]:
    """Values listed in a message: numbers (years) in order, else alphabetically."""
    numeric = FACETS_BY_NAME[facet].numeric
    return lambda v: (int(v) if numeric and v.lstrip("-").isdigit() else 0, v)
