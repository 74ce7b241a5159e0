"""JSON request bodies, decoded into a typed struct: the body of POST /api/similar.

Why typed: a generic decode builds whatever the client nests (a deeply nested array was a
RecursionError, a 500) and leaves the types to str() (`{"text": 12345}` searched for "12345").
msgspec checks each value against its field while it reads, so a wrong type or an unknown
field stops the decode at once, whatever follows it, and the error names the field.
"""

from __future__ import annotations

import re

import msgspec
from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from imr_search.errors import InvalidParameter


class SimilarBody(msgspec.Struct, forbid_unknown_fields=True):
    """`{"text": "...", "category": "...", "k": 10}` (every field optional here; the route says
    what is missing)."""

    text: str | None = None
    category: str | None = None
    k: int | None = None


# What each field must be, said when a value is of another type.
_EXPECTED = {
    "text": "must be a string",
    "category": "must be a string",
    "k": "must be a whole number between 1 and 100",
}
_AT_FIELD = re.compile(r"at `\$\.(\w+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]*)`")


def similar_body(request: Request) -> MultiDict[str, str]:
    """The JSON body as the form's parameters (one validation path for GET, form and JSON);
    a 413 for a body over MAX_CONTENT_LENGTH, chunked or not."""
    raw = request.get_data(cache=False)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(raw) >= limit:
        # A chunked body is cut at the limit without a word (werkzeug's bounded stream
        # stops there); decoding the cut text would blame the JSON.
        raise RequestEntityTooLarge()
    try:
        body = msgspec.json.decode(raw, type=SimilarBody)
    except msgspec.ValidationError as exc:
        raise _invalid(str(exc)) from None
    except msgspec.DecodeError as exc:
        raise InvalidParameter("body", f"is not valid JSON ({exc})") from None
    values = {f: getattr(body, f) for f in body.__struct_fields__}
    return MultiDict({k: str(v) for k, v in values.items() if v is not None})


def _invalid(message: str) -> InvalidParameter:
    if unknown := _UNKNOWN.search(message):
        return InvalidParameter(
            unknown.group(1)[:100],
            "unknown parameter; this address takes " + ", ".join(SimilarBody.__struct_fields__),
        )
    if at := _AT_FIELD.search(message):
        name = at.group(1)
        return InvalidParameter(name, _EXPECTED.get(name, "has the wrong type"))
    return InvalidParameter("body", 'send a JSON object like {"text": "..."}')
