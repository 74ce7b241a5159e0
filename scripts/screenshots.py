"""Screenshots of the search page with results, at phone and desktop size.

    python3 scripts/screenshots.py [--out artifacts] [--letters 600] [--query therapy]
                                   [--index imr.sqlite3] [--full-page]

Generates a demo-like index (letters written as files, indexed by the normal pipeline) in a
temporary folder, serves it on a loopback port and photographs /search with headless
Chromium: the same set-up as the browser tests (devtools/browser.py). Writes
search-phone.png (390x844) and search-desktop.png (1366x768): what a person sees first,
without scrolling; --full-page adds the whole pages (search-*-full.png).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.browser import (  # noqa: E402
    DESKTOP,
    PHONE,
    chromium,
    chromium_missing,
    demo_index,
    serving,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--letters", type=int, default=600)
    parser.add_argument("--query", default="therapy")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--index", help="serve this index instead of generating one")
    args = parser.parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"cannot take screenshots: {missing}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or demo_index(Path(tmp), letters=args.letters)
        with serving(index) as url, chromium() as browser:
            address = f"{url}/search?{urlencode({'q': args.query})}"
            for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                page.goto(address)
                path = args.out / f"search-{name}.png"
                page.screenshot(path=str(path))
                print(path)
                if args.full_page:
                    full = args.out / f"search-{name}-full.png"
                    page.screenshot(path=str(full), full_page=True)
                    print(full)
                context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
