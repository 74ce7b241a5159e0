"""What a download is called and what it says about itself: one naming for every export.

    imr-lumbar-fusion-overturned-2026-12-06.csv          /export.csv?q=lumbar+fusion&outcome=...
    imr-outcomes-by-year-knee-2026-12-06.csv             /export/breakdown.csv?q=knee&breakdown=year
    imr-reasons-knee-2026-12-06.csv                      /export/reasons.csv?q=knee
    imr-guideline-odg-low-back-2026-12-06.csv            /export/guideline.csv?name=ODG: Low Back

`download_name` slugs its parts (a search's query, then its selected filter values in facet
order: `search_words`), bounds the name and dates it; `attachment` sends it as RFC 6266 says:
an ASCII `filename` that every client reads, plus `filename*` (UTF-8) when the name has other
letters ("imr-cirugía-…"). Names hold only letters, digits and hyphens, so no header or path
trick can pass through them.

CSV files keep a clean header row (spreadsheets and CSV readers open them without options), so
the search and the time of the export travel beside the body: in the file name, and in the
`X-Search-Url` (the search page, whose address holds the whole search) and `X-Exported-At`
headers of every export (`download_headers`). The JSON export also carries them in its body.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import quote

from search_ui.facets import active_filters
from search_ui.params import SearchState

PREFIX = "imr"
MAX_SLUG = 80  # characters of the descriptive part of a name (the date and extension aside)
_NOT_WORD = re.compile(r"[\W_]+")  # Unicode-aware: letters and digits of any script are kept


def exported_at() -> dt.datetime:
    """The time of an export: UTC, to the second (the name's date is this moment's)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso_time(moment: dt.datetime) -> str:
    """'2026-12-06T17:03:12Z'."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_words(state: SearchState) -> list[str]:
    """What a search is, as words for a name: its query, then each selected filter value."""
    words = [state.query] if state.query else []
    words += [chip.label for chip in active_filters(state, lambda _: "")]
    return words


def slug(text: str, *, ascii_only: bool = False) -> str:
    """'ODG: Low Back' -> 'odg-low-back'; 'cirugía' -> 'cirugía' (or 'cirugia' in ASCII)."""
    text = unicodedata.normalize("NFKC", text).replace("'", "").replace("’", "")
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("-", text.lower()).strip("-")


def _bounded(parts: list[str], limit: int = MAX_SLUG) -> str:
    """Parts joined with hyphens, cut at a hyphen to at most `limit` characters."""
    joined = "-".join(p for p in parts if p)
    if len(joined) <= limit:
        return joined
    cut = joined[: limit + 1]
    return cut[: cut.rfind("-")] if "-" in cut else joined[:limit]


def download_name(
    *parts: str, ext: str, when: dt.datetime, ascii_only: bool = False, fallback: str = "search"
) -> str:
    """`imr-<parts>-<yyyy-mm-dd>.<ext>`: each part slugged (empty parts left out), the whole
    descriptive part at most MAX_SLUG characters; `fallback` when nothing is left."""
    words = _bounded([slug(p, ascii_only=ascii_only) for p in parts]) or fallback
    return f"{PREFIX}-{words}-{when.astimezone(dt.UTC):%Y-%m-%d}.{ext}"


def attachment(*parts: str, ext: str, when: dt.datetime, fallback: str = "search") -> str:
    """A Content-Disposition value naming the download (RFC 6266 / RFC 8187)."""
    plain = download_name(*parts, ext=ext, when=when, ascii_only=True, fallback=fallback)
    full = download_name(*parts, ext=ext, when=when, fallback=fallback)
    value = f'attachment; filename="{plain}"'
    if full != plain:
        value += f"; filename*=UTF-8''{quote(full, safe='')}"
    return value


def download_headers(
    *parts: str,
    ext: str,
    when: dt.datetime,
    search_url: str | None = None,
    fallback: str = "search",
) -> dict[str, str]:
    """The headers of an export: its name, the time it was made and the search it holds (an
    absolute address, percent-encoded, so any query stays a valid header value)."""
    headers = {
        "Content-Disposition": attachment(*parts, ext=ext, when=when, fallback=fallback),
        "X-Exported-At": iso_time(when),
    }
    if search_url is not None:
        headers["X-Search-Url"] = quote(search_url, safe=":/?&=+%#;,@!$'()*[]~")
    return headers
