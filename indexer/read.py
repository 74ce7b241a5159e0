"""Read a letter file (.txt or .pdf) into text, and find letter files under folders.

Every failure becomes a LetterError naming the file and saying what to do, so a batch run
reports it and carries on. Text files are decoded by trying UTF-8 (with or without BOM),
UTF-16 (with BOM), then Windows-1252, then Latin-1; a file that is still mostly control
characters is binary, not text. PDFs are read with pdfium (pypdfium2), which also opens the
public letters' AES encryption with the empty password.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.errors import LetterError

LETTER_SUFFIXES: tuple[str, ...] = (".txt", ".pdf")

# Largest file read (bytes): letters are 3-30 KB as text and well under 1 MB as PDF.
MAX_BYTES = 64 * 1024 * 1024
# Decoded text with more than this share of control characters is binary.
MAX_CONTROL_SHARE = 0.01
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


def iter_letter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Letter files named by `paths`: files as given, folders walked recursively for .txt
    and .pdf files (any case) in sorted order, skipping hidden files and folders; each file
    once. Streams: memory holds one folder listing at a time, not the whole tree."""
    paths = list(paths)
    seen: set[Path] | None = set() if len(paths) > 1 else None  # overlap needs more than one
    for raw in paths:
        path = Path(raw)
        found = _walk(path) if path.is_dir() else iter((path,))
        for candidate in found:
            if seen is not None:
                if candidate in seen:
                    continue
                seen.add(candidate)
            yield candidate


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return  # an unreadable sub-folder is skipped, like a file that is not a letter
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif os.path.splitext(entry.name)[1].lower() in LETTER_SUFFIXES and _is_letter_file(entry):
            yield Path(entry.path)


def _is_letter_file(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a link that cannot be followed (broken, or a loop): yielded so that
    reading it reports why, rather than losing it silently or stopping the walk. FIFOs,
    sockets and devices are not letters (reading a FIFO would block)."""
    try:
        if entry.is_file():
            return True
    except OSError:  # DirEntry.is_file raises for a symlink loop (ELOOP)
        return True
    return entry.is_symlink() and not os.path.exists(entry.path)


def read_letter(path: str | Path) -> str:
    """The text of one letter file (.pdf by content or suffix, otherwise text)."""
    path = Path(path)
    source = str(path)
    data = _read_bytes(path, source)
    if data.startswith(b"%PDF-") or (path.suffix.lower() == ".pdf" and b"%PDF-" in data[:1024]):
        return pdf_text(data, source)
    if path.suffix.lower() == ".pdf":
        raise LetterError(source, "not a PDF file (no %PDF header): check the file is not damaged")
    return decode_text(data, source)


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        if path.is_dir():
            raise LetterError(
                source,
                "is a folder, not a file: pass it to `imr-search parse`, which walks folders",
            )
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LetterError(
                source, f"file too large for a letter ({size} bytes): check it is an IMR letter"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise LetterError(source, "no such file: check the path") from None
    except PermissionError:
        raise LetterError(source, "permission denied: make the file readable") from None
    except IsADirectoryError:
        raise LetterError(source, "is a folder, not a file") from None
    except OSError as exc:
        raise LetterError(
            source, f"unreadable file ({exc.strerror or exc}): check the disk or copy it again"
        ) from None
    if not data.strip():
        raise LetterError(
            source, "empty file: nothing to parse (re-extract or re-download the letter)"
        )
    return data


def decode_text(data: bytes, source: str) -> str:
    """Decode a text file, rejecting binary data and undecodable bytes."""
    if not data.strip():
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
    if not text.strip():
        raise LetterError(
            source, "empty file: nothing to parse (re-extract or re-download the letter)"
        )
    control = sum(1 for ch in text if (ch < " " and ch not in "\n\r\t\f") or "\x7f" <= ch <= "\x9f")
    if control > MAX_CONTROL_SHARE * len(text):
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
    c1 = sum(1 for ch in text if "\x80" <= ch <= "\x9f")
    return text if c1 <= MAX_CONTROL_SHARE * len(text) else None


def pdf_text(data: bytes, source: str) -> str:
    """Text of every page, pages separated by form feeds (as pdftotext does)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise LetterError(
                source, "password-protected PDF: remove the password and retry"
            ) from None
        raise LetterError(
            source, f"unreadable PDF ({reason}): check the file is not damaged"
        ) from None
    pages: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(textpage.get_text_range())
                finally:
                    textpage.close()
            finally:
                page.close()
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


__all__ = ["LETTER_SUFFIXES", "decode_text", "iter_letter_files", "pdf_text", "read_letter"]
