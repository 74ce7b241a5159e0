"""The JSON API, the OpenAPI description and the exports, on a real SQLite index."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_ui_corpus import FORMULA_TREATMENT, all_letters, close_app, make_app

from mappings.facets import FACETS

TOTAL = sum(len(letter.items) for letter in all_letters())


def assert_error(resp, status: int, parameter: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status
    assert resp.is_json
    error = resp.json["error"]
    assert error["status"] == status
    assert error["message"]
    if parameter is not None:
        assert error["parameter"] == parameter
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    return error


# --- search -----------------------------------------------------------------------------------


def test_search_takes_the_page_parameters(client: FlaskClient) -> None:
    resp = client.get("/api/search?outcome=Upheld&outcome=Overturned&category=surgery")
    assert resp.status_code == 200
    body = resp.json
    assert body["total"] == 2
    assert {i["id"] for i in body["items"]} == {"CM14-0000101-1", "CM14-0000101-2"}
    assert body["request"]["filters"] == {
        "outcome": ["Upheld", "Overturned"],
        "category": ["surgery"],
    }
    assert body["links"]["html"] == "/search?outcome=Upheld&outcome=Overturned&category=surgery"
    assert body["outcome_rate"]["upheld"] == 2


def test_search_hits_link_their_twins(client: FlaskClient) -> None:
    body = client.get('/api/search?q=rationale:"hardware block"').json
    assert body["total"] == 1
    hit = body["items"][0]
    assert hit["url"] == "/api/items/CM14-0000101-1?q=rationale:%22hardware+block%22"
    assert hit["html_url"] == "/item/CM14-0000101-1?q=rationale:%22hardware+block%22"
    assert "<mark>" in hit["snippet"]
    assert hit["case_number"] == "CM14-0000101"
    assert client.get(hit["url"]).status_code == 200


def test_facets_are_plain_data_with_api_toggle_urls(client: FlaskClient) -> None:
    body = client.get("/api/search?outcome=Upheld").json
    assert [f["name"] for f in body["facets"]] == [f.name for f in FACETS]
    outcome = body["facets"][0]
    assert outcome["label"] == "Outcome"
    values = {v["value"]: v for v in outcome["values"]}
    assert values["Upheld"]["selected"] and values["Upheld"]["toggle_url"] == "/api/search"
    assert values["Overturned"]["count"] > 0
    assert values["Overturned"]["toggle_url"] == "/api/search?outcome=Upheld&outcome=Overturned"
    assert body["active_filters"] == [
        {"facet": "outcome", "value": "Upheld", "remove_url": "/api/search"}
    ]


def test_paging_links(client: FlaskClient) -> None:
    first = client.get("/api/search?per_page=10").json
    assert first["total"] == TOTAL and len(first["items"]) == 10
    assert first["links"]["prev"] is None
    second = client.get(first["links"]["next"]).json
    assert second["request"]["page"] == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_facets_endpoint(client: FlaskClient) -> None:
    body = client.get("/api/facets?q=injection&breakdown=category").json
    assert body["total"] > 0
    assert "items" not in body
    assert body["outcome_rate"]["total"] == body["total"]
    assert body["breakdown"] and body["breakdown"][0]["value"] == "injection"


@pytest.mark.parametrize(
    ("qs", "parameter"),
    [
        ('q="unclosed', "q"),
        ("q=knee OR", "q"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=501", "page"),
        ("sort=best", "sort"),
        ("outcom=Upheld", "outcom"),
        ("breakdown=x", "breakdown"),
        ("q=" + "k" * 1001, "q"),
        ("date_from=2016-13-01", "date_from"),
        ("date_from=2016-02-01&date_to=2016-01-01", "date_from"),
    ],
)
def test_search_errors_are_json_400(client: FlaskClient, qs: str, parameter: str) -> None:
    assert_error(client.get("/api/search?" + qs), 400, parameter)
    assert_error(client.get("/api/facets?" + qs), 400, parameter)


def test_search_by_date_range_and_sort(client: FlaskClient) -> None:
    body = client.get("/api/search?date_from=2015-01-01&date_to=2015-12-31&sort=oldest").json
    dates = [item["decision_date"] for item in body["items"]]
    assert dates and dates == sorted(dates) and all(d.startswith("2015") for d in dates)
    assert body["request"]["date_from"] == "2015-01-01" and body["request"]["sort"] == "oldest"
    chips = {c["facet"]: c for c in body["active_filters"]}
    assert chips["date_from"]["value"] == "2015-01-01"
    assert "date_from" not in chips["date_from"]["remove_url"]
    (year_block,) = [b for b in body["facets"] if b["name"] == "year"]
    years = {v["value"]: v["count"] for v in year_block["values"]}
    assert years == {"2015": body["total"]}
    assert client.get("/api/search?q=-").json["notice"]


def test_search_suggests_a_spelling(client: FlaskClient) -> None:
    body = client.get("/api/search?q=treatment:omeprazle").json
    assert body["total"] == 0 and body["suggestion"] == "treatment:omeprazole"
    assert "/api/search?q=treatment%3Aomeprazole" in body["links"]["suggestion"]
    fixed = client.get(body["links"]["suggestion"]).json
    assert fixed["total"] > 0 and fixed["suggestion"] is None
    assert fixed["links"]["suggestion"] is None


def test_syntax_error_message_is_the_parsers(client: FlaskClient) -> None:
    error = assert_error(client.get('/api/search?q="unclosed'), 400, "q")
    assert "Unclosed quote" in error["message"]


def test_injection_in_query_stays_data(client: FlaskClient) -> None:
    resp = client.get("/api/search?q=<script>alert(1)</script>")
    assert resp.status_code == 200
    assert resp.content_type == "application/json"
    assert resp.json["request"]["q"] == "<script>alert(1)</script>"
    stored = client.get("/api/search?q=lidocaine").json["items"]
    xss = next(i for i in stored if i["id"] == "CM15-0000104-1")
    assert xss["treatment"].startswith("<script>")  # data as stored
    assert "<script>" not in xss["treatment_html"]  # markup safe to insert
    assert "<img" not in xss["snippet"]


# --- items and similar ------------------------------------------------------------------------


def test_item(client: FlaskClient) -> None:
    body = client.get("/api/items/CM14-0000101-1?q=hardware").json
    assert body["item"]["treatment"] == "Removal of hardware L4-S1"
    assert body["item"]["letter"]["case_number"] == "CM14-0000101"
    assert [i["id"] for i in body["letter_items"]] == ["CM14-0000101-1", "CM14-0000101-2"]
    assert "<mark>hardware</mark>" in body["rationale_html"]
    assert body["similar"] and all("shared_terms" in s for s in body["similar"])
    assert body["links"]["html"] == "/item/CM14-0000101-1?q=hardware"
    assert body["similar_outcome_rate"]["total"] == len(body["similar"])


def test_item_errors(client: FlaskClient) -> None:
    assert_error(client.get("/api/items/NO-SUCH-1"), 404)
    assert_error(client.get("/api/items/NO-SUCH-1/similar"), 404)
    assert_error(client.get("/api/items/CM14-0000101-1?page=2"), 400, "page")
    assert_error(client.get("/api/items/CM14-0000101-1/similar?k=0"), 400, "k")


def test_similar_by_id(client: FlaskClient) -> None:
    body = client.get("/api/items/CM14-0000101-1/similar?k=3").json
    assert body["item_id"] == "CM14-0000101-1"
    assert 1 <= len(body["similar"]) <= 3
    assert all(s["id"] != "CM14-0000101-1" for s in body["similar"])
    first = body["similar"][0]
    assert first["html_url"].startswith("/item/") and isinstance(first["shared_terms"], list)


def test_similar_by_text_get_post_and_json(client: FlaskClient) -> None:
    text = "lumbar epidural steroid injection for radiculopathy"
    by_get = client.get("/api/similar", query_string={"text": text, "k": 5}).json
    by_form = client.post("/api/similar", data={"text": text, "k": "5"}).json
    by_json = client.post("/api/similar", json={"text": text, "k": 5}).json
    assert by_get == by_form == by_json
    assert 1 <= len(by_get["similar"]) <= 5
    assert "injection" in by_get["similar"][0]["treatment"].lower()
    only = client.get("/api/similar", query_string={"text": text, "category": "imaging"}).json
    assert all(s["category"] == "imaging" for s in only["similar"])


def test_similar_by_text_errors(client: FlaskClient) -> None:
    assert_error(client.get("/api/similar"), 400, "text")
    assert_error(client.post("/api/similar", json={"text": "  "}), 400, "text")
    assert_error(client.post("/api/similar", json={"text": "x " * 5001}), 400, "text")
    assert_error(client.post("/api/similar", json=["not", "an", "object"]), 400, "body")
    assert_error(client.get("/api/similar?text=knee&k=101"), 400, "k")
    assert_error(client.get("/api/similar?text=knee&colour=red"), 400, "colour")
    assert_error(client.post("/api/similar", data={"text": "x" * 70_000}), 413)


@pytest.mark.parametrize(
    ("body", "status", "parameter", "says"),
    [
        ('{"text": ' + "[" * 20_000 + "]" * 20_000 + "}", 400, "text", "string"),
        ("[" * 30_000 + "]" * 30_000, 400, "body", "JSON object"),
        ('{"text": 12345}', 400, "text", "string"),
        ('{"text": ["knee", "pain"]}', 400, "text", "string"),
        ('{"text": {"a": "knee"}}', 400, "text", "string"),
        ('{"text": "knee", "k": "5"}', 400, "k", "whole number"),
        ('{"text": "knee", "k": 5.5}', 400, "k", "whole number"),
        ('{"text": "knee", "category": 3}', 400, "category", "string"),
        ('{"text": "knee", "colour": "red"}', 400, "colour", "unknown"),
        ('{"text": "knee"', 400, "body", "JSON"),
        ("", 400, "body", "JSON"),
    ],
)
def test_similar_json_body_is_typed(
    client: FlaskClient, body: str, status: int, parameter: str, says: str
) -> None:
    """Issue 12: a deeply nested body was a 500 (RecursionError) and non-strings went through
    str(); each is now a 400 naming the part of the body that is wrong."""
    resp = client.post("/api/similar", data=body, content_type="application/json")
    assert says in assert_error(resp, status, parameter)["message"]


def test_similar_chunked_json_body_over_the_limit_is_413(client: FlaskClient) -> None:
    """A body without Content-Length (chunked), cut at the limit, is 'too large', not 'send a
    JSON object' (the servers mark such input terminated, as gunicorn and ours do)."""
    big = json.dumps({"text": "x" * 70_000}).encode()
    resp = client.post(
        "/api/similar",
        input_stream=io.BytesIO(big),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert "too large" in assert_error(resp, 413)["message"]


def test_unknown_route_and_method_are_json(client: FlaskClient) -> None:
    assert_error(client.get("/api/nope"), 404)
    assert_error(client.post("/api/search"), 405)


def test_health_and_index(client: FlaskClient) -> None:
    assert client.get("/api/health").json == {"status": "ok", "items": TOTAL}
    endpoints = client.get("/api").json["endpoints"]
    assert endpoints["item"] == "/api/items/{id}"


# --- twins and OpenAPI ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "twin"),
    [
        ("/search?q=knee&outcome=Upheld", "/api/search?q=knee&outcome=Upheld"),
        ("/item/CM14-0000101-1?q=hardware", "/api/items/CM14-0000101-1?q=hardware"),
        ("/similar", "/api/similar"),
        ("/help", "/api/openapi.json"),
    ],
)
def test_every_page_links_its_json_twin(client: FlaskClient, page: str, twin: str) -> None:
    html = client.get(page).get_data(as_text=True).replace("&amp;", "&")
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in html
    assert client.get(twin).status_code in (200, 400)  # /api/similar without text: 400


