"""Reading letter files (.txt in any encoding, .pdf with pdfium), finding them under folders,
and the `imr-search parse` command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from imr_cli.letters import parse_command
from indexer import read
from indexer.errors import LetterError
from indexer.parse import parse_file, parse_text
from indexer.read import decode_text, iter_letter_files, pdf_text, read_letter

LETTERS = Path(__file__).parent / "fixtures" / "letters"
PDFS = LETTERS / "pdf"
STANDARD = LETTERS / "standard_credentials_lines.txt"


def write_pdf(text: str, lines_per_page: int = 60) -> bytes:
    """A minimal text PDF (Helvetica, one text line per input line, form feeds start pages).

    Used to build tests/fixtures/letters/pdf/*.pdf from the .txt fixtures of the same name;
    test_committed_pdfs_are_reproducible checks they are still what this writes.
    """
    pages = []
    for chunk in text.split("\f"):
        lines = chunk.split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        for start in range(0, len(lines), lines_per_page):
            pages.append(lines[start : start + lines_per_page])
    pages = pages or [[]]  # a PDF needs a page, even a blank one
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    contents = []
    for page in pages:
        ops = [b"BT /F1 9 Tf 11 TL 40 770 Td"]
        for line in page:
            data = line.encode("cp1252", "replace")
            data = data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(b"(" + data + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        contents.append(add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"))
    pages_id = len(objects) + len(contents) + 1
    kids = [
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)
        )
        for content in contents
    ]
    add(
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % kid for kid in kids)
        + b"] /Count %d >>" % len(kids)
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


def _record(path: Path) -> dict[str, object]:
    record = parse_file(path).to_dict()
    record.pop("source")
    return record


# --- text files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("cp1252", b""),
        ("utf-16", b""),
        ("latin-1", b""),
    ],
)
def test_text_in_any_common_encoding(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = STANDARD.read_text().replace("2x6", "2\u00d76") + "\nDr. Zo\u00eb\u2019s note\n"
    if encoding == "latin-1":
        text = text.replace("\u2019", "'")
    path = tmp_path / "letter.txt"
    path.write_bytes(prefix + text.encode(encoding))
    assert read_letter(path) == text
    assert _record(path)["case_number"] == "CM17-0101234"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n  ", "empty file"),
        (b"Case Number:\x00\x00\x00 CM16", "binary data"),
        (b"PK\x03\x04rest of a docx", "binary file"),
        (b"\x89PNG\r\n\x1a\n....", "binary file"),
        (bytes(range(1, 32)) * 40, "binary data"),
        (b"\x81\x8d\x8f\x90\x9d" * 200, "undecodable"),
    ],
)
def test_unreadable_text_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(LetterError) as caught:
        read_letter(path)
    assert caught.value.source == str(path)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}: ")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(LetterError, match="no such file"):
        read_letter(tmp_path / "missing.txt")
    with pytest.raises(LetterError, match="folder"):
        read_letter(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_permissions(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("text")
    path.chmod(0)
    with pytest.raises(LetterError, match="permission denied"):
        read_letter(path)


def test_os_errors_become_letter_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("text")

    def denied(handle: object, size: int) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(read, "_read_fd", denied)
    with pytest.raises(LetterError, match="permission denied"):
        read_letter(path)

    def broken(handle: object, size: int) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(read, "_read_fd", broken)
    with pytest.raises(LetterError, match="unreadable file"):
        read_letter(path)


def test_decode_text_rejects_mostly_control_characters() -> None:
    with pytest.raises(LetterError, match="binary"):
        decode_text(b"\x01\x02\x03abc" * 50, "x")


# --- PDF files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("pdf", sorted(PDFS.glob("*.pdf")), ids=lambda p: p.stem)
def test_fixture_pdfs_give_the_same_records_as_their_text(pdf: Path) -> None:
    assert _record(pdf) == _record(LETTERS / f"{pdf.stem}.txt")


@pytest.mark.parametrize("pdf", sorted(PDFS.glob("*.pdf")), ids=lambda p: p.stem)
def test_committed_pdfs_are_reproducible(pdf: Path) -> None:
    assert write_pdf((LETTERS / f"{pdf.stem}.txt").read_text()) == pdf.read_bytes()


def test_pdf_pages_are_joined_with_form_feeds() -> None:
    text = pdf_text(write_pdf("page one line\fpage two line"), "x")
    assert text.replace("\r\n", "\n").strip().split("\f") == ["page one line", "page two line"]


def test_pdf_text_has_crlf_and_no_blank_lines_yet_parses(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(write_pdf(STANDARD.read_text(), lines_per_page=25))
    raw = read_letter(path)
    assert "\r\n" in raw and "\r\n\r\n" not in raw
    assert _record(path) == _record(STANDARD)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "unreadable PDF"),
        ("fake.pdf", b"just some text with a pdf suffix", "not a PDF file"),
        ("empty.pdf", b"", "empty file"),
    ],
)
def test_bad_pdfs(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LetterError) as caught:
        read_letter(path)
    assert reason in caught.value.reason and caught.value.source == str(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(write_pdf(""))
    with pytest.raises(LetterError, match="no text layer"):
        read_letter(path)


def test_pdf_content_in_a_txt_file_is_read_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "misnamed.txt"
    path.write_bytes((PDFS / "notice_2013.pdf").read_bytes())
    assert _record(path) == _record(LETTERS / "notice_2013.txt")


# --- finding files -------------------------------------------------------------------------------


def test_iter_letter_files_walks_folders_sorted_and_filters(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.PDF",
        "sub/c.txt",
        "sub/deeper/d.pdf",
        "notes.md",
        ".hidden.txt",
        ".git/e.txt",
        "sub/f.TXT",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_letter_files([tmp_path])]
    assert found == ["a.PDF", "b.txt", "sub/c.txt", "sub/deeper/d.pdf", "sub/f.TXT"]


def test_iter_letter_files_keeps_files_as_given_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    named = tmp_path / "letter.rtf"
    assert list(iter_letter_files([named, tmp_path, tmp_path / "a.txt"])) == [
        named,
        tmp_path / "a.txt",
    ]


# --- the parse command -------------------------------------------------------------------------

GOOD = ["standard_credentials_lines.txt", "notice_2013.txt", "pdf/professional_review.pdf"]


def _run(*args: str) -> tuple[int, list[dict[str, object]], list[str]]:
    result = CliRunner().invoke(parse_command, list(args))
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, records, result.stderr.splitlines()


def test_parse_command_prints_one_json_letter_per_line() -> None:
    code, records, errors = _run(*(str(LETTERS / name) for name in GOOD))
    assert code == 0 and errors == []
    assert [r["case_number"] for r in records] == ["CM17-0101234", "CM13-0001234", "CM13-0004567"]
    assert (
        records[0]["items"][0]["treatment"]
        == "Lumbar epidural steroid injection at L4-L5 and L5-S1"
    )
    assert records[0]["source"] == str(LETTERS / GOOD[0])


def test_parse_command_walks_folders_and_reports_failures_after_all(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    (folder / "sub").mkdir(parents=True)
    (folder / "a_good.txt").write_text(STANDARD.read_text())
    (folder / "b_empty.txt").write_text("")
    (folder / "sub" / "c_other.txt").write_text((LETTERS / "not_a_letter.txt").read_text())
    (folder / "sub" / "d_good.pdf").write_bytes((PDFS / "documents_reviewed.pdf").read_bytes())
    (folder / "ignored.md").write_text("# notes")
    code, records, errors = _run(str(folder), str(tmp_path / "missing.txt"))
    assert code == 1
    assert [r["case_number"] for r in records] == ["CM17-0101234", "CM14-0023456"]
    assert len(errors) == 3
    assert errors[0].startswith(f"{folder / 'b_empty.txt'}: empty file")
    assert errors[1].startswith(f"{folder / 'sub' / 'c_other.txt'}: not an IMR")
    assert errors[2].startswith(f"{tmp_path / 'missing.txt'}: no such file")


def test_parse_command_empty_folder_is_an_error(tmp_path: Path) -> None:
    code, records, errors = _run(str(tmp_path))
    assert (code, records) == (1, [])
    assert errors == [f"{tmp_path}: no .txt or .pdf letters in this folder"]


def test_parse_command_needs_a_path() -> None:
    assert CliRunner().invoke(parse_command, []).exit_code == 2


def test_parse_command_is_registered_on_imr_search() -> None:
    from imr_cli.main import main

    result = CliRunner().invoke(main, ["parse", str(LETTERS / "notice_2013.txt")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "notice_2013"


def test_parse_text_and_parse_file_agree() -> None:
    assert parse_file(STANDARD) == parse_text(STANDARD.read_text(), str(STANDARD))
