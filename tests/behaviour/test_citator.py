"""The guideline citator (imr_search.citator) on the citator corpus (any engine).

Every expected number is counted from the table in citator_corpus.py's docstring; the
comments name the decisions counted. The MRI decisions (M01..M20) cite nothing and never
appear here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from imr_search import citator
from imr_search.citator import IndexRow, NotCited
from imr_search.contract import BreakdownRow, Engine, FacetValue, OutcomeRate, SearchRequest
from imr_search.errors import ItemNotFound

from .citator_corpus import (
    AC,
    BRACE_LABEL,
    CP,
    CP_OPIOIDS,
    ESI_LABEL,
    LB,
    LB_ESIS,
    LB_MRIS,
    LB_PT,
    LB_SUPPORTS,
    NK,
    PN,
    PN_OPIOIDS,
    PN_TENS,
    PT_LABEL,
)


def _rate(rate: OutcomeRate) -> tuple[int, int]:
    return (rate.upheld, rate.overturned)


def _rows(rows: Sequence[BreakdownRow]) -> list[tuple[str, int, int]]:
    return [(row.value, row.rate.upheld, row.rate.overturned) for row in rows]


def _values(values: Sequence[FacetValue]) -> list[tuple[str, int]]:
    return [(v.value, v.count) for v in values]


# --- the index ----------------------------------------------------------------------------


def test_index_of_guidelines(citator_engine: Engine) -> None:
    """Most cited (reviewer + administrator) first, ties by name: AC and CP both 4."""
    assert citator.index(citator_engine) == [
        IndexRow(LB, 7, 8),  # R1..R7 | R1 R3 R5 R7 A1 A2 A3 A4
        IndexRow(PN, 6, 1),  # R2 R4 R6 A3 P1 P2 | P1
        IndexRow(AC, 2, 2),  # R3 A1 | R4 A4
        IndexRow(CP, 2, 2),  # R5 A2 | R2 P2
        IndexRow(NK, 0, 1),  # only the administrator of P2
    ]


def test_index_of_sections(citator_engine: Engine) -> None:
    assert citator.index(citator_engine, "section") == [
        IndexRow(LB_PT, 4, 3),  # R1 R2 R3 R7 | R1 R3 A1
        IndexRow(LB_SUPPORTS, 2, 1),  # R5 R7 | R5
        IndexRow(PN_OPIOIDS, 3, 0),  # R2 R6 P2
        IndexRow(PN_TENS, 2, 1),  # A3 P1 | P1
        IndexRow(CP_OPIOIDS, 0, 1),  # administrator of R2
        IndexRow(LB_ESIS, 1, 0),  # R4
        IndexRow(LB_MRIS, 0, 1),  # administrator of R7
    ]


# --- a guideline's report -----------------------------------------------------------------


def test_report_outcomes_by_party(citator_engine: Engine) -> None:
    report = citator.report(citator_engine, LB)
    assert (report.kind, report.name) == ("guideline", LB)
    assert (report.reviewer_facet, report.administrator_facet) == (
        "reviewer_guideline",
        "admin_guideline",
    )
    # Upheld R1 R3 R4 R6; Overturned R2 R5 R7 (R7 cites it twice: one decision).
    assert _rate(report.reviewer) == (4, 3)
    # Upheld R1 R3 A1 A3 A4; Overturned R5 R7 A2.
    assert _rate(report.administrator) == (5, 3)
    # Both parties: R1 R3 (Upheld), R5 R7 (Overturned).
    assert _rate(report.both) == (2, 2)
    # The administrator's, decided by the reviewer on other grounds: A1 A3 A4 | A2.
    assert _rate(report.only_administrator) == (3, 1)


def test_report_kinds_of_request_and_years(citator_engine: Engine) -> None:
    report = citator.report(citator_engine, LB)
    assert _rows(report.concepts) == [
        (PT_LABEL, 2, 2),  # R1 R3 | R2 R7
        (ESI_LABEL, 2, 0),  # R4 R6
        (BRACE_LABEL, 0, 1),  # R5
    ]
    # In year order, not by count (2017 has the most); 2018 has no reviewer citation of it.
    assert _rows(report.years) == [
        ("2016", 1, 1),  # R1 | R2
        ("2017", 2, 1),  # R3 R4 | R5
        ("2019", 1, 1),  # R6 | R7
    ]


def test_co_cited_counts_only_the_decisions_relying_on_it(citator_engine: Engine) -> None:
    """The other guidelines of R1..R7 with the outcomes of those decisions: ODG Pain in R2 R4
    R6 (3 of its 6 decisions), ACOEM in R3 (1 of 2), Chronic Pain in R5 (1 of 2). Counts over
    the whole corpus (a facet that ignores its own selection) would be 6, 2 and 2."""
    report = citator.report(citator_engine, LB)
    assert _rows(report.co_cited) == [(PN, 2, 1), (AC, 1, 0), (CP, 0, 1)]
    assert LB not in {row.value for row in report.co_cited}
    whole = citator_engine.search(SearchRequest(per_page=0, facet_size=100))
    counts = dict(_values(whole.facets["reviewer_guideline"]))
    assert (counts[PN], counts[AC], counts[CP]) == (6, 2, 2)


def test_co_cited_the_other_way(citator_engine: Engine) -> None:
    report = citator.report(citator_engine, PN)
    assert _rows(report.co_cited) == [(LB, 2, 1)]  # R4 R6 | R2 (of LB's 7)


def test_sections_are_only_the_guidelines_own(citator_engine: Engine) -> None:
    """R2 and R6 also rely on ODG Pain's opioid section, and the administrator of R7 cited
    the MRI section: neither is a section of the reviewer's ODG Low Back citations."""
    report = citator.report(citator_engine, LB)
    assert _values(report.sections) == [
        (LB_PT, 4),  # R1 R2 R3 R7
        (LB_SUPPORTS, 2),  # R5 R7
        (LB_ESIS, 1),  # R4
    ]
    pain = citator.report(citator_engine, PN)
    assert _values(pain.sections) == [(PN_OPIOIDS, 3), (PN_TENS, 2)]  # R2 R6 P2 | A3 P1


