"""Requests the demo corpus always holds, so that the demo shows what the product does.

The README's headline search is `"hardware block"`: a diagnostic injection around spinal
fusion hardware, and the test that decides whether the hardware comes out. Random letters would
hold such decisions only by chance, so the demo (`imr-search demo`) asks `write_corpus` for a
letter about each request below, each decided as given: hardware blocks and hardware removals,
upheld and overturned. They sit at fixed places among the random letters (spread evenly), are
drawn from the same seeded stream as the rest, and their rationales use statements and reasons
of their own (vocabulary.json, by `topic`). The home page's example searches
(search_ui.examples) find them; tests/test_demo_examples.py checks that they do.

SHOWCASE_VERSION is part of the demo's cache folder name: bump it when SHOWCASE changes, so
that an existing demo index is built again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.records import Outcome

__all__ = ["SHOWCASE", "SHOWCASE_VERSION", "Showcase", "showcase_at"]

SHOWCASE_VERSION = 1


@dataclass(frozen=True)
class Showcase:
    """One request a letter of the corpus must be about, and how it was decided."""

    region: str  # a region key of the vocabulary ("lumbar spine")
    category: str  # the treatment category the classifier gives the request
    form: str  # the request, with the region's {side}, {Side} or {level}
    outcome: Outcome
    topic: str  # the rationale's statements and reasons (vocabulary.json tables)


_BLOCK = ("lumbar spine", "injection", "Lumbar hardware block at {level}")
_BLOCK_2 = ("lumbar spine", "injection", "Diagnostic hardware block injection, lumbar {level}")
_REMOVAL = ("lumbar spine", "surgery", "Lumbar hardware removal at {level}")
_REMOVAL_2 = ("lumbar spine", "surgery", "Removal of retained lumbar hardware at {level}")

SHOWCASE: tuple[Showcase, ...] = (
    Showcase(*_BLOCK, "Upheld", "hardware block"),
    Showcase(*_REMOVAL, "Overturned", "hardware removal"),
    Showcase(*_BLOCK_2, "Overturned", "hardware block"),
    Showcase(*_REMOVAL_2, "Upheld", "hardware removal"),
    Showcase(*_BLOCK, "Overturned", "hardware block"),
    Showcase(*_REMOVAL, "Upheld", "hardware removal"),
    Showcase(*_BLOCK_2, "Upheld", "hardware block"),
    Showcase(*_REMOVAL_2, "Overturned", "hardware removal"),
)


def showcase_at(n: int, showcase: Sequence[Showcase]) -> dict[int, Showcase]:
    """Where each showcase letter goes among `n` letters: spread evenly (all of them first
    when there are fewer letters than showcase requests)."""
    if not showcase:
        return {}
    if n <= len(showcase):
        return dict(enumerate(showcase[:n]))
    step = n / len(showcase)
    return {int(k * step + step / 2): request for k, request in enumerate(showcase)}
