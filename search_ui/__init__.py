"""IMR precedent search: the web UI and JSON API (Flask application factory).

    create_app({"IMR_SEARCH_INDEX": "imr-index.sqlite3"})         # or an Elasticsearch URL
    gunicorn 'search_ui:create_app()'                               # reads $IMR_SEARCH_INDEX

Nothing is created (or even imported: Flask loads with the first app) at import time, so the
command line can use this package's pure parts (payloads, server settings) and start fast; the
engine is opened lazily per app (see backend.py). The application is read-only: indexing
stays in the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from imr_search.engines import INDEX_ENV, resolve_target

if TYPE_CHECKING:
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    "IMR_SEARCH_ENGINE_PER_REQUEST": False,
    "EXPORT_MAX_ROWS": 5_000,
    "MAX_CONTENT_LENGTH": 64 * 1024,  # form posts carry at most a pasted summary
    "JSON_SORT_KEYS": False,
    "TEMPLATES_AUTO_RELOAD": False,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides the defaults and the environment."""
    from flask import Flask

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config["IMR_SEARCH_INDEX"] = os.environ.get(INDEX_ENV)
    if config:
        app.config.from_mapping(config)
    app.config["IMR_SEARCH_INDEX"] = resolve_target(app.config["IMR_SEARCH_INDEX"])
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from search_ui import (
        api,
        backend,
        citator,
        cors,
        export,
        feed,
        items,
        letters,
        limits,
        presentation,
        reasons,
        reference,
        search,
        security,
    )

    app.extensions[backend.EXTENSION] = backend.EngineHolder(
        app.config["IMR_SEARCH_INDEX"],
        per_request=bool(app.config["IMR_SEARCH_ENGINE_PER_REQUEST"]),
    )
    app.teardown_appcontext(backend.teardown_engine)

    limits.init_app(app)
    presentation.init_app(app)
    security.init_app(app)
    cors.init_app(app)
    app.register_blueprint(search.bp)
    app.register_blueprint(items.bp)
    app.register_blueprint(letters.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(citator.bp)
    app.register_blueprint(reasons.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(reference.bp)
    return app