def test_report_of_another_guideline(citator_engine: Engine) -> None:
    report = citator.report(citator_engine, PN)
    assert _rate(report.reviewer) == (3, 3)  # R4 R6 A3 | R2 P1 P2
    assert _rate(report.administrator) == (0, 1)  # P1
    assert _rate(report.both) == (0, 1)  # P1
    assert _rate(report.only_administrator) == (0, 0)
    assert _rows(report.concepts) == [
        (ESI_LABEL, 2, 0),  # R4 R6
        ("TENS unit", 1, 1),  # A3 | P1
        ("Hydrocodone/acetaminophen", 0, 1),  # P2
        (PT_LABEL, 0, 1),  # R2
    ]
    assert _rows(report.years) == [
        ("2016", 0, 1),  # R2
        ("2017", 1, 0),  # R4
        ("2018", 1, 2),  # A3 | P1 P2
        ("2019", 1, 0),  # R6
    ]


def test_a_guideline_only_the_administrator_cited(citator_engine: Engine) -> None:
    report = citator.report(citator_engine, NK)
    assert _rate(report.reviewer) == (0, 0)
    assert _rate(report.administrator) == (0, 1)  # P2
    assert _rate(report.both) == (0, 0)
    assert _rate(report.only_administrator) == (0, 1)
    assert (report.concepts, report.years, report.co_cited, report.sections) == ((), (), (), ())


# --- a section's report -------------------------------------------------------------------


