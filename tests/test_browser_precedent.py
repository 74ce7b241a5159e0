"""The citator and the precedent estimate in a real headless Chromium, on a real server (the
browser fixtures of conftest.py: generated letters, Debian's Chromium through Playwright)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import shoot, total

pytestmark = pytest.mark.browser

LONG_TEXT = (
    "The request for 12 sessions of physical therapy for the lumbar spine was non-certified; "
    "the patient has chronic low back pain with radiculopathy and failed home exercise."
)


def test_from_a_guideline_facet_to_its_record_and_its_decisions(  # type: ignore[no-untyped-def]
    server: str,
    page,
    tmp_path: Path,
) -> None:
    page.goto(server + "/")
    record = page.locator("#facet-reviewer_guideline a.facet-cite").first
    assert record.inner_text().split()[0] == "record"  # the name is for screen readers
    with page.expect_navigation():
        record.click()
    title = page.locator("h1.page-title").inner_text()
    assert "/guidelines/" in page.url and title
    chart = page.locator("svg.trend-chart[role=img]")
    assert chart.count() == 1 and title  # the year chart, with its text equivalent
    assert "Decisions relying on it by year" in (chart.get_attribute("aria-label") or "")
    shoot(page, tmp_path, "20-guideline-record")

    # The reviewer row's link lists exactly the decisions it counts.
    reviewer_row = page.locator("#parties-heading + table tbody tr").first
    counted = int(reviewer_row.locator("td.num").first.inner_text().split()[0].replace(",", ""))
    with page.expect_navigation():
        reviewer_row.locator("th a").click()
    assert total(page) == counted

    # A kind of request under it: its row's count is the search's count.
    page.go_back()
    row = page.locator("#concepts-heading ~ table tbody tr").first
    expected = int(row.locator("td.num").first.inner_text().split()[0].replace(",", ""))
    with page.expect_navigation():
        row.locator("th a").click()
    assert total(page) == expected
    assert not page.problems, page.problems


def test_the_index_and_a_misspelt_name(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/guidelines")
    assert page.locator("table.citator-index tbody tr").count() > 3
    page.fill("#name-filter", "odg")
    with page.expect_navigation():
        page.press("#name-filter", "Enter")
    names = page.locator("table.citator-index tbody th").all_inner_texts()
    assert names and all("odg" in n.lower() for n in names)
    shoot(page, tmp_path, "21-guideline-index")

    wanted = names[0]
    response = page.goto(server + "/guidelines/" + wanted[:-1] + "x")  # one letter wrong
    assert response is not None and response.status == 404
    page.problems.clear()  # the console reports the 404 itself
    suggestion = page.locator("ul.suggestions a", has_text=wanted).first
    with page.expect_navigation():
        suggestion.click()
    assert page.locator("h1.page-title").inner_text() == wanted
    assert not page.problems, page.problems


def test_the_estimate_on_an_item_and_on_pasted_text(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/search?sort=date")
    with page.expect_navigation():
        page.locator("ol.hits a").first.click()
    panel = page.locator("section.estimate")
    assert "precedent estimate" in panel.inner_text().lower()
    assert "not a prediction" in panel.locator(".estimate-note").inner_text()
    figure = panel.locator(".estimate-figure").inner_text()
    assert "most similar prior decisions" in figure and "95% interval" in figure
    panel.locator("details.precedents summary").click()
    assert panel.locator("details.precedents li.similar").first.is_visible()
    shoot(page, tmp_path, "22-item-estimate")

    page.goto(server + "/similar")
    page.fill("textarea[name=text]", "lumbar MRI")
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    assert "No estimate" in page.locator("main").inner_text()
    page.fill("textarea[name=text]", LONG_TEXT)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    panel = page.locator("section.estimate")
    assert "Among the 20 most similar decisions" in panel.inner_text()
    assert panel.locator("details.precedents li.similar").count() == 20  # open: listed
    shoot(page, tmp_path, "23-similar-estimate")
    assert not page.problems, page.problems