def test_openapi_describes_every_api_and_export_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        if path.startswith("/export") or (
            path.startswith("/api/") and path not in ("/api/", "/api/openapi.json")
        ):
            assert path in documented, path
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "sort", "page", "per_page", "breakdown"} | {f.name for f in FACETS} <= params
    # Every $ref resolves.
    text = json.dumps(spec)
    for ref in re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', text):
        assert ref[1] in spec["components"][ref[0]], ref


# --- exports ----------------------------------------------------------------------------------


def test_csv_export_streams_the_current_results(client: FlaskClient) -> None:
    resp = client.get("/export.csv?outcome=Upheld&sort=date")
    assert resp.status_code == 200
    assert resp.is_streamed
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) == int(resp.headers["X-Total-Count"])
    assert {r["outcome"] for r in rows} == {"Upheld"}
    dates = [r["decision_date"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert rows[0]["url"].startswith("http://localhost/item/")


def test_csv_export_neutralises_formulas(client: FlaskClient) -> None:
    rows = list(
        csv.DictReader(io.StringIO(client.get("/export.csv?q=compound").get_data(as_text=True)))
    )
    treatments = [r["treatment"] for r in rows]
    assert "'" + FORMULA_TREATMENT in treatments
    assert FORMULA_TREATMENT not in treatments


def test_json_export_is_complete_and_bounded(client: FlaskClient) -> None:
    full = json.loads(client.get("/export.json").get_data(as_text=True))
    assert full["total"] == TOTAL and len(full["items"]) == TOTAL
    assert not full["truncated"]
    assert full["items"][0]["rationale"]  # full documents
    cut = json.loads(client.get("/export.json?limit=5").get_data(as_text=True))
    assert len(cut["items"]) == 5 and cut["truncated"] and cut["limit"] == 5
    assert_error(client.get("/export.json?limit=5001"), 400, "limit")
    assert_error(client.get('/export.csv?q="open'), 400, "q")
    assert_error(client.get("/export.csv?colour=red"), 400, "colour")


def test_export_maximum_is_configurable_and_pages_through_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from search_ui import export

    monkeypatch.setattr(export, "EXPORT_PAGE", 4)  # many engine pages for a small corpus
    app = make_app({"EXPORT_MAX_ROWS": 30})
    client = app.test_client()
    body = json.loads(client.get("/export.json?per_page=7&page=3").get_data(as_text=True))
    assert body["limit"] == 30 and body["truncated"]
    ids = [item["id"] for item in body["items"]]
    assert len(ids) == 30 == len(set(ids))  # page and per_page do not cut an export
    everything = [i["id"] for i in client.get("/api/search?per_page=30").json["items"]]
    assert ids == everything
    assert_error(client.get("/export.csv?limit=31"), 400, "limit")
    close_app(app)


# --- the same app on every engine -------------------------------------------------------------


def test_pages_and_api_work_unchanged_on_every_engine(engine_target: str) -> None:
    """The app only sees imr_search.engine: SQLite and Elasticsearch serve the same pages."""
    from test_ui_corpus import build_index

    build_index(engine_target, all_letters())  # type: ignore[arg-type]
    app = make_app({"IMR_SEARCH_INDEX": engine_target})
    client = app.test_client()
    try:
        assert client.get("/").status_code == 200
        body = client.get("/api/search?outcome=Upheld&outcome=Overturned&category=surgery").json
        assert body["total"] == 2
        page = client.get('/search?q=rationale:"hardware block"').get_data(as_text=True)
        assert "Removal of hardware L4-S1" in page and "<mark>" in page
        assert "<script>alert(" not in client.get("/search?q=lidocaine").get_data(as_text=True)
        assert client.get("/item/CM14-0000101-1?q=hardware").status_code == 200
        assert client.get("/item/NOPE-1").status_code == 404
        assert client.get('/search?q="open').status_code == 400
        similar = client.get("/api/items/CM14-0000101-1/similar?k=3").json["similar"]
        assert similar and all(s["id"] != "CM14-0000101-1" for s in similar)
        rows = list(csv.DictReader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
        assert len(rows) == TOTAL and all(r["rationale"] for r in rows)
    finally:
        close_app(app)
