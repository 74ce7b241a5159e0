"""Benchmark corpora and query mixes that look like real use (issue 14).

The frame check: generated text keeps the term statistics of the real letters in
../shared/real-letters (benchmarks/corpus_stats.py FRAME; skipped when that folder is absent,
the letters stay there). The weighted query mix (benchmarks/query_mix.py) is well formed: its
shares add up, every kind is chosen from the corpus in its frequency band, and every request
of it is a page the UI serves, as benchmarks/load_web.py draws them.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import corpus_stats  # noqa: E402
import load_web  # noqa: E402
import query_mix  # noqa: E402
from common import KINDS, Latency  # noqa: E402

from imr_search.contract import SearchRequest, SimilarRequest  # noqa: E402
from imr_search.engines import open_engine  # noqa: E402
from search_ui import create_app  # noqa: E402

needs_real = pytest.mark.skipif(
    not corpus_stats.REAL.is_dir(), reason="../shared/real-letters absent"
)
SEED = 1
MIX_ITEMS = 1200  # writing them is most of these tests' time


# --- the frame check ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> corpus_stats.TermStats:
    letters = corpus_stats.real_letters()
    return corpus_stats.measure(f"{len(letters)} real letters", letters)


def _generated(
    real: corpus_stats.TermStats, realistic: bool, seed: int = SEED
) -> tuple[corpus_stats.TermStats, corpus_stats.TermStats]:
    same = corpus_stats.measure("same", corpus_stats.generated(seed, realistic), real.tokens)
    grown = corpus_stats.measure(
        "grown", corpus_stats.generated(seed, realistic), real.tokens * corpus_stats.GROWTH
    )
    return same, grown


@needs_real
@pytest.mark.parametrize("seed", [SEED, 4])
def test_generated_text_stays_in_the_real_letters_frame(
    real: corpus_stats.TermStats, seed: int
) -> None:
    """Distinct terms, hapax share, Zipf slope, tokens per item, digits and drug names at the
    real letters' size, and the vocabulary's growth beyond it, within corpus_stats.FRAME."""
    same, grown = _generated(real, True, seed)
    assert corpus_stats.frame_misses(real, same, grown) == []


@needs_real
def test_the_frame_rejects_the_template_sentences_alone(real: corpus_stats.TermStats) -> None:
    """The corpus of before issue 14 (a closed vocabulary) is out of the frame: the check
    would notice a generator drifting back to it."""
    same, grown = _generated(real, False)
    misses = corpus_stats.frame_misses(real, same, grown)
    assert any(m.startswith("distinct:") for m in misses), misses
    assert any(m.startswith("hapax_share:") for m in misses), misses
    assert any(m.startswith("distinct at") for m in misses), misses


@needs_real
def test_the_frame_report_names_what_strays(real: corpus_stats.TermStats) -> None:
    same, grown = _generated(real, True)
    rows = [
        real,
        corpus_stats.TermStats(**{**vars(same), "label": "generated, realistic, same tokens"}),
        corpus_stats.TermStats(**{**vars(grown), "label": "generated, realistic, 10x tokens"}),
    ]
    assert "within the real letters' frame" in corpus_stats.frame_report(rows)
    drifted = corpus_stats.TermStats(**{**vars(rows[1]), "hapax_share": 0.9})
    report = corpus_stats.frame_report([real, drifted, rows[2]])
    assert "OUT OF FRAME" in report and "hapax_share" in report


def test_term_statistics_of_a_known_text() -> None:
    acc = corpus_stats.Accumulator()
    counts = Counter({"pain": 8, "tramadol": 4, "knee": 2, "10mg": 1, "lunate": 1})
    acc.counts.update(counts)
    acc.tokens = sum(counts.values())
    stats = acc.stats("known")
    assert stats.distinct == 5 and stats.hapax_share == pytest.approx(2 / 5)
    # Frequencies 8, 4, 2 at ranks 1, 2, 3 (hapaxes left out): log-log slope -1.233.
    assert stats.zipf_s == pytest.approx(1.233, abs=0.001)


# --- the weighted query mix ---------------------------------------------------------------


def test_the_weights_are_shares_of_every_kind() -> None:
    assert sum(query_mix.WEIGHTS.values()) == 100
    assert all(w > 0 for w in query_mix.WEIGHTS.values())
    named = set(query_mix.WEIGHTS) - set(query_mix.KINDS)
    assert named and named <= set(KINDS), "the other kinds are the named kinds of common.py"
    assert query_mix.NO_FLOOR.issubset(query_mix.KINDS)
    treatment = sum(w for k, w in query_mix.WEIGHTS.items() if k.startswith("treatment"))
    assert treatment >= 50, "mostly treatment words and phrases"


def test_the_bands_cover_every_count_once() -> None:
    for items in (1000, 2000, 20_000, 100_000):
        limits = [query_mix.band_limits(b, items) for b in query_mix.BANDS]
        assert limits[0][0] == 0 and limits[-1][1] == items
        assert all(a[1] == b[0] for a, b in zip(limits, limits[1:], strict=False))
        assert limits[0][1] >= query_mix.RARE_AT_LEAST


def test_weighted_percentiles_draw_kinds_at_their_rates() -> None:
    samples = {"fast": [1.0] * 50, "slow": [100.0] * 5}
    assert Latency.weighted(samples, {"fast": 90, "slow": 10}).p50 == 1.0
    assert Latency.weighted(samples, {"fast": 90, "slow": 10}).p95 == 100.0
    assert Latency.weighted(samples, {"fast": 96, "slow": 4}).p95 == 1.0
    assert Latency.weighted(samples, {"fast": 96, "slow": 4}).p99 == 100.0
    # A kind without timings is left out, the others renormalised.
    assert Latency.weighted(samples, {"fast": 50, "none": 50}).p99 == 1.0


def test_each_kind_keeps_its_share_among_its_urls() -> None:
    pages = [("case number", "/search?q=a"), ("case number", "/search?q=b")]
    pages += [("similar cases", "/item/x"), ("similar cases", "/item/x")]
    urls = load_web.weighted_urls(pages)
    assert [p for _, p, _ in urls] == ["/search?q=a", "/search?q=b", "/item/x"]
    share = {k: sum(w for kind, _, w in urls if kind == k) for k, _, _ in urls}
    assert share == {
        "case number": query_mix.WEIGHTS["case number"],
        "similar cases": query_mix.WEIGHTS["similar cases"],
    }


@pytest.fixture(scope="module")
def mix_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite index of generated letters (realistic text), built as load_web.py builds it."""
    path = tmp_path_factory.mktemp("mix") / "index.sqlite3"
    return load_web.build_index(MIX_ITEMS, SEED, path)


