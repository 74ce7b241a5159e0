"""The API reference: a readable page rendered on the server from the OpenAPI document.

    /help/api          this page (the "API" link of every page)
    /api/openapi.json  its JSON twin: the same document, which names this page back
                       (Link: rel="service-doc"; this page names it rel="service-desc")

Nothing is written twice: every path, parameter (type, limits, default), request body and
response schema on the page is read from search_ui.openapi's document, grouped by its tags.
Each GET operation gets an example address that works on the index being served: item ids and
guideline names are taken from the index itself. No script: Jinja renders it all, so the
page works under the app's strict CSP and without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, make_response, render_template, request

from imr_search.contract import SearchRequest
from imr_search.errors import EngineUnavailable
from search_ui import backend
from search_ui.openapi import openapi_spec
from search_ui.presentation import fixed_url

bp = Blueprint("reference", __name__)

SAMPLE_QUERY = "epidural steroid injection"
SAMPLE_TEXT = (
    "Request for a lumbar epidural steroid injection at L4-L5 for radiculopathy after six "
    "weeks of physical therapy and medication without relief"
)
# Query parameters of each example address (path parameters come from the index).
EXAMPLES: dict[str, dict[str, str]] = {
    "/api/search": {"q": SAMPLE_QUERY, "outcome": "Overturned"},
    "/api/facets": {"q": SAMPLE_QUERY, "breakdown": "year"},
    "/api/items/{item_id}/similar": {"k": "5"},
    "/api/similar": {"text": SAMPLE_TEXT, "k": "5"},
    "/api/estimate": {"text": SAMPLE_TEXT},
    "/api/guidelines": {"q": "low back"},
    "/api/sections": {"q": "low back"},
    "/api/reasons": {"q": SAMPLE_QUERY},
    "/export.csv": {"q": SAMPLE_QUERY, "limit": "10", "columns": "id,decision_date,outcome,url"},
    "/export.json": {"q": SAMPLE_QUERY, "limit": "10"},
    "/export/breakdown.csv": {"q": SAMPLE_QUERY, "breakdown": "year"},
    "/export/reasons.csv": {"q": SAMPLE_QUERY},
    "/feed.atom": {"q": SAMPLE_QUERY, "outcome": "Overturned"},
}
# A path's parameter filled from a sample of the index: (path, parameter) -> sample name.
SAMPLED = {
    ("/export/guideline.csv", "name"): "guideline",
    ("/export/section.csv", "name"): "section",
    ("/api/guidelines/{name}", "name"): "guideline",
    ("/api/sections/{name}", "name"): "section",
}


@dataclass(frozen=True)
class Part:
    """A piece of a type as read: text, linked to a schema's section when it names one."""

    text: str
    schema: str | None = None


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # query, path, body
    type: tuple[Part, ...]
    notes: tuple[str, ...]  # required, limits, default, how to repeat
    description: str


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    media: str
    type: tuple[Part, ...]


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    params: tuple[Param, ...]
    body: tuple[Param, ...]
    answers: tuple[Answer, ...]
    example: str | None  # a working address (GET), or a curl command (POST)


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: tuple[Param, ...]


