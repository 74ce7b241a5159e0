"""Sending typed payloads: the app's one way to answer JSON."""

from __future__ import annotations

from flask import Response

from mappings.schema import encode


def json_response(payload: object, status: int = 200) -> Response:
    """A payload (search_ui.payloads) as an application/json response."""
    return Response(encode(payload), status=status, mimetype="application/json")
