"""The index definition and search vocabulary, shared by both engines.

`index.json` is the Elasticsearch settings + mappings (read by people and by the Elasticsearch
engine); `synonyms.txt` is the synonym list that both engines use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Equivalence groups from synonyms.txt: (("pt", "physical therapy", ...), ...)."""
    text = resources.files(__package__).joinpath("synonyms.txt").read_text(encoding="utf-8")
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append(tuple(" ".join(t.split()).lower() for t in line.split(",") if t.strip()))
    return tuple(groups)


def synonym_lines() -> list[str]:
    """The groups as Elasticsearch synonym rules ("a, b, c")."""
    return [", ".join(group) for group in synonym_groups()]


def index_definition() -> dict[str, Any]:
    """Settings and mappings from index.json, with the shared synonym list filled in."""
    text = resources.files(__package__).joinpath("index.json").read_text(encoding="utf-8")
    definition = json.loads(text)
    filters = definition.get("settings", {}).get("analysis", {}).get("filter", {})
    for spec in filters.values():  # index.json names the filter; synonyms.txt holds the list
        if spec.get("type") in ("synonym", "synonym_graph") and "synonyms" not in spec:
            spec["synonyms"] = synonym_lines()
    return definition