@pytest.fixture(scope="module")
def mix(mix_index: Path) -> list[tuple[str, str, float]]:
    return load_web.weighted_mix(mix_index, SEED)


@pytest.fixture(scope="module")
def client(mix_index: Path) -> Iterator[Any]:
    yield create_app({"IMR_SEARCH_INDEX": str(mix_index)}).test_client()


def test_every_kind_of_the_mix_is_chosen_from_the_corpus(
    mix: list[tuple[str, str, float]],
) -> None:
    kinds = Counter(kind for kind, _, _ in mix)
    assert set(kinds) == set(query_mix.WEIGHTS), set(query_mix.WEIGHTS) - set(kinds)
    assert sum(w for _, _, w in mix) == pytest.approx(100)


def _query(path: str) -> str:
    return parse_qs(urlsplit(path).query).get("q", [""])[0]


def test_treatment_queries_match_within_their_band(
    mix: list[tuple[str, str, float]], mix_index: Path
) -> None:
    engine = open_engine(str(mix_index))
    try:
        for kind, path, _ in mix:
            if not kind.startswith(("treatment word,", "treatment phrase,")):
                continue
            band = kind.rsplit(", ", 1)[1]
            low, high = query_mix.band_limits(band, MIX_ITEMS)
            query = _query(path)
            assert query.startswith('"') == kind.startswith("treatment phrase"), path
            total = engine.search(SearchRequest(query=query, per_page=0, facet_size=0)).total
            assert low < total <= high, (kind, query, total)
    finally:
        engine.close()


def test_case_numbers_as_typed_find_their_case(
    mix: list[tuple[str, str, float]], mix_index: Path
) -> None:
    typed = [_query(p) for k, p, _ in mix if k == "case number"]
    assert len(typed) == 12
    assert any(" " in q for q in typed) and any(q.count("-") == 2 for q in typed)
    engine = open_engine(str(mix_index))
    try:
        for query in typed:
            number = query.upper().replace(" ", "-")
            hits = engine.search(SearchRequest(query=query, per_page=100, facet_size=0)).hits
            assert hits, query
            assert all(h.doc.id.startswith(number.rsplit("-", 1)[0]) for h in hits), query
            if number.count("-") == 2:
                assert number in {h.doc.id for h in hits}, query
    finally:
        engine.close()


def test_filtered_and_similar_requests_are_well_formed(
    mix: list[tuple[str, str, float]], mix_index: Path
) -> None:
    filtered = [p for k, p, _ in mix if k == "treatment + filters"]
    assert filtered and all(set(parse_qs(urlsplit(p).query)) - {"q"} for p in filtered)
    texts = [parse_qs(urlsplit(p).query)["text"][0] for k, p, _ in mix if k == "similar to text"]
    assert texts and all(t.startswith("Request for ") for t in texts)
    engine = open_engine(str(mix_index))
    try:
        for text in texts[:3]:
            assert engine.similar(SimilarRequest(text=text, k=10))
    finally:
        engine.close()


def test_every_request_of_the_mix_is_a_page_the_ui_serves(
    mix: list[tuple[str, str, float]], client: Any
) -> None:
    for kind, path, _ in mix:
        response = client.get(path)
        assert response.status_code == 200, (kind, path)
