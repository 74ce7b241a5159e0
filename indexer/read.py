"""Read a letter file (.txt or .pdf) into text, within the bounds of any real letter.

Every failure becomes a LetterError naming the file and saying what to do, so a batch run
reports it and carries on. Text files are decoded by trying UTF-8 (with or without BOM),
UTF-16 (with BOM), then Windows-1252, then Latin-1; a file that is still mostly control
characters is binary, not text. PDFs are read with pdfium (pypdfium2), which also opens the
public letters' AES encryption with the empty password.

Real letters have 2-15 pages and 3-30 KB of text, so anything far beyond is refused before
the expensive part: a text file over 2 MB, a PDF declaring more than 200 pages (a few KB can
declare a million by reusing page-tree nodes), a PDF whose text passes 2 million characters.
Only regular files are opened (a FIFO would block for ever). What these checks cannot see
coming (one page that takes minutes or gigabytes) is bounded by the worker that reads the
file (indexer.workers).
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from indexer.errors import LetterError

# Finding files moved to indexer.walk; re-exported for the callers that found them here.
from indexer.walk import LETTER_SUFFIXES, Unwalked, iter_letter_files, walk_letter_files

# Largest PDF file read (bytes): letters are well under 1 MB as PDF.
MAX_PDF_BYTES = 64 * 1024 * 1024
# Largest text letter (bytes of a text file; characters extracted from a PDF).
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000
# Most pages a PDF may declare (letters have 2-15).
MAX_PAGES = 200
# Decoded text with more than this share of control characters is binary.
MAX_CONTROL_SHARE = 0.01
# The control characters counted: C0 but tab, newline, carriage return and form feed; DEL; C1.
# Counted by the regex engine or bytes.translate (a loop over every character in Python took a
# third of a letter's parse time).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_C1 = re.compile("[\x80-\x9f]")
# File signatures of formats that are not letters in text form.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP/Office document (.docx?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc?)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
)
_NOT_REGULAR: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_letter(path: str | Path) -> str:
    """The text of one letter file (.pdf by content or suffix, otherwise text)."""
    return letter_text(read_letter_bytes(path), path)


def letter_text(data: bytes, path: str | Path) -> str:
    """The text of a letter file's bytes (as read by `read_letter_bytes`)."""
    source = str(path)
    pdf_suffix = os.path.splitext(source)[1].lower() == ".pdf"  # no Path: cheaper per file
    if data.startswith(b"%PDF-") or (pdf_suffix and b"%PDF-" in data[:1024]):
        return pdf_text(data, source)
    if pdf_suffix:
        raise LetterError(source, "not a PDF file (no %PDF header): check the file is not damaged")
    if len(data) > MAX_TEXT_BYTES:
        raise LetterError(source, _too_large(len(data)))
    return decode_text(data, source)


def read_letter_bytes(path: str | Path) -> bytes:
    """The bytes of one letter file: a regular file, not empty, not beyond any letter's size."""
    source = str(path)
    try:
        data = _read_regular_file(path, source)
    except LetterError:
        raise
    except FileNotFoundError:
        raise LetterError(source, "no such file: check the path") from None
    except (PermissionError, IsADirectoryError):  # a folder, where it cannot be opened
        if os.path.isdir(path):
            raise LetterError(source, _FOLDER) from None
        raise LetterError(source, "permission denied: make the file readable") from None
    except OSError as exc:
        raise LetterError(
            source, f"unreadable file ({exc.strerror or exc}): check the disk or copy it again"
        ) from None
    if _blank(data):
        raise LetterError(
            source, "empty file: nothing to parse (re-extract or re-download the letter)"
        )
    return data


