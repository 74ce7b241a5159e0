"""Filter values in any case in the web UI, the API and the exports (`outcome=overturned`);
an unknown value is a 400 naming the parameter, with the known or closest values."""

from __future__ import annotations

from typing import Any


def _total(client: Any, query: str) -> int:
    response = client.get(f"/api/search?per_page=0&{query}")
    assert response.status_code == 200, response.json
    return int(response.json["total"])


def test_values_in_any_case_select_the_indexed_value(client: Any) -> None:
    exact = _total(client, "outcome=Overturned")
    assert exact > 0
    for typed in ("overturned", "OVERTURNED", "%20overTurned%20"):
        response = client.get(f"/api/search?per_page=0&outcome={typed}")
        assert response.json["total"] == exact
        assert response.json["request"]["filters"] == {"outcome": ["Overturned"]}
        chip = response.json["active_filters"][0]
        assert chip["value"] == "Overturned"
    facets = client.get("/api/facets?facet_size=100").json["facets"]
    guideline = next(f for f in facets if f["name"] == "reviewer_guideline")["values"][0]
    value = guideline["value"]
    typed = value.upper().replace(" ", "%20%20")
    assert _total(client, f"reviewer_guideline={typed}") == guideline["count"]


def test_the_page_shows_the_selected_value_checked(client: Any) -> None:
    page = client.get("/search?outcome=overturned").get_data(as_text=True)
    assert 'name="outcome" value="Overturned"' in page
    checked = page.split('value="Overturned"', 1)[1].split(">", 1)[0]
    assert "checked" in checked


def test_an_unknown_value_is_a_400_with_the_known_values(client: Any) -> None:
    response = client.get("/api/search?outcome=Maybe")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["parameter"] == "outcome"
    assert error["suggestions"] == ["Upheld", "Overturned"]
    assert "'Maybe'" in error["message"] and "Upheld, Overturned" in error["message"]
    facets = client.get("/api/facets?facet_size=100").json["facets"]
    value = next(f for f in facets if f["name"] == "reviewer_guideline")["values"][0]["value"]
    typo = client.get(f"/api/search?reviewer_guideline={value[:-2]}xx")
    assert typo.status_code == 400 and typo.json["error"]["parameter"] == "reviewer_guideline"
    assert value in typo.json["error"]["suggestions"]
    page = client.get("/search?outcome=Maybe")
    assert page.status_code == 400 and "Upheld, Overturned" in page.get_data(as_text=True)
    export = client.get("/export.csv?outcome=maybe")
    assert export.status_code == 400 and export.json["error"]["parameter"] == "outcome"


def test_exports_take_values_in_any_case(client: Any) -> None:
    exact = client.get("/export.csv?outcome=Overturned").get_data(as_text=True)
    assert client.get("/export.csv?outcome=overturned").get_data(as_text=True) == exact
