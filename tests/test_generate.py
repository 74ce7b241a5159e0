"""The corpus generator: deterministic, realistic in distribution, and exactly parseable.

The round trip is the contract the benchmarks and scale tests rely on: every generated letter,
in every layout, with or without extraction noise, parses back to the records it was drawn
from. The minimal-input tests at the end pin the parser bugs the round trip once found.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.records import FORMATS, Citation, Item, Letter
from synthetic import vocabulary as V
from synthetic.corpus import FastRandom, generate_letters, render_letter, write_corpus
from synthetic.render import NOISE_KINDS

HAVE_PARSER = importlib.util.find_spec("indexer.parse") is not None
needs_parser = pytest.mark.skipif(not HAVE_PARSER, reason="indexer/parse.py not written yet")


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_writes_identical_bytes(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 60, seed=42, noise=0.5, pdf_fraction=0.2)
    second = write_corpus(tmp_path / "b", 60, seed=42, noise=0.5, pdf_fraction=0.2)
    assert len(first) == len(second) == 60
    assert first.pdfs > 0, "some letters should have been written as PDF"
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_different_seed_writes_different_letters(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 20, seed=1)
    write_corpus(tmp_path / "b", 20, seed=2)
    assert set(_digest(tmp_path / "a").values()).isdisjoint(_digest(tmp_path / "b").values())


def test_records_are_deterministic() -> None:
    assert list(generate_letters(50, 9)) == list(generate_letters(50, 9))
    assert list(generate_letters(5, 9)) != list(generate_letters(5, 10))


def test_files_are_named_by_case_number_in_folders_of_1000(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 1005, seed=3)
    assert len(set(paths)) == 1005, "case numbers must be unique"
    assert {p.parent.name for p in paths} == {"0000", "0001"}
    assert all(re.fullmatch(r"CM\d{2}-\d{7}\.txt", p.name) for p in paths)


def test_max_items_stops_early(tmp_path: Path) -> None:
    written = write_corpus(tmp_path, 10_000, seed=4, max_items=50)
    assert 50 <= written.items < 50 + 10
    assert written.items == sum(len(letter.items) for letter in generate_letters(len(written), 4))


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layout"):
        next(generate_letters(1, 1, layouts=["memo"]))


# --- distribution --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> list[Letter]:
    return list(generate_letters(2000, 2024))


def _items(letters: list[Letter]) -> list[Item]:
    return [item for letter in letters for item in letter.items]


def test_upheld_share_is_realistic(sample: list[Letter]) -> None:
    items = _items(sample)
    share = sum(item.outcome == "Upheld" for item in items) / len(items)
    assert 0.84 <= share <= 0.94


def test_items_per_letter(sample: list[Letter]) -> None:
    counts = [len(letter.items) for letter in sample]
    assert 1.3 <= statistics.mean(counts) <= 1.9
    assert min(counts) == 1 and max(counts) >= 5


def test_every_category_region_and_layout_present(sample: list[Letter]) -> None:
    items = _items(sample)
    assert {item.category for item in items} == set(V.CATEGORIES)
    assert {r.key for r in V.REGIONS} <= {region for item in items for region in item.body_regions}
    assert {letter.format for letter in sample} == set(FORMATS)


def test_categories_match_the_classifier() -> None:
    """Ground truth says what clinical.classify derives (so facets agree with parsed letters)."""
    classify = pytest.importorskip("clinical.classify")
    assert set(V.CATEGORIES) == set(classify.CATEGORIES)
    for item in _items(list(generate_letters(1500, 77))):
        hints = [section for c in item.citations for section in c.sections]
        assert classify.categorize(item.treatment, hints) == item.category, item.treatment
        assert classify.body_regions(item.treatment) == item.body_regions, item.treatment


def test_citation_shapes_and_parties(sample: list[Letter]) -> None:
    items = _items(sample)
    citations = [c for item in items for c in item.citations]
    assert {(c.party, c.source) for c in citations} == {
        (party, source)
        for party in ("claims_administrator", "reviewer")
        for source in ("MTUS", "ODG", "other")
    }
    assert any(c.pages for c in citations) and any(c.sections for c in citations)
    assert any("Page(s):" in c.text for c in citations), "older 'Page(s):' MTUS wording"
    assert any("(updated" in c.text for c in citations), "ODG 'updated' dates"
    assert any("://" in c.text for c in citations) and any(
        " et al." in (c.guideline or "") for c in citations
    )
    nothing = Counter(party for item in items for party in item.cited_nothing)
    assert nothing["claims_administrator"] > 0 and nothing["reviewer"] > 0


def test_letters_vary_like_real_ones(sample: list[Letter]) -> None:
    years = {int(letter.decision_date[:4]) for letter in sample if letter.decision_date}
    assert min(years) == 2013 and max(years) >= 2025
    assert {letter.priority for letter in sample} == {"Standard", "Expedited"}
    assert {letter.sex for letter in sample} == {"male", "female", None}
    assert len({s for letter in sample for s in letter.specialties}) >= 15
    assert len({s for letter in sample for s in letter.licensure}) >= 15
    treatments = [item.treatment for item in _items(sample)]
    assert len(set(treatments)) > len(treatments) / 3, "requests should rarely repeat exactly"
    assert any(re.search(r"#\d+", t) for t in treatments) and any(
        re.search(r"\d+mg", t) for t in treatments
    )
    assert any(re.search(r"\b\dx\d\b", t) for t in treatments), "frequencies such as 2x6"
    words = [len(item.rationale.split()) for item in _items(sample)]
    assert 100 <= statistics.mean(words) <= 300
    assert not any(re.search(r"\b(Upheld|Overturned)\b", item.rationale) for item in _items(sample))


def test_noise_produces_every_artifact() -> None:
    rng = FastRandom(5)
    texts = [render_letter(letter, noise=1.0, rng=rng) for letter in generate_letters(30, 5)]
    joined = "".join(texts)
    for needle in ("\r\n", "\f", "Page 2 of", "\u00a0", " \r\n", "\r\n \r\n"):
        assert needle in joined, repr(needle)
    assert re.search(r"[A-Za-z0-9]-\r?\n", joined), "a line break after a hyphen"
    clean = render_letter(next(generate_letters(1, 5)), noise=0.0, rng=FastRandom(1))
    assert "\r" not in clean and "\f" not in clean and "\u00a0" not in clean
    assert len(NOISE_KINDS) == 8


# --- round trip ----------------------------------------------------------------------------------

LETTER_FIELDS = (
    "case_number", "format", "date_assigned", "date_of_injury", "decision_date", "ur_denial_date",
    "application_received", "priority", "specialties", "licensure", "age", "sex",
)  # fmt: skip
ITEM_FIELDS = (
    "id",
    "item_number",
    "treatment",
    "outcome",
    "category",
    "body_regions",
    "cited_nothing",
)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _cite_key(c: Citation) -> tuple[object, ...]:
    return (c.party, c.source, c.mtus, c.guideline, c.sections, c.pages)


def round_trip_differences(want: Letter, got: Letter) -> list[str]:
    """Every field where the parsed letter differs from its ground truth."""
    out = [
        f"{name}: {getattr(want, name)!r} != {getattr(got, name)!r}"
        for name in LETTER_FIELDS
        if getattr(want, name) != getattr(got, name)
    ]
    if _norm(want.clinical_summary) != _norm(got.clinical_summary):
        out.append(
            f"clinical_summary: {want.clinical_summary[:60]!r}... != "
            f"{got.clinical_summary[:60]!r}..."
        )
    if len(want.items) != len(got.items):
        return [
            *out,
            f"items: {[i.treatment for i in want.items]} != {[i.treatment for i in got.items]}",
        ]
    for a, b in zip(want.items, got.items, strict=True):
        where = f"item {a.item_number} ({a.treatment[:40]!r})"
        out += [
            f"{where} {name}: {getattr(a, name)!r} != {getattr(b, name)!r}"
            for name in ITEM_FIELDS
            if getattr(a, name) != getattr(b, name)
        ]
        if _norm(a.rationale) != _norm(b.rationale):
            out.append(f"{where} rationale: {a.rationale[:60]!r}... != {b.rationale[:60]!r}...")
        if [_cite_key(c) for c in a.citations] != [_cite_key(c) for c in b.citations]:
            out.append(
                f"{where} citations: {[_cite_key(c) for c in a.citations]} != "
                f"{[_cite_key(c) for c in b.citations]}; text: "
                f"{[c.text for c in a.citations]}"
            )
    return out


@needs_parser
@pytest.mark.parametrize("noise", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("layout", FORMATS)
def test_round_trip(layout: str, noise: float) -> None:
    from indexer.parse import parse_text

    seed = FORMATS.index(layout) * 10 + int(noise * 4)
    rng = FastRandom(seed)
    failures: list[str] = []
    for letter in generate_letters(60, seed, layouts=[layout]):
        text = render_letter(letter, noise=noise, rng=rng)
        parsed = parse_text(text, letter.source)
        for difference in round_trip_differences(letter, parsed):
            failures.append(f"{letter.case_number}: {difference}")
    assert not failures, f"{len(failures)} differences, e.g.:\n" + "\n".join(failures[:12])


@needs_parser
def test_round_trip_through_pdf(tmp_path: Path) -> None:
    from indexer.parse import parse_file

    written = write_corpus(tmp_path, 12, seed=8, noise=0.5, pdf_fraction=1.0)
    assert written.pdfs == 12
    for path, letter in zip(written, generate_letters(12, 8), strict=True):
        assert path.suffix == ".pdf"
        assert round_trip_differences(letter, parse_file(path)) == []


def _parsed_citations(sentence: str) -> list[tuple[object, ...]]:
    from indexer.citations import parse_citations

    return [(c.source, c.guideline, c.sections) for c in parse_citations(sentence, "reviewer")[0]]


@needs_parser
def test_parser_bug_study_title_with_review() -> None:
    sentence = (
        "Decision based on Non-MTUS Citation Chou R, Baisden J. Surgery for low back "
        "pain: a review of the evidence. Spine 2009."
    )
    assert _parsed_citations(sentence) == [("other", "Chou R et al.", ())]


@needs_parser
def test_parser_bug_odg_topic_ending_in_pain() -> None:
    sentence = (
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), "
        "Pain Chapter, Antidepressants for chronic pain."
    )
    assert _parsed_citations(sentence) == [("ODG", "Pain", ("Antidepressants for chronic pain",))]


@needs_parser
def test_parser_bug_odg_acute_and_chronic_suffix() -> None:
    sentence = (
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), "
        "Shoulder (Acute & Chronic), Surgery."
    )
    assert _parsed_citations(sentence) == [("ODG", "Shoulder", ("Surgery",))]


@needs_parser
def test_parser_bug_bare_pain_chapter_with_updated_date() -> None:
    sentence = "Decision based on Non-MTUS Citation ODG Pain (updated 3/13/24)."
    assert _parsed_citations(sentence) == [("ODG", "Pain", ())]


@needs_parser
def test_parser_bug_hyphen_wrap_across_blank_line() -> None:
    from indexer.clean import squash

    assert squash("long-\n\nterm use") == "long-term use"


@needs_parser
def test_parser_bug_one_page_footer() -> None:
    from indexer.parse import parse_text

    letter = next(generate_letters(1, 1, layouts=["standard"]))
    text = render_letter(letter, rng=FastRandom(1)) + "\nPage 1 of 1\n"
    assert parse_text(text).items[-1].rationale == letter.items[-1].rationale


_ITEMS_HEAD = """Case Number: CM16-0000001
IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:
TENS unit: Upheld
Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
Decision rationale: The request is not medically necessary.
"""
_ITEM_TAIL = """\
Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
Decision rationale: The request is not medically necessary.
"""


@needs_parser
def test_parser_bug_wrapped_heading_line_ending_with_colon() -> None:
    from indexer.parse import parse_text

    text = (
        _ITEMS_HEAD + "Retrospective Norco 5/325mg every 8 hours as needed #120 DOS:\n"
        "3/5/14: Upheld\n" + _ITEM_TAIL
    )
    letter = parse_text(text)
    assert letter.items[1].treatment == (
        "Retrospective Norco 5/325mg every 8 hours as needed #120 DOS: 3/5/14"
    )
    assert letter.items[0].rationale == "The request is not medically necessary."


@needs_parser
def test_parser_bug_heading_split_by_page_break() -> None:
    from indexer.parse import parse_text

    text = (
        _ITEMS_HEAD + "Norco 10/325mg every 8 hours as needed for breakthrough pain, one "
        "tablet by\n\nPage 1 of 2\n\fmouth #120: Upheld\n" + _ITEM_TAIL
    )
    letter = parse_text(text)
    assert letter.items[1].treatment == (
        "Norco 10/325mg every 8 hours as needed for breakthrough pain, one tablet by mouth #120"
    )


@needs_parser
def test_parser_bug_modified_request_wrapping_before_was_the_original() -> None:
    from indexer.parse import parse_text

    text = (
        _ITEMS_HEAD + "Right shoulder arthroscopy with subacromial decompression, distal "
        "clavicle excision and\nextensive debridement was the original request. The Claims\n"
        "Administrator authorized an evaluation only, leaving the original request IMR\n"
        "eligible. The original request, Right shoulder arthroscopy with subacromial\n"
        "decompression, distal clavicle excision and extensive debridement is: Upheld\n"
        + _ITEM_TAIL
    )
    assert parse_text(text).items[0].rationale == "The request is not medically necessary."


@needs_parser
def test_parser_bug_repeated_line_at_page_edges_dropped() -> None:
    from indexer.clean import clean

    line = "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016."
    pages = [
        f"Claims Administrator guideline: x.\n{line}\nDecision rationale: a.\nPage 1 of 3",
        f"{line}\nDecision rationale: b.\nmore\nPage 2 of 3",
        f"{line}\nDecision rationale: c.\nmore\nPage 3 of 3",
    ]
    assert clean("\f".join(pages)).count(line) == 3


@needs_parser
def test_parser_bug_professional_review_wrapped_date_looks_numbered() -> None:
    from indexer.parse import parse_text

    text = """Case Number: CM13-0000001
