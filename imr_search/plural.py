"""Counted nouns as people write them: "1 item", "2,000 items", "1 process", "3 processes".

One helper for every count the command line and the server print (never "1 items").
"""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """`n` with its noun: the noun as given for 1, else `many` (default: noun + "s")."""
    return f"{n:,} {noun if n == 1 else many or noun + 's'}"
