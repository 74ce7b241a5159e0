"""End to end in a real headless Chromium (Debian's), driven by Playwright, on a real server.

Search a phrase, tick an outcome facet, open an item, follow a similar case, use the back
button and the keyboard; screenshots go to the test's tmp dir and to artifacts/screenshots/.
Skips with a message when Chromium is not installed (scripts/test.sh installs it). The server,
browser and page fixtures are in tests/conftest.py (devtools/browser.py sets them up).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PHRASE = '"physical therapy"'


def shoot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)


def total(page) -> int:  # type: ignore[no-untyped-def]
    heading = page.locator("#results-heading").inner_text()
    return int(heading.split()[0].replace(",", ""))


def test_search_filter_item_similar_journey(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    assert page.title().startswith("Browse decisions")
    everything = total(page)
    assert everything > 500
    assert page.locator("fieldset.facet").count() >= 9
    shoot(page, tmp_path, "01-browse")

    # Search a phrase.
    page.fill("#q", PHRASE)
    page.press("#q", "Enter")
    page.wait_for_url("**/search?**")
    assert parse_qs(urlsplit(page.url).query)["q"] == [PHRASE]
    found = total(page)
    assert 0 < found < everything
    assert page.locator("ol.hits mark").count() > 0
    shoot(page, tmp_path, "02-phrase")

    # Tick an outcome facet: the page reloads with it in the URL, as a chip, still ticked.
    with page.expect_navigation():
        page.get_by_role("checkbox", name="Overturned").check()
    query = parse_qs(urlsplit(page.url).query)
    assert query["outcome"] == ["Overturned"] and query["q"] == [PHRASE]
    assert page.get_by_role("checkbox", name="Overturned").is_checked()
    assert page.locator(".chip").first.inner_text().startswith("Outcome:")
    narrowed = total(page)
    assert 0 < narrowed <= found
    assert page.locator("ol.hits .badge-upheld").count() == 0
    shoot(page, tmp_path, "03-facet")

    # The back button restores the previous search.
    page.go_back()
    page.wait_for_load_state()
    assert total(page) == found
    page.go_forward()
    page.wait_for_load_state()
    assert total(page) == narrowed

    # Open an item: the query's words are highlighted in its rationale or summary.
    first = page.locator("ol.hits .hit-title a").first
    with page.expect_navigation():
        first.click()
    assert "/item/" in page.url and "q=" in page.url
    assert page.locator("h1.item-title").is_visible()
    assert page.locator(".prose mark").count() > 0
    assert page.get_by_role("heading", name="Similar cases", exact=True).is_visible()
    shoot(page, tmp_path, "04-item")

    # Follow a similar case.
    item_url = page.url
    similar = page.locator(".similar-panel .similar-list a.similar-title").first
    similar_title = similar.inner_text()
    with page.expect_navigation():
        similar.click()
    assert page.url != item_url and "/item/" in page.url
    assert page.locator("h1.item-title").inner_text() == similar_title
    shoot(page, tmp_path, "05-similar-case")

    # Find similar by pasted text.
    page.fill("#similar-text", "Request for lumbar epidural steroid injection for radiculopathy")
    with page.expect_navigation():
        page.get_by_role("button", name="Find similar cases").click()
    assert page.locator(".similar-list li").count() > 0
    shoot(page, tmp_path, "06-find-similar")

    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
    assert not page.problems, page.problems


def test_keyboard_only_use(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # the skip link shows when focused
    shoot(page, tmp_path, "07-skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # "/" jumps to the search box; typing and Enter searches.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("injection")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=injection" in page.url

    # A facet can be ticked from the keyboard (Space), and focus is visible.
    box = page.get_by_role("checkbox", name="Upheld")
    box.focus()
    outline = box.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "outcome=Upheld" in page.url
    # Focus comes back to the ticked box after the reload: the keyboard user keeps their place.
    page.wait_for_function("document.activeElement && document.activeElement.value === 'Upheld'")
    assert page.evaluate("document.activeElement.checked")
    shoot(page, tmp_path, "08-keyboard")


def test_bad_syntax_and_zero_results_in_the_browser(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    resp = page.goto(server + '/search?q="unclosed')
    assert resp is not None and resp.status == 400
    assert "Unclosed quote" in page.locator("[role=alert]").inner_text()
    shoot(page, tmp_path, "09-bad-syntax")
    page.goto(
        server + "/search?q=injection&category=surgery&category=imaging&outcome=Overturned"
        "&year=2013"
    )
    if total(page) == 0:
        assert page.locator(".suggestions a").count() > 0
    shoot(page, tmp_path, "10-zero-or-few")
