"""PDFs built to exhaust a reader, written here byte by byte (no PDF library involved).

`page_tree_bomb`: a page tree whose /Kids arrays reference one node over and over, so that a
few KB declare `fanout ** (levels + 1)` pages (a reader that walks every page never ends).
`text_bomb`: one page whose compressed content stream shows a short string millions of times:
31 KB that take a reader seconds and gigabytes to extract, with one page and a normal tree.
"""

from __future__ import annotations

import zlib


def _pdf(objects: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _stream(data: bytes, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
    flate = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), flate) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def page_tree_bomb(fanout: int = 10, levels: int = 5, count: bool | int = True) -> bytes:
    """`fanout ** (levels + 1)` pages from `levels + 2` page-tree objects. `count`: True
    declares the real total in /Count, an int declares that instead (a lie), False none."""
    leaf = 3 + levels
    total = fanout ** (levels + 1)

    def counted(n: int) -> bytes:
        if count is False:
            return b""
        return b" /Count %d" % (n if count is True else int(count))

    def kids(child: int) -> bytes:
        return b"[" + b" ".join(b"%d 0 R" % child for _ in range(fanout)) + b"]"

    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids " + kids(3 if levels else leaf) + counted(total) + b" >>",
    }
    for level in range(levels):
        node = 3 + level
        objects[node] = (
            b"<< /Type /Pages /Parent 2 0 R /Kids "
            + kids(node + 1)
            + counted(fanout ** (levels - level))
            + b" >>"
        )
    objects[leaf] = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (leaf + 2, leaf + 1)
    )
    objects[leaf + 1] = _stream(b"BT /F1 12 Tf 72 700 Td (Case Number: CM15-0000001) Tj ET")
    objects[leaf + 2] = _FONT
    return _pdf(objects)


def text_bomb(shows: int = 1_000_000) -> bytes:
    """One page showing a 10-character string `shows` times (10 x `shows` characters)."""
    content = b"BT /F1 1 Tf 10 10 Td " + b"(xxxxxxxxxx) Tj " * shows + b"ET"
    return _pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            4: _stream(content, compress=True),
            5: _FONT,
        }
    )
