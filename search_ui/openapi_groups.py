"""The groups of the API description: each path's tag, in the order the reference shows them.

search_ui.openapi tags every operation with `tagged`; the API reference (search_ui.reference)
lists the groups in this order, with these descriptions.
"""

from __future__ import annotations

from typing import Any

# The groups, in order: (tag, description, path prefixes); first match wins.
TAGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Search",
        "Results, facet counts and outcome rates of a search.",
        ("/api/search", "/api/facets"),
    ),
    (
        "Decisions and similar cases",
        "One decision in full; the decisions most like it, or like a pasted text; how they went.",
        ("/api/items", "/api/similar", "/api/estimate"),
    ),
    (
        "Exports and feeds",
        "Downloads of a search (CSV, JSON), of the citator and reasons (CSV), and the Atom feed "
        "of a search's newest decisions. File names say what they hold and when.",
        ("/export", "/feed"),
    ),
    (
        "Guideline citator",
        "Every guideline and section cited, and how the decisions citing each went.",
        ("/api/guidelines", "/api/sections"),
    ),
    ("Reasons", "What separates upheld from overturned rationales.", ("/api/reasons",)),
    ("Service", "Health of the index.", ("/api/health",)),
)


def tagged(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation tagged with its group (TAGS); the paths in the groups' order."""
    order = [t for t, _, _ in TAGS]

    def tag(path: str) -> str:
        return next((t for t, _, prefixes in TAGS if path.startswith(prefixes)), "Other")

    for path, operations in paths.items():
        for operation in operations.values():
            operation["tags"] = [tag(path)]
    rank = {t: i for i, t in enumerate(order)}
    return dict(sorted(paths.items(), key=lambda item: rank.get(tag(item[0]), len(order))))
