"""The citator, reasons and estimate pages through the web layer: each page has its JSON twin
(Link header, same numbers), its CSV export, a 404 that lists the closest names, and a clear
400 for bad input. The numbers themselves are checked per engine in the behaviour suite."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from imr_search import citator
from imr_search.engines import open_engine

ODG = "ODG: Low Back"
ODG_PATH = "/guidelines/" + quote(ODG, safe=":")  # as url_for writes it
LONG_TEXT = (
    "The request for 12 sessions of physical therapy for the lumbar spine was non-certified; "
    "the patient has chronic low back pain with radiculopathy."
)


def _alternate(response: Any) -> str:
    match = re.match(r"<([^>]+)>", response.headers["Link"])
    assert match, response.headers.get("Link")
    return match.group(1)


def test_the_guideline_index_lists_what_the_engine_counts(app: Any, client: FlaskClient) -> None:
    page = client.get("/guidelines")
    assert page.status_code == 200
    body = client.get(_alternate(page)).json
    engine = open_engine(app.config["IMR_SEARCH_INDEX"])
    try:
        expected = [(r.name, r.reviewer, r.administrator) for r in citator.index(engine)]
    finally:
        engine.close()
    assert [(e["name"], e["reviewer"], e["administrator"]) for e in body["entries"]] == expected
    html = page.get_data(as_text=True)
    for entry in body["entries"]:
        assert f'href="{entry["html_url"]}"' in html


def test_the_index_filters_names_case_blind(client: FlaskClient) -> None:
    body = client.get("/api/guidelines?q=odg").json
    assert [e["name"] for e in body["entries"]] == [ODG]
    assert body["filter"] == "odg" and body["total"] > 1
    assert "No guideline name contains" in client.get("/guidelines?q=zzz").get_data(as_text=True)


def test_a_guideline_page_and_its_twin_say_the_same(client: FlaskClient) -> None:
    page = client.get(ODG_PATH)
    assert page.status_code == 200
    report = client.get(_alternate(page)).json
    assert report["name"] == ODG and report["kind"] == "guideline"
    rates = report["rates"]
    assert rates["reviewer"]["total"] == 14 and rates["administrator"]["total"] == 28
    both, only = rates["both"]["total"], rates["only_administrator"]["total"]
    assert both + only == rates["administrator"]["total"]
    html = page.get_data(as_text=True)
    # every row links to the search listing its decisions, and that search counts them
    listing = client.get(report["links"]["reviewer_decisions"].replace("/search", "/api/search"))
    assert listing.json["total"] == rates["reviewer"]["total"]
    for row in report["concepts"]:
        assert row["search_url"].replace("&", "&amp;") in html
        found = client.get(row["search_url"].replace("/search", "/api/search", 1)).json
        assert found["total"] == row["total"]
    assert sum(r["total"] for r in report["years"]) == rates["reviewer"]["total"]
    assert 'role="img"' in html and "Its use by year" in html  # the chart, with its table


def test_co_cited_guidelines_count_the_decisions_relying_on_both(client: FlaskClient) -> None:
    report = client.get("/api/guidelines/" + quote(ODG)).json
    for row in report["co_cited"]:
        other = row["value"]
        found = client.get(
            "/api/search?per_page=100&facet_size=0&breakdown=none&reviewer_guideline=" + quote(ODG)
        ).json
        both = [
            i
            for i in found["items"]
            if {c["label"] for c in i["citations"] if c["party"] == "reviewer"} >= {ODG, other}
        ]
        assert row["total"] == len(both), other


def test_an_unknown_guideline_is_a_404_with_the_closest_names(client: FlaskClient) -> None:
    page = client.get("/guidelines/ODG%20Low%20Bak")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert f'<a href="{ODG_PATH}">{ODG}</a>' in html
    api = client.get("/api/guidelines/ODG%20Low%20Bak")
    assert api.status_code == 404
    assert api.json["error"]["suggestions"][0] == ODG
    assert client.get("/export/guideline.csv?name=ODG%20Low%20Bak").status_code == 404


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/guidelines/" + "x" * 300, "name"),
        ("/guidelines?q=" + "x" * 300, "q"),
        ("/api/guidelines?nope=1", "nope"),
        (ODG_PATH + "?page=2", "page"),
        ("/export/guideline.csv", "name"),
        ("/api/reasons?outcome=Upheld&page=0", "page"),
        ("/api/reasons?q=%22unclosed", "q"),
        ("/api/estimate?text=knee+MRI", "text"),
        ("/api/items/CM17-0001034-1/estimate?k=0", "k"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    client: FlaskClient, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith(("/api", "/export")):
        assert response.json["error"]["parameter"] == parameter
    else:
        assert parameter in response.get_data(as_text=True)


def test_the_guideline_export_holds_the_reports_numbers(client: FlaskClient) -> None:
    report = client.get("/api/guidelines/" + quote(ODG)).json
    response = client.get(report["links"]["export_csv"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    first = rows[0]
    assert first["part"] == "reviewer relied on it" and first["value"] == ODG
    assert int(first["decisions"]) == report["rates"]["reviewer"]["total"]
    assert int(first["upheld"]) == report["rates"]["reviewer"]["upheld"]
    kinds = [r for r in rows if r["part"] == "kind of request"]
    assert [r["value"] for r in kinds] == [c["value"] for c in report["concepts"]]
    index = client.get("/export/guidelines.csv").get_data(as_text=True).splitlines()
    assert index[0] == "name,reviewer_decisions,claims_administrator_decisions,url"


def test_item_citations_and_guideline_facets_link_to_the_citator(client: FlaskClient) -> None:
    search = client.get("/search").get_data(as_text=True)
    assert f'class="facet-cite" href="{ODG_PATH}"' in search
    found = client.get("/api/search?reviewer_guideline=" + quote(ODG) + "&per_page=1").json
    item = client.get(found["items"][0]["html_url"]).get_data(as_text=True)
    assert f'href="{ODG_PATH}"' in item


def test_the_reasons_page_and_its_twin(client: FlaskClient) -> None:
    page = client.get("/reasons?q=physical+therapy&outcome=Upheld")
    assert page.status_code == 200
    body = client.get(_alternate(page)).json
    assert body["filters"] == {}  # the outcome filter is left out
    lists = body["reasons"]
    assert lists["read"] == lists["upheld_read"] + lists["overturned_read"]
    html = page.get_data(as_text=True)
    for entry in lists["upheld"] + lists["overturned"]:
        assert entry["text"] in html
        if entry["kind"] == "phrase":
            assert "rationale%3A%22" in entry["html_url"]
    csv_text = client.get(body["links"]["export_csv"]).get_data(as_text=True)
    assert csv_text.splitlines()[0] == "leans,kind,text,upheld,overturned,g2,url"
    assert "What separated" in client.get("/search").get_data(as_text=True)  # both outcomes


def test_the_item_page_shows_the_estimate_from_prior_decisions(client: FlaskClient) -> None:
    found = client.get("/api/search?sort=date&per_page=1").json  # the newest: it has priors
    item_id = found["items"][0]["id"]
    estimate = client.get(f"/api/items/{item_id}/estimate").json
    assert estimate["prior_only"] and estimate["item_id"] == item_id
    assert estimate["precedents"] == len(estimate["cases"]) > 0
    item = client.get(f"/api/items/{item_id}").json["item"]
    assert all(c["decision_date"] < item["letter"]["decision_date"] for c in estimate["cases"])
    assert estimate["rate"]["total"] == estimate["precedents"]
    assert "not a prediction" in estimate["note"]
    html = client.get(f"/item/{item_id}").get_data(as_text=True)
    assert "Precedent estimate" in html and "not a prediction" in html


def test_find_similar_gives_an_estimate_only_for_a_text_that_says_something(
    client: FlaskClient,
) -> None:
    short = client.post("/similar", data={"text": "lumbar MRI"}).get_data(as_text=True)
    assert "No estimate" in short and "Precedent estimate" not in short
    full = client.post("/similar", data={"text": LONG_TEXT}).get_data(as_text=True)
    assert "Precedent estimate" in full and "not a prediction" in full
    api = client.post("/api/estimate", json={"text": LONG_TEXT})
    assert api.status_code == 200 and not api.json["prior_only"]
    assert api.json["rate"]["total"] == api.json["precedents"] > 0
