"""Check that a change leaves the parser's output byte for byte as it was.

    python -m devtools.parse_output save /tmp/parse-before      # before the change
    python -m devtools.parse_output compare /tmp/parse-before   # after it: exit 1 on a difference

Saves (or compares with what was saved) for each corpus what `imr-search parse` prints (JSON
lines, the stderr lines, the exit status), run through the command as users run it, and the
stored documents the indexer derives from each letter (indexer.documents, JSON lines). The
corpora: ../shared/real-letters (txt/ and pdf/) and ../shared/seeds when present, the fixture
letters, and generated letters of every layout with extraction noise (written to a temporary
folder; paths are replaced by placeholders, so runs from other checkouts compare). Keep the
saved output outside the project (/tmp): the real letters are not the project's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The generated corpus: letters, seed, extraction noise, share written as PDF.
GENERATED_LETTERS, GENERATED_SEED, GENERATED_NOISE, GENERATED_PDFS = 2000, 7, 0.3, 0.02


def corpora(generated: Path) -> Iterator[tuple[str, Path]]:
    """(name, folder) of every corpus there is."""
    for name, folder in (
        ("real-txt", SHARED / "real-letters" / "txt"),
        ("real-pdf", SHARED / "real-letters" / "pdf"),
        ("seeds", SHARED / "seeds"),
    ):
        if folder.is_dir():
            yield name, folder
    yield "fixtures", ROOT / "tests" / "fixtures" / "letters"
    yield "generated", generated


def outputs(generated: Path) -> dict[str, str]:
    """File name -> content of everything compared."""
    from synthetic.corpus import write_corpus

    write_corpus(
        str(generated),
        GENERATED_LETTERS,
        GENERATED_SEED,
        noise=GENERATED_NOISE,
        pdf_fraction=GENERATED_PDFS,
    )
    places = {str(generated): "<generated>", str(ROOT): "<root>", str(SHARED): "<shared>"}
    out: dict[str, str] = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    folders = []
    for name, folder in corpora(generated):
        folders.append(folder)
        done = subprocess.run(
            [sys.executable, "-m", "imr_cli", "parse", str(folder)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        out[f"{name}.jsonl"] = _placed(done.stdout, places)
        out[f"{name}.stderr"] = _placed(done.stderr, places)
        out[f"{name}.status"] = f"{done.returncode}\n"
    out["documents.jsonl"] = _placed(documents(folders), places)
    return out


def documents(folders: Sequence[Path]) -> str:
    """The stored documents of every letter (or its LetterError), one JSON line per file."""
    from indexer.documents import source_documents
    from indexer.errors import LetterError
    from indexer.parse import parse_file
    from indexer.walk import iter_letter_files
    from mappings.schema import to_builtins

    lines = []
    for path in iter_letter_files(folders):
        try:
            letter = parse_file(path)
        except LetterError as exc:
            lines.append(json.dumps({"error": str(exc)}, ensure_ascii=False))
            continue
        built = source_documents(str(path), "fingerprint", letter)
        lines.append(json.dumps(to_builtins(built), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _placed(text: str, places: dict[str, str]) -> str:
    for path, placeholder in sorted(places.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, placeholder)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("folder", type=Path, help="where the output is saved (outside the project)")
    args = parser.parse_args(argv)
    if args.folder.resolve().is_relative_to(ROOT):
        parser.error("save the output outside the project (it holds the real letters' text)")
    with tempfile.TemporaryDirectory(prefix="parse-output-") as tmp:
        found = outputs(Path(tmp) / "generated")
    if args.action == "save":
        args.folder.mkdir(parents=True, exist_ok=True)
        for name, content in found.items():
            (args.folder / name).write_text(content, encoding="utf-8")
        print(f"saved {len(found)} files to {args.folder}")
        return 0
    differ = []
    for name, content in found.items():
        saved = args.folder / name
        if not saved.exists() or saved.read_text(encoding="utf-8") != content:
            differ.append(name)
    lines = sum(content.count("\n") for name, content in found.items() if name.endswith("jsonl"))
    if differ:
        print(f"DIFFERENT from {args.folder}: {', '.join(differ)}")
        return 1
    print(f"identical to {args.folder}: {len(found)} files, {lines:,} JSON lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
