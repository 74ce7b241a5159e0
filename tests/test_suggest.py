"""imr_search.suggest without an engine: which words may be corrected, how a candidate is
chosen, how the query text is rewritten."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from imr_search.suggest import FEW_RESULTS, best_candidate, correctable, suggestion


def test_correctable_words_are_the_searched_words_as_typed() -> None:
    query = 'treatment:Acupunture -knee "lumbar radiculopaty" gabapentn* L4-S1 NOT tramadl PT'
    found = [(t.word, query[t.start : t.end]) for t in correctable(query)]
    assert found == [
        ("acupunture", "Acupunture"),
        ("lumbar", "lumbar"),
        ("radiculopaty", "radiculopaty"),
    ]
    assert correctable('"unclosed') == []  # a query that does not parse gets none


def test_the_nearest_then_the_most_frequent_candidate_wins() -> None:
    assert best_candidate("acupunture", [("acupuncture", 3), ("acupressure", 50)]) == "acupuncture"
    assert best_candidate("tramdol", [("tramadol", 2), ("tramodol", 9)]) == "tramodol"
    assert best_candidate("knea", [("knee", 5), ("kneel", 40)]) == "knee"
    # Two edits only for words of 6 letters or more; the same first letter; no digits.
    assert best_candidate("knex", [("knee", 5)]) == "knee"
    assert best_candidate("kxex", [("knee", 5)]) is None
    assert best_candidate("radiculopaty", [("xadiculopathy", 9)]) is None
    assert best_candidate("lumbarx", [("lumbar5", 9)]) is None


def _lookup(table: Mapping[str, list[tuple[str, int]]]):  # type: ignore[no-untyped-def]
    def lookup(words: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        return {w: table.get(w, []) for w in words}

    return lookup


def test_only_the_misspelled_words_are_rewritten() -> None:
    lookup = _lookup({"radiculopaty": [("radiculopathy", 12)], "acupunture": [("acupuncture", 3)]})
    query = '(Acupunture OR "lumbar radiculopaty") -knee treatment:ACUPUNTURE'
    assert suggestion(query, 0, lookup, lambda q: 5) == (
        '(Acupuncture OR "lumbar radiculopathy") -knee treatment:ACUPUNCTURE'
    )
    assert suggestion(query, 0, lookup, lambda q: 0) is None  # finds no more
    assert suggestion(query, FEW_RESULTS, lookup, lambda q: 99) is None  # enough already
    assert suggestion("knee", 0, lookup, lambda q: 5) is None  # nothing to correct
