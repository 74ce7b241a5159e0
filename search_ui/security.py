"""Security headers and error pages: every failure is a clear page or JSON error, never a trace.

Errors map to statuses once, here: QuerySyntaxError and InvalidParameter -> 400, ItemNotFound
-> 404, Busy (search_ui.limits) and rate limits -> 429 and EngineUnavailable -> 503 (both with
Retry-After), anything unexpected -> a generic 500 that logs the exception. API and export
addresses answer JSON `{"error": {"status", "message", "parameter"}}`; pages answer a plain
HTML page.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from imr_search.errors import (
    EngineUnavailable,
    InvalidParameter,
    ItemNotFound,
    QuerySyntaxError,
    StorageError,
)
from search_ui.limits import Busy
from search_ui.payloads import ErrorBody, ErrorPayload
from search_ui.responses import json_response

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",  # no 'unsafe-inline': style attributes are blocked too
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
RETRY_AFTER_S = 30


def wants_json() -> bool:
    """API and export addresses answer errors in JSON."""
    return request.path.startswith(("/api/", "/export")) or request.path == "/api"


def error_response(
    status: int, message: str, parameter: str | None = None, suggestions: tuple[str, ...] = ()
) -> Response:
    if wants_json():
        body = ErrorBody(status, message, parameter, suggestions)
        resp = json_response(ErrorPayload(body), status)
    else:
        resp = current_app.make_response(
            render_template("error.html", status=status, message=message, parameter=parameter)
        )
    resp.status_code = status
    return resp


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(resp: Response) -> Response:
        for name, value in HEADERS.items():
            resp.headers.setdefault(name, value)
        if request.path.startswith("/static/"):
            resp.headers.setdefault("Cache-Control", "public, max-age=3600")
        else:
            # Results change when the index is rebuilt; let the browser revalidate.
            resp.headers.setdefault("Cache-Control", "no-cache")
        return resp

    @app.errorhandler(QuerySyntaxError)
    def _syntax(exc: QuerySyntaxError) -> Response:
        return error_response(400, str(exc), "q")

    @app.errorhandler(InvalidParameter)
    def _invalid(exc: InvalidParameter) -> Response:
        # an unknown filter value (imr_search.filter_values.UnknownValue) carries the known
        # or closest values
        suggestions = tuple(getattr(exc, "suggestions", ()))
        return error_response(400, str(exc), exc.parameter, suggestions)

    @app.errorhandler(ItemNotFound)
    def _not_found(exc: ItemNotFound) -> Response:
        return error_response(404, str(exc) or "No item with that id.")

    @app.errorhandler(EngineUnavailable)
    def _unavailable(exc: EngineUnavailable) -> Response:
        current_app.logger.warning("search index unavailable: %s", exc)
        message = (
            "The search index is not available: its storage failed (a damaged file or a disk "
            "fault, logged for the administrator). Please try again later."
            if isinstance(exc, StorageError)
            else "The search index is not available right now. Please try again in a minute."
        )
        resp = error_response(503, message)
        resp.headers["Retry-After"] = str(RETRY_AFTER_S)
        return resp

    @app.errorhandler(Busy)
    def _busy(exc: Busy) -> Response:
        resp = error_response(429, str(exc))
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        messages = {
            404: "There is no page at this address.",
            405: "This address does not accept that method.",
            413: "The request is too large.",
            429: "Too many requests from your address; please wait a little and try again.",
        }
        resp = error_response(status, messages.get(status, exc.description or exc.name))
        for header in ("Allow", "Retry-After"):  # 405's methods; a rate limit's wait
            if value := exc.get_response().headers.get(header):
                resp.headers[header] = value
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if current_app.debug:  # development only: let the debugger show it
            raise exc
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong on our side; it has been logged.")
