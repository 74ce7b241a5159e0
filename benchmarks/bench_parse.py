"""Benchmark of the letter parser: text letters/s and PDF letters/s, on one core.

    python benchmarks/bench_parse.py             # about 15 s
    python benchmarks/bench_parse.py --seconds 1 --check   # exit 1 below the targets

Measured on ../shared/real-letters (txt/ and pdf/) when present, else on the fixture letters
in tests/fixtures/letters (one per layout; the noise and truncation copies are left out).
Rates use this process's CPU time (best of several rounds), so other work on a shared
machine distorts them less; wall-clock rates are printed beside them.
Targets (issue 2): 2,000 text letters/s and 100 PDF letters/s per core.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.parse import parse_text  # noqa: E402
from indexer.read import pdf_text  # noqa: E402

REAL = ROOT.parent / "shared" / "real-letters"
FIXTURES = ROOT / "tests" / "fixtures" / "letters"
TEXT_TARGET = 2_000
PDF_TARGET = 100
# Fixture files that are not distinct letters: the non-letter, and noisy/truncated copies of
# standard_credentials_lines.txt kept for the noise tests.
NOT_A_CORPUS = {"not_a_letter.txt", "noisy_double_spaced.txt", "truncated.txt"}


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


def rate(
    work: Callable[[], object], count: int, seconds: float, rounds: int = 5
) -> tuple[float, float]:
    """(best CPU-time rate, best wall-clock rate) in letters/s of `work`, which handles
    `count` letters per call, repeated for about `seconds` in total."""
    work()  # warm up (imports, regex compilation, pdfium initialisation)
    best_cpu = best_wall = 0.0
    deadline = time.perf_counter() + seconds
    for _ in range(rounds):
        calls = 0
        cpu, wall = time.process_time(), time.perf_counter()
        while True:
            work()
            calls += 1
            if time.perf_counter() - wall >= seconds / rounds:
                break
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best_cpu = max(best_cpu, calls * count / max(cpu, 1e-9))
        best_wall = max(best_wall, calls * count / max(wall, 1e-9))
        if time.perf_counter() > deadline:
            break
    return best_cpu, best_wall


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--check", action="store_true", help="exit 1 when below a target")
    args = parser.parse_args(argv)

    description, texts, pdfs = corpus()
    print(f"corpus: {description}, {len(pdfs)} PDF files")

    def parse_all() -> None:
        for text in texts:
            parse_text(text, "bench")

    def read_all() -> None:
        for data in pdfs:
            pdf_text(data, "bench")

    def read_and_parse_all() -> None:
        for data in pdfs:
            parse_text(pdf_text(data, "bench"), "bench")

    results = [
        ("text parsing", rate(parse_all, len(texts), args.seconds), TEXT_TARGET),
        ("PDF reading", rate(read_all, len(pdfs), args.seconds), PDF_TARGET),
        ("PDF read + parse", rate(read_and_parse_all, len(pdfs), args.seconds), PDF_TARGET),
    ]
    failed = False
    for name, (cpu, wall), target in results:
        verdict = "ok" if cpu >= target else "BELOW TARGET"
        failed |= cpu < target
        print(
            f"{name:17s} {cpu:8,.0f} letters/s per core (CPU time; wall clock {wall:,.0f}/s)"
            f"   target >= {target:,}: {verdict}"
        )
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
