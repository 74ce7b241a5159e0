"""Real responses of the API match the OpenAPI document the app publishes.

The document's schemas are generated from the payload types (search_ui.payloads); this checks
that what is sent is what is published, path by path and status by status, with a JSON Schema
validator over the document itself (OpenAPI 3.1 schemas are JSON Schema 2020-12).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REQUESTS: list[tuple[str, str, str, int]] = [
    # (method, URL, OpenAPI path, status)
    ("get", "/api/search?q=hardware&breakdown=outcome", "/api/search", 200),
    ("get", "/api/search?outcome=Upheld&category=surgery&per_page=1", "/api/search", 200),
    ("get", '/api/search?q="unclosed', "/api/search", 400),
    ("get", "/api/facets?q=knee", "/api/facets", 200),
    ("get", "/api/search?q=-&date_from=2015-01-01&sort=outcome", "/api/search", 200),
    ("get", "/api/search?q=omeprazle", "/api/search", 200),
    ("get", "/api/search?date_from=2016-01-01&date_to=2015-01-01", "/api/search", 400),
    ("get", "/api/items/CM14-0000101-1?q=hardware", "/api/items/{item_id}", 200),
    ("get", "/api/items/CM14-0000101-1", "/api/items/{item_id}", 200),
    ("get", "/api/items/NO-SUCH-1", "/api/items/{item_id}", 404),
    ("get", "/api/items/CM14-0000101-1/similar?k=3", "/api/items/{item_id}/similar", 200),
    ("get", "/api/similar?text=lumbar+epidural+steroid+injection", "/api/similar", 200),
    ("get", "/api/health", "/api/health", 200),
    ("get", "/api/guidelines", "/api/guidelines", 200),
    ("get", "/api/sections?q=low", "/api/sections", 200),
    ("get", "/api/guidelines/ODG%20Low%20Bak", "/api/guidelines/{name}", 404),
    ("get", "/api/reasons?q=knee", "/api/reasons", 200),
    ("get", "/api/reasons?q=%22unclosed", "/api/reasons", 400),
    ("get", "/api/items/CM14-0000101-1/estimate?k=5", "/api/items/{item_id}/estimate", 200),
    ("get", "/api/estimate?text=lumbar", "/api/estimate", 400),
]


@pytest.fixture(scope="module")
def spec(app: Any) -> dict[str, Any]:
    document: dict[str, Any] = app.test_client().get("/api/openapi.json").json
    return document


def _validator(spec: dict[str, Any], path: str, method: str, status: int) -> Draft202012Validator:
    """A validator of the response schema the document gives for (path, method, status),
    resolving its $refs inside the document."""
    response = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:  # "#/components/responses/<name>"
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    assert set(schema) == {"$ref"}, f"an inline schema: {schema}"
    registry: Registry[Any] = Registry().with_resource(
        "urn:openapi", Resource(contents=spec, specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": "urn:openapi" + schema["$ref"]}, registry=registry)


@pytest.mark.parametrize(("method", "url", "path", "status"), REQUESTS)
def test_responses_match_the_published_schema(
    client: FlaskClient, spec: dict[str, Any], method: str, url: str, path: str, status: int
) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    errors = sorted(
        _validator(spec, path, method, status).iter_errors(response.json), key=lambda e: e.path
    )
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_every_response_schema_is_a_generated_component(spec: dict[str, Any]) -> None:
    """Hand-written inline schemas would drift: every JSON response names a component."""
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json")
                if content is not None:
                    assert "$ref" in content["schema"], (path, method, status)
