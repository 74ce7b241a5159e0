"""The API reference page: rendered on the server from the OpenAPI document, nothing lost.

Every path and operation of the document appears with its parameters (types and limits), its
responses and the schemas they name; every example address on the page works on the index
served; the page is the "API" link of every page and the JSON document's twin.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from search_ui.reference import Part, type_parts


@pytest.fixture(scope="module")
def page(app: Any) -> str:
    resp = app.test_client().get("/help/api")
    assert resp.status_code == 200
    return html.unescape(resp.get_data(as_text=True))


@pytest.fixture(scope="module")
def spec(app: Any) -> dict[str, Any]:
    document: dict[str, Any] = app.test_client().get("/api/openapi.json").json
    return document


def section(page: str, anchor: str) -> str:
    """The HTML of one operation's (or schema's) section of the page."""
    start = page.index(f'id="{anchor}"')
    return page[start : page.find("</section>", start)]


def test_every_operation_of_the_document_is_on_the_page(page: str, spec: dict[str, Any]) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            anchor = f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")
            assert f'href="#{anchor}"' in page, (method, path)  # in the contents
            text = section(page, anchor)
            assert f"<code>{path}</code>" in text and method.upper() in text
            assert operation["summary"] in text
            for param in operation.get("parameters", ()):
                assert f"<code>{param['name']}</code>" in text, (path, param["name"])
            for status in operation["responses"]:
                assert f"<dt>{status}</dt>" in text, (path, status)


def test_parameters_show_types_and_limits(page: str, spec: dict[str, Any]) -> None:
    search = section(page, "get--api-search")
    assert re.search(r"<code>per_page</code>.*?integer.*?0 to 100; default 20", search, re.S)
    assert re.search(r"<code>q</code>.*?string.*?at most [\d,]+ characters", search, re.S)
    assert re.search(r"<code>outcome</code>.*?array of string.*?repeat the parameter", search, re.S)
    assert '"relevance" | "date"' in search
    export = section(page, "get--export.csv")
    assert "comma-separated" in export and '"rationale"' in export
    body = section(page, "post--api-similar")
    assert "Request body" in body and "<code>text</code>" in body and "required" in body
    assert "curl -X POST" in body


def test_schemas_are_summarised_and_linked(page: str, spec: dict[str, Any]) -> None:
    for name, schema in spec["components"]["schemas"].items():
        text = section(page, f"schema-{name}")
        for field in schema.get("properties", {}):
            assert f"<code>{field}</code>" in text, (name, field)
    assert '<a href="#schema-SearchPage">SearchPage</a>' in section(page, "get--api-search")
    assert 'array of <a href="#schema-ResultItem">ResultItem</a>' in section(
        page, "schema-SearchPage"
    )
    assert "string or null" in section(page, "schema-SearchPage")  # notice


def test_every_example_address_works(page: str, client: FlaskClient) -> None:
    examples = re.findall(r'<p class="api-example"><a href="([^"]+)">', page)
    get_operations = page.count('<span class="api-method">GET</span> <code>') // 2
    assert len(examples) == get_operations  # one per GET operation (the index has samples)
    for url in examples:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.get_data(as_text=True)[:200])
        resp.get_data()
        resp.close()  # an export's slot


def test_the_page_is_the_api_link_and_the_documents_twin(client: FlaskClient) -> None:
    resp = client.get("/help/api")
    assert resp.headers["Link"] == (
        '</api/openapi.json>; rel="alternate service-desc"; type="application/json"'
    )
    text = resp.get_data(as_text=True)
    assert '<link rel="alternate" type="application/json" href="/api/openapi.json">' in text
    assert '<a href="/help/api" aria-current="page">API</a>' in text
    for other in ("/", "/help", "/item/CM14-0000101-1"):
        assert '<a href="/help/api">API</a>' in client.get(other).get_data(as_text=True)
    twin = client.get("/api/openapi.json")
    assert twin.headers["Link"] == '</help/api>; rel="alternate service-doc"; type="text/html"'
    assert client.get("/api").json["reference"] == "/help/api"
    # Server-side only: no script but the app's own file, no inline style (CSP unchanged).
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/app.js" defer>']
    assert " style=" not in text and "<style" not in text


def test_the_page_degrades_without_samples(monkeypatch: pytest.MonkeyPatch, app: Any) -> None:
    """An index without items still gets a page; examples needing one are left out."""
    from search_ui import reference

    monkeypatch.setattr(reference.Samples, "of_index", classmethod(lambda cls: cls()))
    text = html.unescape(app.test_client().get("/help/api").get_data(as_text=True))
    assert "<code>/api/items/{item_id}</code>" in text
    examples = re.findall(r'<p class="api-example"><a href="([^"]+)">', text)
    assert "/api/search?q=epidural+steroid+injection&outcome=Overturned" in examples
    assert not [u for u in examples if u.startswith(("/api/items/", "/api/guidelines/"))]
    assert not [u for u in examples if "name=" in u]


def test_type_parts_read_like_types() -> None:
    assert type_parts({"type": "array", "items": {"$ref": "#/x/Rate"}}) == (
        Part("array of "),
        Part("Rate", "Rate"),
    )
    pair = {"type": "array", "prefixItems": [{"type": "number"}] * 2, "items": False}
    assert "".join(p.text for p in type_parts(pair)) == "array [number, number]"
    nullable = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert "".join(p.text for p in type_parts(nullable)) == "integer or null"
    mapping = {"type": "object", "additionalProperties": {"type": "string"}}
    assert "".join(p.text for p in type_parts(mapping)) == "object of string"