MEDICAL PROFESSIONAL REVIEW
ISSUE AT DISPUTE:
1. Norco 10/325mg #60: Upheld
2. TENS unit: Upheld
CASE SUMMARY:
The injured worker is a 50 year old male.
RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:
1. The worker was seen on 11-30-
13. There is no documented benefit. The request is not medically necessary.
2. There is no trial documented. The request is not medically necessary.
MEDICAL REVIEWER QUALIFICATIONS:
The expert reviewer is Board Certified in Anesthesiology and is licensed to practice in Ohio.
"""
    items = parse_text(text).items
    assert (
        items[1].rationale
        == "There is no trial documented. The request is not medically necessary."
    )


# --- command line ------------------------------------------------------------------------------


def test_generate_command(tmp_path: Path) -> None:
    from imr_cli.main import main

    out = tmp_path / "corpus"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--letters",
            "25",
            "--seed",
            "7",
            "--out",
            str(out),
            "--layouts",
            "standard,notice_2013",
            "--noise",
            "0.2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 25 letters" in result.output
    files = sorted(out.rglob("*.txt"))
    assert len(files) == 25
    again = tmp_path / "again"
    CliRunner().invoke(
        main,
        [
            "generate",
            "--letters",
            "25",
            "--seed",
            "7",
            "--out",
            str(again),
            "--layouts",
            "standard,notice_2013",
            "--noise",
            "0.2",
        ],
    )
    assert _digest(out) == _digest(again)
    bad = CliRunner().invoke(
        main, ["generate", "--letters", "2", "--out", str(out), "--layouts", "memo"]
    )
    assert bad.exit_code != 0 and "unknown layout" in bad.output
    missing = CliRunner().invoke(main, ["generate", "--out", str(out)])
    assert missing.exit_code != 0 and "--letters" in missing.output


def test_render_in_another_layout_keeps_what_it_can() -> None:
    letter = next(generate_letters(1, 3, layouts=["standard"]))
    text = render_letter(letter, layout="notice_2013", rng=random.Random(1))
    assert text.startswith(" ") or text.startswith("Notice")
    words = " ".join(text.split())  # a request may wrap across lines
    assert all(item.treatment in words for item in letter.items)