def _read_regular_file(path: str | Path, source: str) -> bytes:
    """Open without blocking (a FIFO would wait for a writer), then refuse what is not a
    regular file, and anything larger than a letter can be, before reading it. One stat of
    the open file (fstat) says all: a folder opens for reading on POSIX. Read with os.read
    on the descriptor: a file object would stat and seek again and copy through its buffer."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        _check_regular(status.st_mode, source)
        size = status.st_size
        if size > MAX_PDF_BYTES:
            raise LetterError(source, _too_large(size, pdf=True))
        # Ask for the size the file has (and a byte more, to see it grow): a read of
        # `limit` bytes allocates a buffer that large first, which cost more than parsing
        # the header. A file larger than any text letter is read past its first KB only when
        # that says PDF. Only a file that grew meanwhile is read on, up to the limit.
        head_only = size > MAX_TEXT_BYTES
        data = _read_fd(fd, 1024 if head_only else size + 1)
        pdf = b"%PDF-" in data[:1024]
        limit = MAX_PDF_BYTES if pdf else MAX_TEXT_BYTES
        if size > limit:
            raise LetterError(source, _too_large(size, pdf))
        if head_only:
            data += _read_fd(fd, max(size + 1 - len(data), 0))
        if len(data) > size:
            data += _read_fd(fd, limit + 1 - len(data))
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise LetterError(source, _too_large(len(data), pdf))
    return data


_FOLDER = "is a folder, not a file: pass it to `imr-search parse`, which walks folders"


def _check_regular(mode: int, source: str) -> None:
    if stat.S_ISDIR(mode):
        raise LetterError(source, _FOLDER)
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "something else")
        raise LetterError(
            source, f"{kind}, not a regular file: give letter files (.txt, .pdf) or folders"
        )


def _read_fd(fd: int, size: int) -> bytes:
    """`size` bytes from `fd`, or fewer at the end of the file (as a file object's read)."""
    data = os.read(fd, size)
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            break
        data += more
    return data


def _too_large(size: int, pdf: bool = False) -> str:
    if pdf:
        return (
            f"too large for a letter PDF ({size / 1e6:,.1f} MB; the limit is "
            f"{MAX_PDF_BYTES // (1024 * 1024)} MB): check it is one IMR letter"
        )
    return (
        f"too large for a letter ({size / 1e6:,.1f} MB of text; letters are 3-30 KB, the limit "
        f"is {MAX_TEXT_BYTES // (1024 * 1024)} MB): check it is one IMR letter, not several "
        "joined or another document"
    )


def decode_text(data: bytes, source: str) -> str:
    """Decode a text file, rejecting binary data and undecodable bytes."""
    if _blank(data):
        raise LetterError(
            source, "empty file: nothing to parse (re-extract or re-download the letter)"
        )
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise LetterError(
                source, f"binary file ({kind}), not text: save the letter as .txt or .pdf"
            )
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data:
        raise LetterError(
            source, "binary data, not text (NUL bytes): save the letter as .txt or .pdf"
        )
    text = _decode(data)
    if text is None:
        raise LetterError(
            source, "undecodable text (not UTF-8, UTF-16 or Windows-1252): re-save it as UTF-8"
        )
    if _blank(text):
        raise LetterError(
            source, "empty file: nothing to parse (re-extract or re-download the letter)"
        )
    if control_count(text) > MAX_CONTROL_SHARE * len(text):
        raise LetterError(
            source, "binary data, not text (NUL or control bytes): save the letter as .txt or .pdf"
        )
    return text


def _decode(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    text = data.decode("latin-1")
    # Latin-1 maps every byte; accept it only when few bytes fell in the C1 control range.
    c1 = len(_C1.findall(text))
    return text if c1 <= MAX_CONTROL_SHARE * len(text) else None


def _blank(data: bytes | str) -> bool:
    """`not data.strip()` without the copy strip makes of a file ending in a line break."""
    return not data or data.isspace()


def control_count(text: str) -> int:
    """How many control characters (_CONTROL) a text holds."""
    if text.isascii():  # one byte per character: bytes.translate deletes them fastest
        data = text.encode("ascii")
        return len(data) - len(data.translate(None, _CONTROL_BYTES))
    return len(_CONTROL.findall(text))


def pdf_text(data: bytes, source: str) -> str:
    """Text of every page, pages separated by form feeds (as pdftotext does).

    The page count is checked before any page is loaded, and the text length after each."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise LetterError(source, _pdf_refused(exc)) from None
    pages: list[str] = []
    chars = 0
    try:
        count = len(document)
        if count > MAX_PAGES:
            raise LetterError(
                source,
                f"PDF declares {count:,} pages (letters have 2-15; the limit is {MAX_PAGES}): "
                "not read; check it is one IMR letter",
            )
        for index in range(count):
            page = _load_page(document, index, source, pdfium.PdfiumError)
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
            finally:
                page.close()
            chars += len(text)
            if chars > MAX_TEXT_CHARS:
                raise LetterError(
                    source,
                    f"PDF holds more than {MAX_TEXT_CHARS:,} characters of text by page "
                    f"{index + 1} (letters hold 3-30 thousand): not read; check it is one "
                    "IMR letter",
                )
            pages.append(text)
    except pdfium.PdfiumError as exc:
        raise LetterError(
            source, f"unreadable PDF page ({exc}): check the file is not damaged"
        ) from None
    finally:
        document.close()
    text = "\f".join(pages)
    if not text.strip():
        raise LetterError(source, "PDF has no text layer (a scanned image?): run OCR on it first")
    return text


def _load_page(document: Any, index: int, source: str, error: type[Exception]) -> Any:
    try:
        return document[index]
    except error:
        raise LetterError(
            source,
            f"unreadable PDF: page {index + 1} cannot be loaded (a damaged or looping page "
            "tree): check the file, or print it to a new PDF",
        ) from None


def _pdf_refused(exc: Exception) -> str:
    """Why pdfium refused a document, in words (it says "Success" when it has no reason)."""
    reason = str(exc)
    code = getattr(exc, "err_code", None)
    if "password" in reason.lower():
        return "password-protected PDF: remove the password and retry"
    if code in (0, 1, None) or "Success" in reason or "Unknown" in reason:
        return (
            "unreadable PDF: the PDF reader refused it without a reason (a damaged file, or "
            "one built to exhaust readers, e.g. an impossible page tree): check the file"
        )
    detail = reason.partition("(PDFium: ")[2].rstrip(").") or reason
    return f"unreadable PDF ({detail}): check the file is not damaged"


__all__ = [
    "LETTER_SUFFIXES",
    "MAX_PAGES",
    "MAX_TEXT_BYTES",
    "MAX_TEXT_CHARS",
    "Unwalked",
    "decode_text",
    "iter_letter_files",
    "letter_text",
    "pdf_text",
    "read_letter",
    "read_letter_bytes",
    "walk_letter_files",
]
