"""Example searches on the empty search page: a phrase, an outcome filter, similar cases.

Each example is a real search of the index being served, and is shown only when it finds
something there (the demo corpus always holds its decisions: synthetic.showcase), so a first
visitor clicks into results, never into an empty page. The similar-cases example links to the
item page of the newest decision its search finds, at its similar cases. What each example
finds is kept for EXAMPLES_TTL_S per app (the empty page is the most visited one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Literal

from flask import current_app

from imr_search.contract import Engine
from search_ui import backend
from search_ui.params import SearchState
from search_ui.presentation import item_url, search_url

EXAMPLES_TTL_S = 60.0
_CACHE = "imr_examples"


@dataclass(frozen=True)
class Example:
    """An example: a search, listed as its results or as the cases similar to its top hit."""

    label: str
    query: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    show: Literal["results", "similar"] = "results"

    @property
    def state(self) -> SearchState:
        return SearchState(query=self.query, filters=self.filters)


EXAMPLES: tuple[Example, ...] = (
    Example('Decisions that mention a "hardware block" (a phrase)', '"hardware block"'),
    Example(
        "Hardware removals the reviewer overturned (an outcome filter)",
        'request:"hardware removal"',
        {"outcome": ("Overturned",)},
    ),
    Example(
        "Cases similar to a hardware removal decision",
        'request:"hardware removal"',
        show="similar",
    ),
)


@dataclass(frozen=True)
class ShownExample:
    label: str
    url: str
    note: str  # what the link leads to: "4 decisions", "CM21-0003292-1: Lumbar hardware..."


def _found(engine: Engine, example: Example) -> ShownExample | None:
    """The example as shown, or None when it finds nothing in this index."""
    state = example.state
    if example.show == "results":
        request = state.request(per_page=0, facet_size=0, breakdown=None, highlight=False)
        total = engine.search(request).total
        if not total:
            return None
        noun = "decision" if total == 1 else "decisions"
        return ShownExample(example.label, search_url(state), f"{total:,} {noun}")
    request = replace(state, sort="date").request(
        per_page=1, facet_size=0, breakdown=None, highlight=False
    )
    hits = engine.search(request).hits
    if not hits:
        return None
    doc = hits[0].doc
    url = item_url(doc.id) + "#similar-heading"
    return ShownExample(example.label, url, f"{doc.id}: {doc.treatment} ({doc.outcome})")


@dataclass
class _Found:
    """What the examples found, and when (one per app)."""

    at: float = float("-inf")
    shown: tuple[ShownExample, ...] = ()


def shown_examples() -> tuple[ShownExample, ...]:
    """The examples that find something in the app's index (cached for EXAMPLES_TTL_S)."""
    found: _Found = current_app.extensions.setdefault(_CACHE, _Found())
    now = time.monotonic()
    if now - found.at >= EXAMPLES_TTL_S:
        shown = backend.run(lambda e: tuple(s for s in (_found(e, x) for x in EXAMPLES) if s))
        found.shown, found.at = shown, now  # a race only computes the same twice
    return found.shown
