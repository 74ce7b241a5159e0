"""The shared synonym list (synonyms.txt): groups of terms that mean the same thing."""

from __future__ import annotations

from functools import cache
from importlib import resources


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
