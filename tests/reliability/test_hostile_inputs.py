"""Hostile files indexed together with good letters, both engines, through the real CLI.

What must hold: the run finishes (nothing hangs, nothing crashes) and exits non-zero; every bad
file is named in the summary and the report file with a reason; every good item is indexed
and nothing else (compared with the generator's ground truth, not with another run); a copy
of a letter under another name is skipped as a duplicate, as indexer/pipeline.py documents
(the first copy in walk order stays). Files that are odd but readable (Windows-1252, UTF-16
with a BOM, a folder named like a letter) are letters like any other.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.parse import parse_text
from indexer.records import Letter
from synthetic.corpus import FastRandom, generate_letters, render_letter, write_corpus
from synthetic.pdfwrite import text_to_pdf

from .helpers import (
    drop_index,
    index_command,
    lines_naming,
    report_section,
    run_cli,
    snapshot,
)

GOOD = 150  # generated letters under good/ (walked before hostile/)
SEED = 77
HUGE_BYTES = 20 * 1024 * 1024


# --- building the files -----------------------------------------------------------------------


def pdf_without_text() -> bytes:
    """A valid one-page PDF that draws lines and a box but holds no text object (a scan)."""
    content = b"0.5 w 72 72 m 540 720 l S 100 100 200 150 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def huge_prose(size: int, seed: int) -> bytes:
    """`size` bytes of medical-sounding lines: text, just not a letter."""
    rng = random.Random(seed)
    words = [
        "the",
        "claimant",
        "knee",
        "pain",
        "therapy",
        "guideline",
        "medical",
        "necessity",
        "upheld",
        "overturned",
        "request",
        "lumbar",
        "injection",
        "records",
        "reviewer",
    ]
    lines = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(500)]
    block = ("\n".join(lines) + "\n").encode()
    return (block * (size // len(block) + 1))[:size]


def with_accents(text: str) -> str:
    """The letter with non-ASCII text in its clinical summary (or at its end)."""
    sentence = " The caf\u00e9\u2019s na\u00efve r\u00e9sum\u00e9 cost \u20ac5."
    at = text.find("\n\n", text.find("CLINICAL CASE SUMMARY") + 40)
    if "CLINICAL CASE SUMMARY" not in text or at < 0:
        return text + "\n" + sentence.strip() + "\n"
    return text[:at] + sentence + text[at:]


def header_only(seed: int) -> str:
    """A standard-layout letter cut before its decisions: a letter with no disputed item."""
    letter = next(generate_letters(1, seed, layouts=("standard",)))
    text = render_letter(letter, rng=FastRandom(seed))
    return text[: text.index("IMR ISSUES")]


@dataclass(frozen=True)
class Extras:
    """Letters beyond the good corpus, for the odd and bad files (ground truth known)."""

    letters: list[Letter]
    texts: list[str]


@dataclass(frozen=True)
class Case:
    """One hostile file: where it goes, how it is made, and what the run must say about it.

    `reason` is a regex the file's reported reason must match; None means the file is odd
    but readable and its letter (extras.letters[`letter`]) must be indexed. `either` allows
    both (reported with a reason, or read correctly)."""

    path: str
    make: Callable[[Path, Extras], None]
    reason: str | None
    letter: int | None = None
    either: bool = False


def _write(data: bytes | Callable[[Extras], bytes]) -> Callable[[Path, Extras], None]:
    def make(path: Path, extras: Extras) -> None:
        path.write_bytes(data(extras) if callable(data) else data)

    return make


def _symlink(to: str) -> Callable[[Path, Extras], None]:
    def make(path: Path, _extras: Extras) -> None:
        path.symlink_to(to)

    return make


def _folder_named_like_a_letter(path: Path, extras: Extras) -> None:
    path.mkdir()
    (path / "inside.txt").write_text(extras.texts[2], encoding="utf-8")


def _fifo(path: Path, _extras: Extras) -> None:
    os.mkfifo(path)


def _nul_laden(extras: Extras) -> bytes:
    data = extras.texts[4].encode()
    middle = len(data) // 2
    return data[:middle] + b"\x00" * 64 + data[middle:]


PDF_LETTER = text_to_pdf("Case Number: CM00-0000000\n" + "x" * 3000)

CASES: tuple[Case, ...] = (
    Case("hostile/empty.txt", _write(b""), r"empty"),
    Case("hostile/whitespace.txt", _write(b" \n\t\r\n  \n"), r"empty"),
    Case(
        "hostile/random-bytes.txt",
        _write(random.Random(SEED).randbytes(6000)),
        r"binary|undecodable",
    ),
    Case("hostile/archive.txt", _write(b"PK\x03\x04" + bytes(range(256)) * 8), r"binary"),
    Case("hostile/huge.txt", _write(huge_prose(HUGE_BYTES, SEED)), r"not an IMR|too large"),
    Case(
        "hostile/utf16-no-bom.txt",
        _write(lambda e: e.texts[3].encode("utf-16-le")),
        r"binary|NUL|encod|decod",
        letter=3,
        either=True,
    ),
    Case(
        "hostile/page.txt",
        _write(
            b"<!DOCTYPE html><html><head><title>Search</title></head><body><h1>404 Not Found"
            b"</h1><script>track()</script></body></html>\n"
        ),
        r"not an IMR",
    ),
    Case("hostile/scan.pdf", _write(pdf_without_text()), r"no text layer"),
    Case("hostile/truncated.pdf", _write(PDF_LETTER[: len(PDF_LETTER) // 2]), r"PDF"),
    Case(
        "hostile/text-named.pdf", _write(b"Case Number: CM00-0000001\nplain text\n"), r"not a PDF"
    ),
    Case("hostile/no-items.txt", _write(header_only(SEED + 1).encode()), r"item"),
    Case("hostile/nul-laden.txt", _write(_nul_laden), r"NUL|binary"),
    Case(
        "hostile/dangling.txt",
        _symlink("does-not-exist.txt"),
        r"no such file|cannot read|unreadable|missing|broken",
    ),
    Case("hostile/loop.txt", _symlink("loop.txt"), r"cannot read|unreadable|symbolic|loop"),
    Case(
        "odd/cp1252.txt",
        _write(lambda e: with_accents(e.texts[0]).encode("cp1252")),
        None,
        letter=0,
    ),
    Case("odd/utf16-bom.txt", _write(lambda e: e.texts[1].encode("utf-16")), None, letter=1),
    Case("odd/folder.txt", _folder_named_like_a_letter, None, letter=2),
)
EXTRA_LETTERS = 5


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(folder, item id -> outcome that must be indexed, the original of the duplicate)."""
    root = tmp_path_factory.mktemp("hostile-corpus")
    good = write_corpus(root / "good", GOOD, seed=SEED)
    letters = list(generate_letters(GOOD + EXTRA_LETTERS, SEED))
    extras = Extras(
        letters[GOOD:], [render_letter(letter, rng=FastRandom(SEED)) for letter in letters[GOOD:]]
    )
    # The odd files are letters only if their text still parses to their record.
    for index in (0, 1, 2):
        parsed = parse_text(
            with_accents(extras.texts[index]) if index == 0 else extras.texts[index]
        )
        assert [i.id for i in parsed.items] == [i.id for i in extras.letters[index].items]
    assert parse_text(header_only(SEED + 1)).items == ()  # and the no-items letter has none
    for folder in ("hostile", "odd"):
        (root / folder).mkdir()
    for case in CASES:
        case.make(root / case.path, extras)
    _fifo(root / "hostile" / "pipe.txt", extras)  # must not hang the run (reading would block)
    original = good[7]
    (root / "hostile" / "duplicate").mkdir()
    (root / "hostile" / "duplicate" / "copy.txt").write_bytes(original.read_bytes())

    expected = {i.id: i.outcome for letter in letters[:GOOD] for i in letter.items}
    for case in CASES:
        if case.letter is not None and case.reason is None:
            expected.update({i.id: i.outcome for i in extras.letters[case.letter].items})
    return root, expected, original