def test_section_report(citator_engine: Engine) -> None:
    report = citator.report(citator_engine, LB_PT, kind="section")
    assert (report.reviewer_facet, report.administrator_facet) == (
        "reviewer_section",
        "admin_section",
    )
    assert _rate(report.reviewer) == (2, 2)  # R1 R3 | R2 R7
    assert _rate(report.administrator) == (3, 0)  # R1 R3 A1
    assert _rate(report.both) == (2, 0)  # R1 R3
    assert _rate(report.only_administrator) == (1, 0)  # A1
    assert _rows(report.concepts) == [(PT_LABEL, 2, 2)]
    assert _rows(report.years) == [("2016", 1, 1), ("2017", 1, 0), ("2019", 0, 1)]
    # The other sections the reviewer relied on in R1 R2 R3 R7: R2's ODG Pain opioids, R7's
    # lumbar supports (both Overturned; over the corpus they have 3 and 2 decisions).
    assert _rows(report.co_cited) == [(LB_SUPPORTS, 0, 1), (PN_OPIOIDS, 0, 1)]
    assert report.sections == ()


# --- names nobody cites -------------------------------------------------------------------


def test_a_misspelt_guideline_is_not_cited_and_gets_suggestions(citator_engine: Engine) -> None:
    with pytest.raises(NotCited) as caught:
        citator.report(citator_engine, "ODG Low Bak")
    error = caught.value
    assert isinstance(error, ItemNotFound)
    assert (error.kind, error.name) == ("guideline", "ODG Low Bak")
    assert error.suggestions[0] == LB
    assert set(error.suggestions) <= {LB, PN, AC, CP, NK}
    assert f"Did you mean: {LB}" in str(error)


def test_names_are_exact_but_suggestions_ignore_case(citator_engine: Engine) -> None:
    with pytest.raises(NotCited) as caught:
        citator.report(citator_engine, LB.lower())
    assert caught.value.suggestions[0] == LB


def test_suggestions(citator_engine: Engine) -> None:
    # The close match "ODG: Pain", then every name containing "pain" in index order.
    assert citator.suggest(citator_engine, "pain") == (PN, CP)
    assert citator.suggest(citator_engine, "Opioids", "section") == (PN_OPIOIDS, CP_OPIOIDS)
    assert citator.suggest(citator_engine, "Hyperbaric oxygen") == ()


def test_an_unknown_name_without_suggestions(citator_engine: Engine) -> None:
    with pytest.raises(NotCited) as caught:
        citator.report(citator_engine, "Hyperbaric oxygen")
    assert caught.value.suggestions == ()
    assert "Did you mean" not in str(caught.value)
    with pytest.raises(NotCited) as section:
        citator.report(citator_engine, "ODG Low Back: Acupuncture", kind="section")
    assert section.value.kind == "section"
    assert section.value.suggestions[0] in {LB_PT, LB_SUPPORTS, LB_ESIS, LB_MRIS}


# --- guideline sections: a facet counted on request ------------------------------------------


def test_sections_are_counted_only_when_asked_for(citator_engine: Engine) -> None:
    """Sections are hundreds of values, several per decision: a search lists them only when
    `facet_sizes` names them; a selected section is listed (with its count) either way."""
    plain = citator_engine.search(SearchRequest(per_page=0))
    assert plain.facets["reviewer_section"] == () and plain.facets["admin_section"] == ()
    assert plain.facets["reviewer_guideline"]  # the other facets as usual
    asked = citator_engine.search(SearchRequest(per_page=0, facet_sizes={"reviewer_section": 3}))
    assert _values(asked.facets["reviewer_section"]) == [
        (LB_PT, 4),
        (PN_OPIOIDS, 3),
        (LB_SUPPORTS, 2),
    ]
    assert asked.facets["admin_section"] == ()
    chosen = citator_engine.search(SearchRequest(filters={"reviewer_section": [PN_TENS]}))
    assert [(v.value, v.count, v.selected) for v in chosen.facets["reviewer_section"]] == [
        (PN_TENS, 2, True)
    ]
    assert chosen.total == 2
