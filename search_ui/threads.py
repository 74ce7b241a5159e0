"""How many threads run the app in each worker process, by engine (search_ui.server says why).

Apart from search_ui.server so that the ASGI app (search_ui.asgi), which the server loads,
can use it without the two importing each other.
"""

from __future__ import annotations

from imr_search.engines import engine_class

SQLITE_THREADS = 2  # threads per worker for an engine that is not thread-safe
ELASTICSEARCH_THREADS = 4  # ... and for one that is


def default_threads(target: str) -> int:
    """Threads per worker process for this index."""
    return ELASTICSEARCH_THREADS if engine_class(target).thread_safe else SQLITE_THREADS
