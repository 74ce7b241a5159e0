"""Synthetic IMR letters: ground-truth records, their text, and corpora on disk.

The demo, the benchmarks and the scale tests need as many realistic letters as they ask for,
and the round-trip test needs to know exactly what each letter says. So generation is two
steps: `generate_letters` draws the records (the truth, letters.py), `render_letter`
writes one record as the text of one of the layouts the parser reads, with optional
extraction noise (render.py). Both are deterministic given the seed; `write_corpus` puts
files on disk, and `imr-search generate` is its command line.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from indexer.records import FORMATS, Letter
from synthetic.letters import LAYOUT_WEIGHTS, FastRandom, LetterFactory
from synthetic.render import render_letter
from synthetic.showcase import Showcase, showcase_at

__all__ = [
    "LAYOUT_WEIGHTS",
    "FastRandom",
    "WrittenCorpus",
    "corpus_path",
    "generate_letters",
    "render_letter",
    "write_corpus",
]

FILES_PER_FOLDER = 1000
# Threads that create files while the main thread generates (see write_corpus).
WRITER_THREADS = 2


def generate_letters(
    n: int, seed: int, layouts: Sequence[str] = FORMATS, showcase: Sequence[Showcase] = ()
) -> Iterator[Letter]:
    """Yield `n` ground-truth letters drawn from `seed` (same seed, same letters); with
    `showcase`, a letter about each of those requests among them (synthetic.showcase)."""
    factory = LetterFactory(seed, layouts)
    places = showcase_at(n, showcase)
    for index in range(n):
        yield factory.letter(places.get(index))


def corpus_path(index: int, letter: Letter, suffix: str = ".txt") -> Path:
    """Relative path of the index-th letter: folders of 1,000 files keep directories small."""
    return Path(f"{index // FILES_PER_FOLDER:04d}") / f"{letter.case_number}{suffix}"


class WrittenCorpus(list[Path]):
    """The paths written, in generation order, with what they hold."""

    items: int = 0
    pdfs: int = 0


def write_corpus(
    out_dir: str | Path,
    n: int,
    seed: int,
    layouts: Sequence[str] = FORMATS,
    noise: float = 0.0,
    pdf_fraction: float = 0.0,
    max_items: int | None = None,
    showcase: Sequence[Showcase] = (),
) -> WrittenCorpus:
    """Write `n` letters under `out_dir` (text, and PDF for `pdf_fraction` of them); with
    `max_items`, stop as soon as the letters hold that many items; with `showcase`, letters
    about those requests are among them (the demo). Returns the paths.

    Creating a file costs more kernel time than generating a letter on some file systems,
    so files are written by a few threads (system calls release the GIL) while this thread
    keeps generating; the bytes written depend only on the arguments.
    """
    from synthetic.pdfwrite import text_to_pdf

    out = str(out_dir)
    render_rng = FastRandom(seed * 7919 + 17)
    written = WrittenCorpus()
    made: set[str] = set()
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        for index, letter in enumerate(generate_letters(n, seed, layouts, showcase)):
            as_pdf = pdf_fraction > 0 and render_rng.random() < pdf_fraction
            text = render_letter(letter, noise=noise, rng=render_rng, for_pdf=as_pdf)
            folder = f"{out}/{index // FILES_PER_FOLDER:04d}"
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            path = f"{folder}/{letter.case_number}{'.pdf' if as_pdf else '.txt'}"
            data = text_to_pdf(text) if as_pdf else text.encode("utf-8")
            pending.append(pool.submit(_write_file, path, data))
            if len(pending) > 256:
                pending.popleft().result()
            written.append(Path(path))
            written.items += len(letter.items)
            written.pdfs += as_pdf
            if max_items is not None and written.items >= max_items:
                break
        for future in pending:
            future.result()
    return written


def _write_file(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
