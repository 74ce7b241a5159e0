"""A tiny, dependency-free PDF writer for generated letters (text pages in Courier).

The PDF benchmark and PDF tests need letters as PDFs; a full PDF library would be a new
dependency for a few lines of monospaced text. This writes standard PDF 1.4 with the built-in
Courier font (no embedding), one page per form feed or per 60 lines, deterministically (no
dates, no random ids), so the same text always gives the same bytes.
"""

from __future__ import annotations

__all__ = ["text_to_pdf"]

LINES_PER_PAGE = 60
_FONT_SIZE = 9
_LEADING = 11.5
_TOP = 760
_LEFT = 40


def _escape(line: str) -> bytes:
    data = line.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pages(text: str) -> list[list[str]]:
    pages: list[list[str]] = []
    for chunk in text.replace("\r\n", "\n").split("\f"):
        lines = chunk.split("\n")
        for start in range(0, max(len(lines), 1), LINES_PER_PAGE):
            pages.append(lines[start : start + LINES_PER_PAGE])
    while len(pages) > 1 and not any(line.strip() for line in pages[-1]):
        pages.pop()
    return pages


def _content(lines: list[str]) -> bytes:
    ops = [b"BT /F1 %d Tf %.1f TL %d %d Td" % (_FONT_SIZE, _LEADING, _LEFT, _TOP)]
    for n, line in enumerate(lines):
        ops.append(b"(" + _escape(line.rstrip()) + (b") Tj" if n == 0 else b") '"))
    ops.append(b"ET")
    return b"\n".join(ops)


def text_to_pdf(text: str) -> bytes:
    """PDF bytes showing `text` line by line (form feeds start new pages)."""
    pages = _pages(text)
    objects: list[bytes] = []  # object n is objects[n - 1]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # page tree, filled in below
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for lines in pages:
        stream = _content(lines)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_ref
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
