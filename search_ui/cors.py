"""Read-only CORS: web pages of other origins may read the JSON API, the exports and the feeds.

Off by default. A deployment turns it on with IMR_SEARCH_CORS_ORIGINS (or app config
CORS_ORIGINS): `*` for any origin, or the origins allowed, separated by spaces or commas
(`https://a.example https://b.example:8443`). Why off: the app has no cookies or logins, so
CORS exposes no one's account, but it does let any page a visitor opens read what the
visitor's browser can reach; a server on an intranet holding letters that are not public would
leak them that way. A public deployment of the public decisions sets `*`.

What is shared: GET and HEAD of /api, /api/..., /export..., /feed.atom (errors included, so
a script can read the message); POST of /api/similar and /api/estimate too: they only read
(the pasted text is not stored) and are bounded like their GET twins (429 slots, rate limits),
and a page of another origin can already send such a form POST without CORS; CORS only lets it
read the answer. Never the HTML pages, and never credentials (no
Access-Control-Allow-Credentials). With `*`, every answer of those paths says so, asked from
another origin or not (one answer for all: shared caches need no Vary); with a list, a listed
origin is named back, under `Vary: Origin`. Preflight OPTIONS requests are answered for the
methods above, with the request headers a script may add (Content-Type for a JSON body, the
conditional-GET headers of a feed) and a max age of an hour.

A small after_request rather than flask-cors: the whole policy is which paths, which methods and
which origins; flask-cors would need as much configuration per resource, patches the app's
exception handlers, and omits `Vary: Origin` for a single configured origin (a shared cache
could then serve one origin's answer to another).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from flask import Flask, Response, request

CORS_ENV = "IMR_SEARCH_CORS_ORIGINS"
CONFIG = "CORS_ORIGINS"
READ = ("GET", "HEAD")
POST_PATHS = ("/api/similar", "/api/estimate")  # read-only POSTs (long pasted texts)
ALLOW_HEADERS = "Content-Type, If-None-Match, If-Modified-Since"
EXPOSE_HEADERS = ", ".join(
    (
        "Content-Disposition",
        "ETag",
        "Link",
        "Retry-After",
        "X-Total-Count",
        "X-Export-Limit",
        "X-Exported-At",
        "X-Search-Url",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    )
)
MAX_AGE_S = 3600
_ORIGIN = re.compile(r"https?://[^/\s?#@]+", re.IGNORECASE)


def parse_origins(value: str | Iterable[str] | None) -> frozenset[str] | None:
    """The allowed origins: None (CORS off), {"*"}, or origins like "https://a.example"."""
    if value is None:
        return None
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    origins = [o.strip().rstrip("/") for o in items if o and o.strip()]
    if not origins:
        return None
    if "*" in origins:
        if len(origins) > 1:
            raise ValueError(f"{CORS_ENV}: '*' allows every origin; give it alone")
        return frozenset({"*"})
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"{CORS_ENV}: {origin!r} is not an origin; write scheme://host[:port] "
                "(no path), e.g. https://example.org"
            )
    return frozenset(o.lower() for o in origins)


def methods_for(path: str) -> tuple[str, ...] | None:
    """The methods other origins may use on a path (None: not shared, e.g. an HTML page)."""
    if path in POST_PATHS:
        return (*READ, "POST")
    if path == "/api" or path.startswith(("/api/", "/export")) or path == "/feed.atom":
        return READ
    return None


def _add_vary(resp: Response, header: str) -> None:
    present = {v.strip().lower() for v in resp.headers.get("Vary", "").split(",") if v.strip()}
    if header.lower() not in present:
        resp.headers["Vary"] = ", ".join(filter(None, (resp.headers.get("Vary"), header)))


def init_app(app: Flask) -> None:
    app.config.setdefault(CONFIG, None)
    if app.config[CONFIG] is None and os.environ.get(CORS_ENV):
        app.config[CONFIG] = os.environ[CORS_ENV]
    allowed = parse_origins(app.config[CONFIG])
    if allowed is None:
        return
    wildcard = "*" in allowed

    @app.after_request
    def _cors(resp: Response) -> Response:
        methods = methods_for(request.path)
        if methods is None:
            return resp
        origin = request.headers.get("Origin")
        if wildcard:  # the same answer to everyone: shared caches need no Vary
            resp.headers["Access-Control-Allow-Origin"] = "*"
        else:
            _add_vary(resp, "Origin")  # the answer depends on who asks
            if not origin or origin.lower() not in allowed:
                return resp
            resp.headers["Access-Control-Allow-Origin"] = origin
        resp.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        wanted = request.headers.get("Access-Control-Request-Method")
        if request.method == "OPTIONS" and wanted:  # a preflight
            if wanted.upper() in methods:
                resp.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
                resp.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
                resp.headers["Access-Control-Max-Age"] = str(MAX_AGE_S)
        else:
            resp.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        return resp
