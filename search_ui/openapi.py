"""The OpenAPI 3 description of the JSON API and exports (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from imr_search.engine import FACETS, MAX_FACET_SIZE, MAX_PER_PAGE, MAX_RESULT_WINDOW, SORTS
from imr_search.query import MAX_QUERY_LENGTH
from search_ui.params import (
    DEFAULT_BREAKDOWN,
    DEFAULT_FACET_SIZE,
    DEFAULT_PER_PAGE,
    MAX_FILTER_VALUES,
    MAX_SIMILAR_TEXT,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "503": {"$ref": "#/components/responses/Unavailable"},
}


def _search_parameters() -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": "q",
            "in": "query",
            "description": (
                'Query: words (all must match, stemmed), "exact phrase", a OR b, -exclude, '
                "prefix*, (grouping), field:word with fields treatment, rationale, summary, "
                "citation. Empty: browse everything."
            ),
            "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        },
        {
            "name": "sort",
            "in": "query",
            "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
        },
        {
            "name": "page",
            "in": "query",
            "description": f"1-based; page x per_page may not exceed {MAX_RESULT_WINDOW}.",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
        {
            "name": "per_page",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_PER_PAGE,
                "default": DEFAULT_PER_PAGE,
            },
        },
        {
            "name": "facet_size",
            "in": "query",
            "description": "Values listed per facet.",
            "schema": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_FACET_SIZE,
                "default": DEFAULT_FACET_SIZE,
            },
        },
        {
            "name": "breakdown",
            "in": "query",
            "description": "Facet whose top values get their own Upheld/Overturned counts, "
            "or 'none'.",
            "schema": {
                "type": "string",
                "enum": [f.name for f in FACETS] + ["none"],
                "default": DEFAULT_BREAKDOWN,
            },
        },
    ]
    for spec in FACETS:
        params.append(
            {
                "name": spec.name,
                "in": "query",
                "description": f"Filter: {spec.label}. Repeat for several values (OR within a "
                f"facet, AND across facets); at most {MAX_FILTER_VALUES} values.",
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form",
                "explode": True,
            }
        )
    return params


def openapi_spec(max_export: int) -> dict[str, Any]:
    search_params = _search_parameters()
    item_id = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}
    k = {
        "name": "k",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
    }
    limit = {
        "name": "limit",
        "in": "query",
        "description": f"Rows to export (documented maximum {max_export:,}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": max_export, "default": max_export},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "IMR precedent search API",
            "version": "1.0",
            "description": (
                "Search California workers' compensation Independent Medical Review decisions. "
                "Every HTML page has a JSON twin with the same parameters: /search <-> "
                "/api/search, /item/{id} <-> /api/items/{id}, /similar <-> /api/similar. "
                "Read-only."
            ),
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search items (one disputed treatment request each)",
                    "parameters": search_params,
                    "responses": {"200": _json(_ref("SearchResult"), "Results"), **ERRORS},
                }
            },
            "/api/facets": {
                "get": {
                    "summary": "Facet counts, outcome rate and breakdown of a search",
                    "parameters": search_params,
                    "responses": {"200": _json({"type": "object"}, "Facets"), **ERRORS},
                }
            },
            "/api/items/{item_id}": {
                "get": {
                    "summary": "One item with its letter's other items and similar prior cases",
                    "parameters": [
                        item_id,
                        {
                            "name": "q",
                            "in": "query",
                            "description": "Highlight this query's terms (rationale_html)",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": _json(_ref("ItemPage"), "The item"),
                        "404": {"$ref": "#/components/responses/NotFound"},
                        **ERRORS,
                    },
                }
            },
            "/api/items/{item_id}/similar": {
                "get": {
                    "summary": "Similar prior cases to an item, with the terms they share",
                    "parameters": [
                        item_id,
                        k,
                        {"name": "same_category", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {
                        "200": _json(_ref("SimilarResult"), "Similar cases"),
                        "404": {"$ref": "#/components/responses/NotFound"},
                        **ERRORS,
                    },
                }
            },
            "/api/similar": {
                "get": {
                    "summary": "Similar prior cases to a pasted text (denial or case summary)",
                    "parameters": [
                        {
                            "name": "text",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "maxLength": MAX_SIMILAR_TEXT},
                        },
                        {"name": "category", "in": "query", "schema": {"type": "string"}},
                        k,
                    ],
                    "responses": {"200": _json(_ref("SimilarResult"), "Similar cases"), **ERRORS},
                },
                "post": {
                    "summary": "Same as GET, for long texts (JSON body or form)",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["text"],
                                    "properties": {
                                        "text": {"type": "string", "maxLength": MAX_SIMILAR_TEXT},
                                        "category": {"type": "string"},
                                        "k": {"type": "integer", "minimum": 1, "maximum": 100},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": _json(_ref("SimilarResult"), "Similar cases"), **ERRORS},
                },
            },
            "/export.csv": {
                "get": {
                    "summary": f"CSV of the results (streamed, at most {max_export:,} rows)",
                    "parameters": [p for p in search_params if p["name"] != "page"] + [limit],
                    "responses": {
                        "200": {"description": "CSV", "content": {"text/csv": {}}},
                        **ERRORS,
                    },
                }
            },
            "/export.json": {
                "get": {
                    "summary": f"JSON of the results with full documents (streamed, at most "
                    f"{max_export:,})",
                    "parameters": [p for p in search_params if p["name"] != "page"] + [limit],
                    "responses": {"200": _json({"type": "object"}, "Export"), **ERRORS},
                }
            },
            "/api/health": {
                "get": {
                    "summary": "Index reachable, and its item count",
                    "responses": {"200": _json({"type": "object"}, "OK"), **ERRORS},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                                "parameter": {"type": "string", "nullable": True},
                            },
                        }
                    },
                },
                "OutcomeRate": {
                    "type": "object",
                    "properties": {
                        "upheld": {"type": "integer"},
                        "overturned": {"type": "integer"},
                        "total": {"type": "integer"},
                        "upheld_pct": {"type": "number"},
                        "overturned_pct": {"type": "number"},
                    },
                },
                "Facet": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                        "truncated": {"type": "boolean"},
                        "values": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "value": {"type": "string"},
                                    "label": {"type": "string"},
                                    "count": {"type": "integer", "nullable": True},
                                    "selected": {"type": "boolean"},
                                    "toggle_url": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                "SearchHit": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "treatment": {"type": "string"},
                        "outcome": {"type": "string", "enum": ["Upheld", "Overturned"]},
                        "category": {"type": "string"},
                        "body_regions": {"type": "array", "items": {"type": "string"}},
                        "case_number": {"type": "string", "nullable": True},
                        "decision_date": {"type": "string", "nullable": True},
                        "specialties": {"type": "array", "items": {"type": "string"}},
                        "citations": {"type": "array", "items": {"type": "object"}},
                        "cited_nothing": {"type": "array", "items": {"type": "string"}},
                        "score": {"type": "number", "nullable": True},
                        "snippet": {
                            "type": "string",
                            "description": "Escaped HTML; only <mark> added",
                        },
                        "treatment_html": {"type": "string"},
                        "url": {"type": "string"},
                        "html_url": {"type": "string"},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "took_ms": {"type": "number"},
                        "items": {"type": "array", "items": _ref("SearchHit")},
                        "facets": {"type": "array", "items": _ref("Facet")},
                        "outcome_rate": _ref("OutcomeRate"),
                        "breakdown": {"type": "array", "items": {"type": "object"}},
                        "request": {"type": "object"},
                        "links": {"type": "object"},
                    },
                },
                "SimilarHit": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "treatment": {"type": "string"},
                        "outcome": {"type": "string"},
                        "category": {"type": "string"},
                        "case_number": {"type": "string", "nullable": True},
                        "decision_date": {"type": "string", "nullable": True},
                        "score": {"type": "number"},
                        "shared_terms": {"type": "array", "items": {"type": "string"}},
                        "url": {"type": "string"},
                    },
                },
                "SimilarResult": {
                    "type": "object",
                    "properties": {
                        "similar": {"type": "array", "items": _ref("SimilarHit")},
                        "outcome_rate": _ref("OutcomeRate"),
                    },
                },
                "ItemPage": {
                    "type": "object",
                    "properties": {
                        "item": {"type": "object", "description": "The stored document"},
                        "letter_items": {"type": "array", "items": {"type": "object"}},
                        "similar": {"type": "array", "items": _ref("SimilarHit")},
                        "similar_outcome_rate": _ref("OutcomeRate"),
                        "rationale_html": {"type": "string"},
                        "links": {"type": "object"},
                    },
                },
            },
            "responses": {
                "BadRequest": _json(_ref("Error"), "Bad query syntax or parameter"),
                "NotFound": _json(_ref("Error"), "No such item"),
                "Unavailable": _json(_ref("Error"), "Search index unavailable (retry later)"),
            },
        },
    }
