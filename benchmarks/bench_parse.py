"""Benchmark of the letter parser: text letters/s and PDF letters/s, on one core.

    python benchmarks/bench_parse.py             # about 1 minute
    python benchmarks/bench_parse.py --seconds 1 --check   # exit 1 below the targets
    python benchmarks/bench_parse.py --no-cli    # parse_text and pdf_text only (about 25 s)

Measured on ../shared/real-letters (txt/ and pdf/) when present, else on the fixture letters
in tests/fixtures/letters (one per layout; the noise and truncation copies are left out).
Rates use this process's CPU time (best of several rounds), so other work on a shared
machine distorts them less; wall-clock rates are printed beside them.
Each rate is printed beside its lower bound, measured on the same input in the same run:
one regex pass over the same text (every word token, the case number and each "Decision
based on" sentence: the least a regex parser must read) for parsing, and raw pdfium text
extraction of the same files for PDFs. benchmarks/suite.py runs the same measurement on
generated letters (`generated_corpus`).

Then the whole command: `imr-search parse` (a fresh interpreter: walk, read and parse in its
worker process, JSON lines out) over the real text letters, the real PDFs and generated
letters, each file linked (not copied) many times from a temporary folder so that a run
parses thousands of letters. Its CPU time is the command's and its worker's (getrusage of
children); the CPU time of a run over one letter (interpreter start, imports, the worker's
start) is subtracted, so the rate is what a long run (a backfill) does per letter ("with
start" keeps it in).
Targets: 2,000 text letters/s and 100 PDF letters/s per core (issue 2), 2,000 real letters
per CPU-second through the command (issue 14).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, Table, best_rate, ratio

from indexer.parse import parse_text
from indexer.read import pdf_text

REAL = ROOT.parent / "shared" / "real-letters"
FIXTURES = ROOT / "tests" / "fixtures" / "letters"
TEXT_TARGET = 2_000
PDF_TARGET = 100
CLI_TARGET = 2_000  # real text letters per CPU-second through `imr-search parse` (issue 14)
CLI_LETTERS = 2_000  # text letters per `imr-search parse` run measured (about 1-2 s each)
CLI_PDFS = 400  # PDF letters per run (a few seconds)
# Fixture files that are not distinct letters: the non-letter, and noisy/truncated copies of
# standard_credentials_lines.txt kept for the noise tests.
NOT_A_CORPUS = {"not_a_letter.txt", "noisy_double_spaced.txt", "truncated.txt"}
# The lower bound of parsing: one scan of the text by the regex engine.
RAW_PASS = re.compile(r"CM\d{2}-\d{4,8}|Decision\s+based\s+on|\w+")


def corpus() -> tuple[str, list[str], list[bytes]]:
    """(description, letter texts, PDF files' bytes), read into memory up front."""
    if (REAL / "txt").is_dir() and (REAL / "pdf").is_dir():
        texts = [path.read_text(encoding="utf-8") for path in sorted((REAL / "txt").glob("*.txt"))]
        pdfs = [path.read_bytes() for path in sorted((REAL / "pdf").glob("*.pdf"))]
        return f"{len(texts)} real letters ({REAL})", texts, pdfs
    texts = [
        path.read_text(encoding="utf-8")
        for path in sorted(FIXTURES.glob("*.txt"))
        if path.name not in NOT_A_CORPUS
    ]
    pdfs = [path.read_bytes() for path in sorted((FIXTURES / "pdf").glob("*.pdf"))]
    return f"{len(texts)} fixture letters ({FIXTURES})", texts, pdfs


def generated_corpus(
    letters: int, pdfs: int, seed: int, noise: float
) -> tuple[str, list[str], list[bytes]]:
    """`letters` generated letters as text (every layout, extraction noise `noise`) and the
    first `pdfs` of them as PDF files."""
    from synthetic.corpus import FastRandom, generate_letters, render_letter
    from synthetic.pdfwrite import text_to_pdf

    rng = FastRandom(seed * 7919 + 17)
    records = list(generate_letters(letters, seed))
    texts = [render_letter(letter, noise=noise, rng=rng) for letter in records]
    files = [
        text_to_pdf(render_letter(letter, noise=noise, rng=rng, for_pdf=True))
        for letter in records[:pdfs]
    ]
    return f"{letters} generated letters (seed {seed}, noise {noise:g})", texts, files


@dataclass(frozen=True)
class ParseRates:
    """Letters/s per core (CPU time) and wall clock, with the lower bounds."""

    text: float
    text_wall: float
    regex_floor: float
    pdf: float
    pdf_wall: float
    pdfium_floor: float
    pdf_read_only: float


def raw_pdfium(data: bytes) -> str:
    """Text of every page with pypdfium2 and nothing else: the lower bound of reading a PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    pages = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return "\f".join(pages)


def measure(texts: Sequence[str], pdfs: Sequence[bytes], seconds: float) -> ParseRates:
    """Every rate, each for about `seconds` (CPU time, best of rounds)."""

    def parse_all() -> None:
        for text in texts:
            parse_text(text, "bench")

    def regex_all() -> None:
        for text in texts:
            sum(1 for _ in RAW_PASS.finditer(text))

    def read_all() -> None:
        for data in pdfs:
            pdf_text(data, "bench")

    def read_and_parse_all() -> None:
        for data in pdfs:
            parse_text(pdf_text(data, "bench"), "bench")

    def pdfium_all() -> None:
        for data in pdfs:
            raw_pdfium(data)

    text, text_wall = best_rate(parse_all, len(texts), seconds)
    regex, _ = best_rate(regex_all, len(texts), seconds)
    pdf, pdf_wall = best_rate(read_and_parse_all, len(pdfs), seconds)
    pdfium, _ = best_rate(pdfium_all, len(pdfs), seconds)
    read_only, _ = best_rate(read_all, len(pdfs), seconds)
    return ParseRates(text, text_wall, regex, pdf, pdf_wall, pdfium, read_only)


def table(rates: ParseRates) -> Table:
    out = Table(
        (
            "measure (one core, CPU time)",
            "letters/s",
            "lower bound",
            "ratio",
            "wall clock",
            "target",
        )
    )
    out.add(
        "text parsing",
        f"{rates.text:,.0f}",
        f"{rates.regex_floor:,.0f} (regex pass)",
        ratio(rates.regex_floor, rates.text),
        f"{rates.text_wall:,.0f}",
        f">= {TEXT_TARGET:,} {verdict(rates.text, TEXT_TARGET)}",
    )
    out.add(
        "PDF read + parse",
        f"{rates.pdf:,.0f}",
        f"{rates.pdfium_floor:,.0f} (raw pdfium)",
        ratio(rates.pdfium_floor, rates.pdf),
        f"{rates.pdf_wall:,.0f}",
        f">= {PDF_TARGET:,} {verdict(rates.pdf, PDF_TARGET)}",
    )
    out.add(
        "PDF read only (pdf_text)",
        f"{rates.pdf_read_only:,.0f}",
        f"{rates.pdfium_floor:,.0f} (raw pdfium)",
        ratio(rates.pdfium_floor, rates.pdf_read_only),
        None,
        None,
    )
    return out


@dataclass(frozen=True)
class CliRate:
    """`imr-search parse` over `letters` letters: CPU seconds of the run and of a run over one
    letter (the start), and the rate once started (letters per CPU-second)."""

    corpus: str
    letters: int
    cpu: float
    start_cpu: float

    @property
    def rate(self) -> float:
        return (self.letters - 1) / max(self.cpu - self.start_cpu, 1e-9)

    @property
    def rate_with_start(self) -> float:
        return self.letters / max(self.cpu, 1e-9)


def run_cli(paths: Sequence[str | Path]) -> tuple[int, float]:
    """(JSON lines printed, CPU seconds) of one `imr-search parse PATHS` in a fresh interpreter,
    its worker process included."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "imr_cli", "parse", *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout.count(b"\n"), cpu


def linked_copies(files: Sequence[Path], letters: int, folder: Path) -> list[Path]:
    """Folders to give `imr-search parse` for about `letters` letters: the folders of `files`,
    and `folder` holding links to `files` (as many rounds as needed). Nothing is copied: hard
    links, as a real folder of letters reads (a walk resolves each symbolic link), else
    symbolic links (another file system), which a walk follows inside the folders given."""
    sources = sorted({path.parent.resolve() for path in files})
    rounds = max(0, -(-letters // len(files)) - 1)
    for number in range(rounds):
        sub = folder / f"copy{number:04d}"
        sub.mkdir(parents=True)
        for index, path in enumerate(files):
            link = sub / f"{index:05d}{path.suffix}"
            try:
                os.link(path, link)
            except OSError:
                link.symlink_to(path.resolve())
    return [folder, *sources] if rounds else list(sources)


def cli_rates(rounds: int = 2, letters: int = CLI_LETTERS, pdfs: int = CLI_PDFS) -> list[CliRate]:
    """`imr-search parse` letters per CPU-second on real text letters, real PDFs (when
    ../shared/real-letters is there) and generated letters (best of `rounds`)."""
    from synthetic.corpus import write_corpus

    corpora: list[tuple[str, list[Path], int]] = []
    if (REAL / "txt").is_dir():
        corpora.append(("real text letters", sorted((REAL / "txt").glob("*.txt")), letters))
    if (REAL / "pdf").is_dir():
        corpora.append(("real PDF letters", sorted((REAL / "pdf").glob("*.pdf")), pdfs))
    out: list[CliRate] = []
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        generated = Path(tmp) / "generated"
        write_corpus(str(generated), letters, 1, noise=0.1)
        corpora.append(("generated text letters", sorted(generated.rglob("*.txt")), letters))
        for number, (name, files, wanted) in enumerate(corpora):
            paths = linked_copies(files, wanted, Path(tmp) / f"links{number}")
            start = min(run_cli(files[:1])[1] for _ in range(rounds))
            runs = [run_cli(paths) for _ in range(rounds)]
            count = runs[0][0]
            out.append(CliRate(name, count, min(cpu for _, cpu in runs), start))
    return out


def cli_table(rates: Sequence[CliRate]) -> Table:
    out = Table(
        (
            "imr-search parse (CPU time, worker included)",
            "letters",
            "letters/CPU-s",
            "with start",
            "target",
        )
    )
    for cli in rates:
        real_text = cli.corpus == "real text letters"
        out.add(
            cli.corpus,
            f"{cli.letters:,}",
            f"{cli.rate:,.0f}",
            f"{cli.rate_with_start:,.0f}",
            f">= {CLI_TARGET:,} {verdict(cli.rate, CLI_TARGET)}" if real_text else None,
        )
    return out


def verdict(value: float, target: float) -> str:
    return "ok" if value >= target else "BELOW"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--check", action="store_true", help="exit 1 when below a target")
    parser.add_argument(
        "--no-cli", action="store_true", help="skip the `imr-search parse` measurement"
    )
    args = parser.parse_args(argv)

    description, texts, pdfs = corpus()
    print(f"corpus: {description}, {len(pdfs)} PDF files")
    rates = measure(texts, pdfs, args.seconds)
    print(table(rates).render())
    failed = rates.text < TEXT_TARGET or rates.pdf < PDF_TARGET
    if not args.no_cli:
        cli = cli_rates()
        print()
        print(cli_table(cli).render())
        failed = failed or any(c.rate < CLI_TARGET for c in cli if c.corpus == "real text letters")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
