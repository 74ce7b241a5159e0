"""Rule tables are compiled before index workers fork, so that no letter pays for them.

A fresh worker (the first ones, and every replacement after a file was stopped) used to
compile the findings patterns it met on first use: seconds on a busy machine, counted against
the deadline of whichever good letter needed them, which was then reported as too slow.
"""

from __future__ import annotations

from clinical.words import vocabulary
from indexer.derive import warm_rules


def test_warm_rules_compiles_every_findings_pattern() -> None:
    warm_rules()
    phrases = vocabulary().phrases
    assert phrases.sources and set(phrases.compiled) == set(phrases.sources)
