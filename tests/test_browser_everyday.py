"""Everyday use in a real Chromium: the form follows the URL through back and forward, the
phone and desktop layouts, facet search boxes and "more values", results per page, the item
page's letter file and its print styling. Fixtures: tests/conftest.py (devtools/browser.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from devtools.browser import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def box(page: Any, facet: str, value: str) -> Any:
    return page.locator(f'input[type=checkbox][name="{facet}"][value="{value}"]')


def test_back_and_forward_leave_the_form_as_the_url_says(server: str, page: Any) -> None:
    page.goto(server + "/search?q=therapy")
    upheld, overturned = box(page, "outcome", "Upheld"), box(page, "outcome", "Overturned")
    with page.expect_navigation():
        overturned.check()
    assert query_of(page)["outcome"] == ["Overturned"]

    page.go_back()
    page.wait_for_load_state()
    assert "outcome" not in query_of(page)
    assert not overturned.is_checked(), "the filter the URL no longer has is still ticked"
    assert not upheld.is_checked()

    # The next click applies that filter alone: the removed one does not come back.
    with page.expect_navigation():
        upheld.check()
    assert query_of(page)["outcome"] == ["Upheld"]
    assert upheld.is_checked() and not overturned.is_checked()

    # Back twice, then forward: the form follows each page.
    page.go_back()
    page.wait_for_load_state()
    page.go_forward()
    page.wait_for_load_state()
    assert query_of(page)["outcome"] == ["Upheld"]
    assert upheld.is_checked() and not overturned.is_checked()

    # A select changed before leaving the page is back to the URL's value too.
    page.go_back()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.select_option("#sort", "date")
    assert query_of(page)["sort"] == ["date"] and "outcome" not in query_of(page)
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("#sort").input_value() == "relevance"
    assert page.locator("#q").input_value() == "therapy"
    assert not page.problems, page.problems


def layout_facts(page: Any) -> dict[str, Any]:
    """Where things are, in CSS pixels from the top of the page."""
    return page.evaluate(
        """() => {
        const top = (el) => el ? el.getBoundingClientRect().top + window.scrollY : null;
        const hits = [...document.querySelectorAll('ol.hits > li.hit')];
        const fold = window.innerHeight;
        return {
          viewport: [window.innerWidth, window.innerHeight],
          scrollWidth: document.documentElement.scrollWidth,
          filtersOpen: document.getElementById('filters').open,
          summaryShown: document.querySelector('.filters-summary').checkVisibility(),
          summaryTop: top(document.querySelector('.filters-summary')),
          headingTop: top(document.getElementById('results-heading')),
          firstHitTop: top(hits[0]),
          hitsFullyShown: hits.filter(h => h.getBoundingClientRect().bottom <= fold).length,
          hitsStarted: hits.filter(h => h.getBoundingClientRect().top < fold).length,
          facetShown: document.querySelector('fieldset.facet').checkVisibility(),
          railLeft: document.querySelector('.outcomes').getBoundingClientRect().left,
          listRight: document.querySelector('ol.hits').getBoundingClientRect().right,
        };
    }"""
    )


def test_phone_layout_results_first_filters_in_a_disclosure(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server + "/search?q=therapy")
    facts = layout_facts(page)
    assert facts["scrollWidth"] <= PHONE["width"], "horizontal overflow"
    assert facts["summaryShown"] and not facts["filtersOpen"] and not facts["facetShown"]
    assert facts["summaryTop"] < facts["headingTop"] < facts["firstHitTop"]
    assert facts["firstHitTop"] < PHONE["height"], "the first result is below the fold"
    assert page.locator(".filters-summary").inner_text().strip() == "Filters"

    # Open the filters, tap a value: the page comes back with the filters still open where
    # the tap was (not thousands of pixels down), counting the selection.
    page.locator(".filters-summary").tap()
    upheld = box(page, "outcome", "Upheld")
    assert upheld.is_visible()
    with page.expect_navigation():
        upheld.tap()
    page.wait_for_function("document.activeElement && document.activeElement.value === 'Upheld'")
    assert query_of(page)["outcome"] == ["Upheld"]
    assert page.locator(".filters-summary").inner_text().strip() == "Filters (1 selected)"
    assert page.evaluate("window.scrollY") < PHONE["height"]
    assert upheld.is_checked() and upheld.is_visible()
    # "Show the results" closes them again.
    page.locator(".filters-done").tap()
    facts = layout_facts(page)
    assert not facts["filtersOpen"] and facts["firstHitTop"] < PHONE["height"]
    assert facts["scrollWidth"] <= PHONE["width"]
    context.close()


def test_phone_filters_work_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/search?q=therapy")
    assert not page.locator("fieldset.facet").first.is_visible()
    page.locator(".filters-summary").click()
    box(page, "outcome", "Overturned").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert query_of(page)["outcome"] == ["Overturned"]
    context.close()


def test_desktop_shows_four_results_above_the_fold(browser: Any, server: str) -> None:
    for js in (True, False):
        context = browser.new_context(viewport=DESKTOP, java_script_enabled=js)
        page = context.new_page()
        page.goto(server + "/search?q=therapy")
        facts = layout_facts(page)
        assert facts["scrollWidth"] <= DESKTOP["width"], "horizontal overflow"
        assert not facts["summaryShown"] and facts["facetShown"], "filters hidden on desktop"
        assert facts["hitsFullyShown"] >= 4 and facts["hitsStarted"] >= 5, facts
        assert facts["railLeft"] >= facts["listRight"], "outcomes beside the results"
        if js:
            assert facts["filtersOpen"]
        context.close()


def test_a_long_facet_filters_its_values_as_one_types(server: str, page: Any) -> None:
    page.goto(server + "/search?more=concept&concept=MRI")
    fieldset = page.locator("#facet-concept")
    search = fieldset.get_by_role("searchbox", name="Filter Kind of request values")
    items = fieldset.locator(".facet-values li")
    total = items.count()
    assert total > 20
    search.fill("inj")
    shown = [t for t in items.all_inner_texts() if t.strip()]
    visible = fieldset.locator(".facet-values li:visible")
    labels = visible.locator(".facet-label").all_inner_texts()
    assert 1 < len(labels) < total and shown
    assert all("inj" in label.lower() or label == "MRI" for label in labels)
    assert "MRI" in labels  # selected values always stay
    search.fill("zzzz")
    assert fieldset.locator(".facet-nomatch").inner_text().startswith("No value")
    search.press("Escape")
    assert visible.count() == total
    # Outside the filter box's facet, short facets have none.
    assert page.locator("#facet-outcome .facet-filter").count() == 0
    # "Fewer values" goes back to ten, keeping the selection.
    with page.expect_navigation():
        fieldset.get_by_role("link", name="Fewer values of Kind of request").click()
    assert "more" not in query_of(page) and query_of(page)["concept"] == ["MRI"]
    assert page.locator("#facet-concept .facet-values li").count() <= 11
    assert not page.problems, page.problems


def test_more_values_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/search")
    assert page.locator(".facet-filter").count() == 0
    assert page.locator("#facet-concept .facet-values li").count() == 10
    with page.expect_navigation():
        page.get_by_role("link", name="More values of Kind of request").click()
    assert query_of(page)["more"] == ["concept"]
    assert page.locator("#facet-concept .facet-values li").count() > 10
    assert page.locator("#facet-category .facet-values li").count() <= 10
    context.close()


def test_results_per_page_menu(server: str, page: Any) -> None:
    page.goto(server + "/search?q=therapy&decisions=about")
    assert page.locator("ol.hits > li").count() == 20
    with page.expect_navigation():
        page.select_option("#per_page", "50")
    assert query_of(page)["per_page"] == ["50"] and query_of(page)["decisions"] == ["about"]
    assert page.locator("ol.hits > li").count() == 50
    with page.expect_navigation():
        box(page, "outcome", "Upheld").check()  # the choice is kept by the next search
    assert query_of(page)["per_page"] == ["50"] and query_of(page)["decisions"] == ["about"]
    with page.expect_navigation():
        page.select_option("#per_page", "20")
    assert "per_page" not in query_of(page)  # the default stays out of the URL
    assert not page.problems, page.problems


def test_item_page_links_its_letter_and_prints_cleanly(server: str, page: Any) -> None:
    page.goto(server + "/search?q=therapy")
    with page.expect_navigation():
        page.locator("ol.hits .hit-title a").first.click()
    link = page.get_by_role("link", name="Open the original letter")
    assert link.is_visible()
    response = page.request.get(server + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"].startswith("inline; filename=")
    assert "INDEPENDENT MEDICAL REVIEW" in response.text().upper()
    assert page.locator(".site-header").is_visible()
    page.emulate_media(media="print")
    for hidden in (
        ".site-header",
        ".searchbar",
        ".site-footer",
        ".similar-options",
        ".breadcrumbs",
    ):
        assert page.locator(hidden).count() == 0 or not page.locator(hidden).first.is_visible()
    assert page.locator(".rationale").is_visible()
    assert page.locator(".print-only").first.is_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.letter-file a'), '::after').content"
    )
    assert "/letter" in after  # the printed page says where the letter is
    page.emulate_media(media="screen")
    assert page.locator(".site-header").is_visible()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page: Any) -> list[tuple[str, str, Any]]:
    """axe-core's violations on the page as it is now (axe.min.js as the PyPI package
    axe-playwright-python ships it)."""
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python missing")
    source = (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    page.evaluate(source)  # evaluated by the driver: the page's CSP does not apply
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [(v["id"], v["help"], v["nodes"][0]["target"]) for v in found["violations"]]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pages_have_no_axe_violations(browser: Any, server: str, viewport: Any) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(server + "/search?q=therapy&more=concept&outcome=Upheld")
    if viewport is PHONE:
        assert axe_violations(page) == []
        page.locator(".filters-summary").click()  # and with the filters open
    page.locator("#facet-concept .facet-filter").fill("th")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.locator("ol.hits .hit-title a").first.click()
    assert axe_violations(page) == []
    context.close()
