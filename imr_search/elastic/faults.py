"""Turn Elasticsearch client exceptions into the product's errors, each with a next step.

Connection failures, timeouts, 5xx answers and auth problems become `EngineUnavailable`
(the web UI answers 503, the CLI prints the message and exits non-zero); a missing index
says how to build it. Anything else (a 400 for a query this package built) is a bug and is
left to propagate.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from elastic_transport import TransportError
from elasticsearch import ApiError, AuthenticationException, AuthorizationException

from imr_search.errors import EngineUnavailable


def explain(exc: Exception, display: str, alias: str) -> EngineUnavailable | None:
    """The EngineUnavailable for a client exception, or None when it is not an outage."""
    if isinstance(exc, TransportError) and not isinstance(exc, ApiError):
        reason = _short(exc)
        return EngineUnavailable(
            display,
            f"cannot reach Elasticsearch ({reason}). Check that it is running and that the "
            "URL is right (docker compose up -d elasticsearch starts one locally).",
        )
    if isinstance(exc, AuthenticationException):
        return EngineUnavailable(
            display,
            "Elasticsearch refused the credentials: set IMR_SEARCH_ES_API_KEY, or "
            "IMR_SEARCH_ES_USERNAME and IMR_SEARCH_ES_PASSWORD.",
        )
    if isinstance(exc, AuthorizationException):
        return EngineUnavailable(
            display,
            f"the credentials may not use {alias}: grant read (and write, for indexing) on "
            f"{alias}* to the user or API key.",
        )
    if isinstance(exc, ApiError):
        if exc.meta.status == 404 and _error_type(exc) == "index_not_found_exception":
            return EngineUnavailable(
                display,
                f"there is no index {alias} there yet: build it with "
                f"`imr-search index PATH --index {display}`.",
            )
        if exc.meta.status == 429 or exc.meta.status >= 500:
            return EngineUnavailable(
                display,
                f"Elasticsearch answered {exc.meta.status} ({_error_type(exc) or exc.message}); "
                "it may be starting or overloaded: try again in a moment.",
            )
    return None


@contextmanager
def translated(display: str, alias: str) -> Iterator[None]:
    """Run client calls; outages surface as EngineUnavailable with one clear message."""
    try:
        yield
    except (TransportError, ApiError) as exc:
        mapped = explain(exc, display, alias)
        if mapped is None:
            raise
        raise mapped from exc


def _error_type(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return error.get("type", "") if isinstance(error, dict) else ""


def _short(exc: TransportError) -> str:
    text = str(exc.message if hasattr(exc, "message") else exc)
    for marker in (
        "Connection refused",
        "timed out",
        "Name or service not known",
        "CERTIFICATE_VERIFY_FAILED",
        "Connection reset",
    ):
        if marker.lower() in text.lower():
            return marker.lower()
    return text.splitlines()[0][:160] if text else type(exc).__name__