def type_parts(schema: Mapping[str, Any]) -> tuple[Part, ...]:
    """'array of ResultItem', 'string or null', '"Upheld" | "Overturned"'."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return (Part(name, name),)
    if "anyOf" in schema:
        parts: list[Part] = []
        for i, option in enumerate(schema["anyOf"]):
            parts += [Part(" or ")] * bool(i) + list(type_parts(option))
        return tuple(parts)
    if "enum" in schema:
        return (Part(" | ".join(json.dumps(v) for v in schema["enum"])),)
    kind = schema.get("type")
    if kind == "array" and "prefixItems" in schema:  # a tuple: [low, high]
        inner = [p for i, s in enumerate(schema["prefixItems"]) for p in _listed(i, s)]
        return (Part("array ["), *inner, Part("]"))
    if kind == "array":
        items = schema.get("items")
        return (Part("array of "), *type_parts(items if isinstance(items, dict) else {}))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return (Part("object of "), *type_parts(schema["additionalProperties"]))
    if kind == "object" and "properties" in schema:
        return (Part("object"),)
    return (Part(kind if isinstance(kind, str) else "any"),)


def _listed(i: int, schema: Mapping[str, Any]) -> tuple[Part, ...]:
    return (Part(", "),) * bool(i) + type_parts(schema)


def notes(schema: Mapping[str, Any], param: Mapping[str, Any]) -> tuple[str, ...]:
    """Required, bounds, default, and how an array is written in a URL."""
    out = ["required"] if param.get("required") else []
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        out.append(f"{low:,} to {high:,}")
    elif low is not None:
        out.append(f"at least {low:,}")
    elif high is not None:
        out.append(f"at most {high:,}")
    if "maxLength" in schema:
        out.append(f"at most {schema['maxLength']:,} characters")
    if "default" in schema:
        out.append(f"default {json.dumps(schema['default'])}")
    if schema.get("type") == "array" and param.get("in") == "query":
        out.append("repeat the parameter" if param.get("explode", True) else "comma-separated")
    return tuple(out)


def _param(param: Mapping[str, Any]) -> Param:
    schema = param.get("schema", {})
    return Param(
        name=param["name"],
        where=param.get("in", "query"),
        type=type_parts(schema),
        notes=notes(schema, param),
        description=param.get("description", ""),
    )


def fields(schema: Mapping[str, Any], where: str = "body") -> tuple[Param, ...]:
    """The properties of an object schema as rows (required ones marked)."""
    required = set(schema.get("required", ()))
    return tuple(
        _param({"name": name, "in": where, "schema": prop, "required": name in required})
        for name, prop in schema.get("properties", {}).items()
    )


def _answers(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> tuple[Answer, ...]:
    out = []
    for status, answer in operation.get("responses", {}).items():
        if "$ref" in answer:
            answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
        content = answer.get("content", {})
        media = next(iter(content), "")
        schema = content.get(media, {}).get("schema")
        out.append(
            Answer(
                status, answer.get("description", ""), media, type_parts(schema) if schema else ()
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Samples:
    """Values from the index served, for example addresses that find something."""

    item: str | None = None
    guideline: str | None = None
    section: str | None = None

    @classmethod
    def of_index(cls) -> Samples:
        req = SearchRequest(
            per_page=1,
            facet_size=1,
            facet_sizes={"reviewer_section": 1},
            sort="date",
            highlight=False,
        )
        try:
            response = backend.run(lambda e: e.search(req))
        except EngineUnavailable:
            return cls()

        def first(facet: str) -> str | None:
            values = response.facets.get(facet, ())
            return values[0].value if values else None

        return cls(
            item=response.hits[0].doc.id if response.hits else None,
            guideline=first("reviewer_guideline"),
            section=first("reviewer_section"),
        )


def example(path: str, operation: Mapping[str, Any], samples: Samples) -> str | None:
    """A working address for a GET operation (None when the index has nothing to show)."""
    query = dict(EXAMPLES.get(path, {}))
    filled = path
    for param in operation.get("parameters", ()):
        sample = SAMPLED.get((path, param["name"])) or (
            "item" if param["name"] == "item_id" else None
        )
        if sample is None:
            continue
        value = getattr(samples, sample)
        if value is None:
            return None
        if param["in"] == "path":
            filled = filled.replace("{" + param["name"] + "}", quote(value, safe=""))
        else:
            query[param["name"]] = value
    if "{" in filled:
        return None
    qs = urlencode(query, safe=":,")
    return request.script_root + filled + (f"?{qs}" if qs else "")


def curl(path: str, operation: Mapping[str, Any]) -> str | None:
    """A curl command for a POST operation with a JSON body."""
    if "application/json" not in operation.get("requestBody", {}).get("content", {}):
        return None
    body = json.dumps({"text": SAMPLE_TEXT, "k": 5} if "similar" in path else {"text": SAMPLE_TEXT})
    url = request.host_url.rstrip("/") + request.script_root + path
    return f"curl -X POST -H 'Content-Type: application/json' -d '{body}' '{url}'"


def _operations(spec: Mapping[str, Any], samples: Samples) -> dict[str, list[Operation]]:
    grouped: dict[str, list[Operation]] = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            body_schema = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            found = Operation(
                anchor=f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                params=tuple(_param(p) for p in operation.get("parameters", ())),
                body=fields(body_schema),
                answers=_answers(spec, operation),
                example=example(path, operation, samples)
                if method == "get"
                else curl(path, operation),
            )
            for tag in operation.get("tags", ["Other"])[:1]:
                grouped.setdefault(tag, []).append(found)
    return grouped


def reference(spec: Mapping[str, Any], samples: Samples) -> tuple[list[Group], list[Schema]]:
    """The page's groups of operations (in the document's tag order) and schemas."""
    grouped = _operations(spec, samples)
    described = {t["name"]: t.get("description", "") for t in spec.get("tags", ())}
    order = list(described) + [t for t in grouped if t not in described]
    groups = [Group(t, described.get(t, ""), tuple(grouped[t])) for t in order if t in grouped]
    schemas = [
        Schema(name, schema.get("description", ""), fields(schema, "field"))
        for name, schema in spec["components"]["schemas"].items()
    ]
    return groups, schemas


@bp.get("/help/api")
def api_reference() -> Response:
    spec = openapi_spec(current_app.config["EXPORT_MAX_ROWS"])
    groups, schemas = reference(spec, Samples.of_index())
    twin = fixed_url("api.openapi")
    html = render_template(
        "api_reference.html",
        spec=spec,
        groups=groups,
        schemas=schemas,
        api_url=twin,
        base_url=request.host_url.rstrip("/") + request.script_root,
    )
    resp = make_response(html)
    resp.headers["Link"] = f'<{twin}>; rel="alternate service-desc"; type="application/json"'
    return resp
