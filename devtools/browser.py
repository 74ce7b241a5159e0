"""Headless Chromium over a served demo-like index: one set-up for the browser tests
(tests/conftest.py) and scripts/screenshots.py.

    with demo_index(folder, letters=600) as index, serving(index) as url, chromium() as browser:
        page = browser.new_page(viewport=PHONE)

Chromium is Debian's (`apt-get install chromium`, or $IMR_SEARCH_CHROMIUM), driven by
Playwright; the index is generated letters written as files and indexed through the normal
pipeline, so items know their letter files as a real index does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("IMR_SEARCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def chromium_missing() -> str | None:
    """Why the browser cannot run here (None: it can)."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set IMR_SEARCH_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (playwright's Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def demo_index(folder: Path, letters: int = 600, seed: int = 11) -> Path:
    """Generated letters written under `folder`/letters and indexed into
    `folder`/index.sqlite3 by the normal pipeline (as `imr-search demo` does)."""
    from indexer.pipeline import run_index
    from synthetic.corpus import write_corpus

    corpus = folder / "letters"
    index = folder / "index.sqlite3"
    write_corpus(corpus, letters, seed)
    summary = run_index([corpus], str(index))
    if summary.exit_status != 0 or not summary.items_indexed:
        raise RuntimeError("indexing the generated letters failed: " + " ".join(summary.lines()))
    return index


@contextmanager
def serving(index: str | Path) -> Iterator[str]:
    """The web app over `index` on a free loopback port (a werkzeug thread); its base URL."""
    from werkzeug.serving import make_server

    from search_ui import create_app

    app = create_app({"IMR_SEARCH_INDEX": str(index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["imr_search_engine"].close_all()