@pytest.fixture
def target(engine_target: str) -> Iterator[str]:
    yield engine_target
    drop_index(engine_target)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_hostile_files_are_reported_and_good_items_all_indexed(
    corpus: tuple[Path, dict[str, str], Path], target: str, tmp_path: Path
) -> None:
    root, expected, original = corpus
    report = tmp_path / "report.txt"
    result = run_cli(index_command([root], target, report, "--workers", "2"), timeout=480)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    text = report.read_text(encoding="utf-8")
    assert text.strip() in result.stdout  # the report is the printed summary

    # Every bad file named, with its reason, in the Failed section.
    failed = report_section(text, "Failed")
    reported = lines_naming("\n".join(failed), [case.path for case in CASES])
    problems = []
    either_indexed: dict[str, str] = {}
    for case in CASES:
        line = reported[case.path]
        if case.reason is None:
            if line:
                problems.append(f"{case.path} is a readable letter but was reported: {line}")
            continue
        if case.either and not line:
            letter = _extra_letter(case)
            either_indexed.update({i.id: i.outcome for i in letter.items})
            continue
        reason = line.partition(f"{case.path}:")[2].strip()
        if not line or not re.search(case.reason, reason, re.IGNORECASE):
            problems.append(
                f"{case.path}: expected a reason matching /{case.reason}/, got "
                f"{line or 'nothing (not reported)'}"
            )
    assert not problems, "\n".join(problems) + "\n\nreport:\n" + text
    assert not any("inside.txt" in line or "pipe.txt" in line for line in failed), failed

    # The duplicate is skipped (not failed) and names the copy it defers to.
    skipped = report_section(text, "Skipped")
    assert len(skipped) == 1, skipped
    assert "hostile/duplicate/copy.txt" in skipped[0] and "duplicate" in skipped[0]
    assert str(original) in skipped[0]

    # Every good item indexed, nothing else, and indexed once.
    state = snapshot(target)
    assert state is not None
    wanted = {**expected, **either_indexed}
    assert len(state.ids) == len(state.id_set) == state.count
    assert sorted(state.id_set - set(wanted))[:5] == []  # nothing invented
    assert sorted(set(wanted) - state.id_set)[:5] == []  # nothing lost
    assert state.outcomes == wanted
    assert str(original) in state.sources
    assert not any(s.startswith(str(root / "hostile")) for s in state.sources)

    # Failures are retried on the next run and still fail; nothing else changes.
    again = run_cli(
        index_command([root], target, tmp_path / "again.txt", "--workers", "0"), timeout=480
    )
    assert again.returncode == 1, again.stdout + again.stderr
    assert " 0 items indexed" in again.stdout, again.stdout
    assert report_section((tmp_path / "again.txt").read_text(), "Failed") == failed
    assert snapshot(target) == state


def _extra_letter(case: Case) -> Letter:
    assert case.letter is not None
    return list(generate_letters(GOOD + EXTRA_LETTERS, SEED))[GOOD + case.letter]
