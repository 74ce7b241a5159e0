"""The original letter file of an indexed item, for reading or printing it as it was sent.

The address names an item, never a path: `/item/<id>/letter` sends the file the index says
that item was indexed from (Engine.source_of: the absolute path the indexer read), and only
when that file is still there and is a letter (.txt or .pdf). Anything else is a 404 with a
message; the path on the indexing machine is never shown (search_ui.public).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, send_file, url_for

from imr_search.errors import ItemNotFound
from search_ui import backend
from search_ui.public import shown_source

bp = Blueprint("letters", __name__)

CONTENT_TYPES = {".pdf": "application/pdf", ".txt": "text/plain"}
KINDS = {".pdf": "PDF", ".txt": "text"}
MAX_ITEM_ID = 200
SNIFF_BYTES = 64 * 1024  # of a text letter, read to name its charset
# A PDF is shown by the browser's own viewer (an embedded plug-in), which the pages' CSP
# (object-src 'none') would block; neither kind of file may run or load anything else.
FILE_CSP = {
    ".pdf": "default-src 'none'; object-src 'self'; frame-ancestors 'none'",
    ".txt": "default-src 'none'; frame-ancestors 'none'",
}


def letter_path(item_id: str) -> Path | None:
    """The item's letter file on this machine, if the index holds one that is still here."""
    if len(item_id) > MAX_ITEM_ID:
        raise ItemNotFound(f"No item with an id of {len(item_id)} characters.")
    source = backend.run(lambda e: e.source_of(item_id))  # ItemNotFound: not in the index
    path = Path(source)
    if not path.is_absolute() or path.suffix.lower() not in CONTENT_TYPES:
        return None  # an index written by hand or by a test: no file to serve
    return path if path.is_file() else None


@dataclass(frozen=True)
class LetterLink:
    """The item page's link to its letter file."""

    url: str
    name: str  # as the documents name the file (relative to the folder indexed)
    kind: str  # "PDF" or "text"


def letter_link(item_id: str, source: str) -> LetterLink | None:
    """The link to the item's letter file (`source`: its document's letter.source), when the
    file can be served."""
    path = letter_path(item_id)
    if path is None:
        return None
    url = url_for("letters.letter", item_id=item_id)
    return LetterLink(url, shown_source(source), KINDS[path.suffix.lower()])


def text_charset(head: bytes, whole: bool = True) -> str:
    """The charset of a text letter whose first bytes are `head` (the whole file if `whole`),
    as the indexer reads it (indexer.read: UTF-16 with a BOM, UTF-8, else Windows-1252)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if whole or exc.start < len(head) - 3:  # not merely a character cut off by `head`
            return "windows-1252"
    return "utf-8"


@bp.get("/item/<item_id>/letter")
def letter(item_id: str) -> Response:
    path = letter_path(item_id)
    if path is None:
        raise ItemNotFound(
            f"The letter file of item {item_id} is not available on this server (it was "
            "indexed elsewhere, or moved or deleted since); its text is on the item's page."
        )
    suffix = path.suffix.lower()
    mimetype = CONTENT_TYPES[suffix]
    if suffix == ".txt":
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES + 1)
        mimetype += "; charset=" + text_charset(head[:SNIFF_BYTES], len(head) <= SNIFF_BYTES)
    name = Path(shown_source(str(path))).name
    resp = send_file(path, mimetype=mimetype, download_name=name, as_attachment=False)
    resp.headers["Content-Type"] = mimetype  # as is: send_file adds a charset of its own
    resp.headers["Content-Security-Policy"] = FILE_CSP[suffix]
    return resp
