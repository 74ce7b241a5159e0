"""Term statistics of letters: real ones beside generated ones (issue 14).

    python benchmarks/corpus_stats.py                    # real letters vs generated, ~30 s
    python benchmarks/corpus_stats.py --items 100000     # and the benchmark corpus size, ~3 min

Posting-list lengths and dictionary sizes depend on how text uses its vocabulary, so a
benchmark corpus is only as telling as its term statistics are real. This prints, for the real
letters in ../shared/real-letters/txt, for generated letters of the same token count (with the
generator's realistic text, and with its template sentences only, as before issue 14) and, with
--items, for a generated corpus of the benchmark's size:

tokens          word tokens of the indexed text (query.words_of: \\w+, lower-cased), that is
                each letter's clinical summary and, per item, treatment, rationale and citations
distinct        distinct tokens (unstemmed: FTS5's porter stems fold a few of them together)
Heaps K, beta   distinct = K * tokens ** beta, least squares on log-log over the growth curve
                from 1,000 tokens on (checkpoints 10% apart, letters in corpus order)
Zipf s         frequency ~ rank ** -s, least squares on log-log over the ranks of the terms
                seen at least twice (the hapax plateau has no rank order)
hapax share     terms seen once / distinct terms
digit share     tokens holding a digit (doses, dates, session counts) / tokens
drug share      tokens that are one-word drug names of clinical/data/drugs.json (brands and
                generics) / tokens; drug names: how many distinct ones. The generator also
                composes drug-like names beyond that list, which this does not count

benchmarks/suite.py prints the same table with each size's results (`table`, `run`).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT, Table, letters_for, log

from imr_search.query import words_of
from indexer.records import Letter

REAL = ROOT.parent / "shared" / "real-letters" / "txt"
HEAPS_FROM = 1000  # tokens: below this the curve is all function words
CHECKPOINT_STEP = 1.1


def _drug_names() -> frozenset[str]:
    from synthetic.texture import _drug_names as names

    return frozenset(names())


DRUGS = _drug_names()


def letter_text(letter: Letter) -> str:
    """The text of a letter the engines index: its summary, each item's request, rationale and
    citations (what the search fields hold; headers and boilerplate are not indexed)."""
    parts = [letter.clinical_summary or ""]
    for item in letter.items:
        parts.append(item.treatment)
        parts.append(item.rationale or "")
        parts.extend(citation.text for citation in item.citations)
    return "\n".join(parts)


@dataclass(frozen=True)
class TermStats:
    """What `measure` found in a stream of letters."""

    label: str
    letters: int
    items: int
    tokens: int
    distinct: int
    heaps_k: float
    heaps_beta: float
    zipf_s: float
    hapax_share: float
    digit_share: float
    drug_share: float = float("nan")
    drug_names: int = 0

    def row(self) -> tuple[str, ...]:
        return (
            self.label,
            f"{self.letters:,}",
            f"{self.tokens:,}",
            f"{self.tokens / max(self.items, 1):.0f}",
            f"{self.distinct:,}",
            f"{self.heaps_k:.1f}",
            f"{self.heaps_beta:.3f}",
            f"{self.zipf_s:.3f}",
            f"{self.hapax_share:.1%}",
            f"{self.digit_share:.1%}",
            f"{self.drug_share:.2%}",
            f"{self.drug_names:,}",
        )


HEADER = (
    "text",
    "letters",
    "tokens",
    "tokens/item",
    "distinct",
    "Heaps K",
    "Heaps beta",
    "Zipf s",
    "hapax",
    "digits",
    "drugs",
    "drug names",
)


def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line through the points."""
    n = len(points)
    if n < 2:
        return float("nan"), float("nan")
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    slope = sxy / sxx if sxx else float("nan")
    return my - slope * mx, slope


def heaps_fit(curve: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """(K, beta) of distinct = K * tokens ** beta over the curve's points from HEAPS_FROM on."""
    points = [(math.log(n), math.log(v)) for n, v in curve if n >= HEAPS_FROM]
    intercept, slope = least_squares(points)
    return math.exp(intercept), slope


def zipf_fit(counts: Counter[str]) -> float:
    """s of frequency ~ rank ** -s over the terms seen at least twice."""
    freqs = sorted((c for c in counts.values() if c >= 2), reverse=True)
    # Ranks are log-spaced samples, so the thousands of low-frequency ranks do not outvote
    # the head: one point per 2% step of rank.
    points: list[tuple[float, float]] = []
    rank = 1.0
    while int(rank) <= len(freqs):
        points.append((math.log(int(rank)), math.log(freqs[int(rank) - 1])))
        rank = max(rank * 1.02, int(rank) + 1)
    return -least_squares(points)[1]


class Accumulator:
    """Counts of a stream of letters, and their statistics at any point."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.curve: list[tuple[int, int]] = []
        self.tokens = self.digits = self.drugs = self.letters = self.items = 0
        self._next_point = float(HEAPS_FROM)

    def add(self, letter: Letter) -> None:
        words = words_of(letter_text(letter))
        self.counts.update(words)
        self.tokens += len(words)
        self.digits += sum(1 for w in words if not w.isalpha())
        self.drugs += sum(1 for w in words if w in DRUGS)
        self.letters += 1
        self.items += len(letter.items)
        if self.tokens >= self._next_point:
            self.curve.append((self.tokens, len(self.counts)))
            while self._next_point <= self.tokens:
                self._next_point *= CHECKPOINT_STEP

    def stats(self, label: str) -> TermStats:
        k, beta = heaps_fit([*self.curve, (self.tokens, len(self.counts))])
        hapax = sum(1 for c in self.counts.values() if c == 1)
        return TermStats(
            label=label,
            letters=self.letters,
            items=self.items,
            tokens=self.tokens,
            distinct=len(self.counts),
            heaps_k=k,
            heaps_beta=beta,
            zipf_s=zipf_fit(self.counts),
            hapax_share=hapax / max(len(self.counts), 1),
            digit_share=self.digits / max(self.tokens, 1),
            drug_share=self.drugs / max(self.tokens, 1),
            drug_names=sum(1 for w in self.counts if w in DRUGS),
        )


def measure(label: str, letters: Iterable[Letter], max_tokens: int | None = None) -> TermStats:
    """Term statistics of `letters` (stopping after the letter that reaches `max_tokens`)."""
    acc = Accumulator()
    for letter in letters:
        acc.add(letter)
        if max_tokens is not None and acc.tokens >= max_tokens:
            break
    return acc.stats(label)


def real_letters(folder: Path = REAL) -> list[Letter]:
    """The real letters, parsed (the parser reads every one of them exactly)."""
    from indexer.parse import parse_file

    return [parse_file(path) for path in sorted(folder.glob("*.txt"))]


def generated(seed: int, realistic: bool = True, items: int | None = None) -> Iterator[Letter]:
    """Generated letters of `seed` (as many as asked for by the caller's max_tokens, or
    exactly `items` items as the benchmark corpus has them)."""
    if items is not None:
        yield from letters_for(seed, items=items, realistic=realistic)
    else:
        yield from letters_for(seed, letters=10**9, realistic=realistic)


# --- the frame check: how far generated text may stray from the real letters --------------

# At the real letters' token count: (statistic, how it is compared, low, high). "ratio":
# generated / real within [low, high]; "difference": generated - real within [low, high].
# Wide enough for any seed (seeds 1-7 stay inside), narrow enough that the template
# sentences alone (before issue 14: half the distinct terms, a tenth of the hapaxes) fail.
FRAME: tuple[tuple[str, str, float, float], ...] = (
    ("distinct", "ratio", 0.8, 1.25),
    ("hapax_share", "difference", -0.08, 0.08),
    ("zipf_s", "difference", -0.12, 0.12),
    ("tokens_per_item", "ratio", 0.75, 1.33),
    ("digit_share", "ratio", 0.6, 1.7),
    ("drug_share", "ratio", 0.5, 2.0),
)
GROWTH = 10  # and at this many times their token count, distinct terms ...
GROWTH_BAND = (0.75, 1.33)  # ... over the real letters' Heaps fit extrapolated there


def frame_misses(real: TermStats, same: TermStats, grown: TermStats | None = None) -> list[str]:
    """What strays out of FRAME: `same` is generated text of the real letters' token count,
    `grown` (optional) of GROWTH times it. Empty when the generator is in the frame."""
    misses = []
    for name, how, low, high in FRAME:
        want, got = _stat(real, name), _stat(same, name)
        value = got / want if how == "ratio" else got - want
        if not low <= value <= high:
            misses.append(
                f"{name}: {got:.4g} against the real {want:.4g} ({how} {value:.3f}, "
                f"frame {low}..{high})"
            )
    if grown is not None:
        predicted = real.heaps_k * grown.tokens**real.heaps_beta
        ratio = grown.distinct / predicted
        if not GROWTH_BAND[0] <= ratio <= GROWTH_BAND[1]:
            misses.append(
                f"distinct at {grown.tokens:,} tokens: {grown.distinct:,} against {predicted:,.0f}"
                f" by the real letters' Heaps fit (ratio {ratio:.3f}, frame {GROWTH_BAND})"
            )
    return misses


SAME = "same tokens"
GROWN = f"{GROWTH}x tokens"


def frame_report(stats: Sequence[TermStats]) -> str:
    """The frame check of rows of `run`: the real letters against the realistic generated
    text of the same and of GROWTH times the token count ("" without real letters)."""
    real = next((s for s in stats if s.label.endswith("real letters")), None)
    same = next((s for s in stats if s.label == f"generated, realistic, {SAME}"), None)
    grown = next((s for s in stats if s.label == f"generated, realistic, {GROWN}"), None)
    if real is None or same is None:
        return ""
    misses = frame_misses(real, same, grown)
    if not misses:
        return (
            "frame check (corpus_stats.FRAME): the realistic generated text is within the real "
            "letters' frame"
        )
    return "frame check (corpus_stats.FRAME): OUT OF FRAME\n" + "\n".join(f"  {m}" for m in misses)


def _stat(stats: TermStats, name: str) -> float:
    if name == "tokens_per_item":
        return stats.tokens / max(stats.items, 1)
    return float(getattr(stats, name))


def run(
    seed: int,
    items: Sequence[int] = (),
    real: Path = REAL,
    corpora: Sequence[str] = ("realistic", "template"),
) -> list[TermStats]:
    """Real letters; generated letters of the same token count, realistic and template-only;
    and a generated corpus of each size in `items` for each of `corpora`."""
    out: list[TermStats] = []
    same: int | None = None
    if real.is_dir():
        letters = real_letters(real)
        out.append(measure(f"{len(letters)} real letters", letters))
        same = out[-1].tokens
    else:
        log(f"no real letters in {real}: generated letters only")
    for kind in ("realistic", "template"):
        realistic = kind == "realistic"
        if same is not None:
            out.append(measure(f"generated, {kind}, {SAME}", generated(seed, realistic), same))
            if realistic:
                grown = same * GROWTH
                out.append(measure(f"generated, {kind}, {GROWN}", generated(seed, True), grown))
        for size in items if kind in corpora else ():
            log(f"term statistics of {size:,} generated items ({kind})")
            out.append(
                measure(f"generated, {kind}, {size:,} items", generated(seed, realistic, size))
            )
    return out


# --- fitting the generator's open vocabulary to the real letters -----------------------------

FIT_SCALES = (20, 100)  # beyond the real letters: multiples of their token count
FIT_GRID: dict[str, tuple[Any, ...]] = {
    "zipf_a": (1.5, 1.6, 1.7),
    "zipf_q": (1600.0, 2400.0),
    "reuse": (0.15,),
}


@dataclass(frozen=True)
class Fit:
    """One candidate model: its statistics beside the real letters', and the error."""

    model: Any
    same: TermStats  # at the real letters' token count
    beyond: tuple[tuple[int, int, float], ...]  # (tokens, distinct, real Heaps' prediction)
    error: float


def fit_candidate(seed: int, candidate: Any, real: TermStats) -> Fit:
    """Generate with `candidate` up to the largest scale; the error is the sum of squared log
    ratios to the real letters: distinct terms, hapax share, Zipf s, tokens per item at their
    size, and distinct terms beyond it (the real Heaps fit extrapolated, FIT_SCALES)."""
    from synthetic.letters import LetterFactory

    factory = LetterFactory(seed)
    assert factory.prose.texture is not None
    factory.prose.texture.model = candidate
    acc = Accumulator()
    same: TermStats | None = None
    marks = [real.tokens * scale for scale in FIT_SCALES]
    beyond: list[tuple[int, int, float]] = []
    while marks:
        acc.add(factory.letter())
        if same is None and acc.tokens >= real.tokens:
            same = acc.stats("candidate")
        if acc.tokens >= marks[0]:
            predicted = real.heaps_k * acc.tokens**real.heaps_beta
            beyond.append((acc.tokens, len(acc.counts), predicted))
            marks.pop(0)
    assert same is not None

    def sq(a: float, b: float) -> float:
        return math.log(a / b) ** 2

    error = (
        sq(same.distinct, real.distinct)
        + sq(same.hapax_share, real.hapax_share)
        + sq(same.zipf_s, real.zipf_s)
        + sq(same.tokens / same.items, real.tokens / real.items)
        + sum(sq(distinct, predicted) for _, distinct, predicted in beyond)
    )
    return Fit(candidate, same, tuple(beyond), error)


def fit(seed: int, real: TermStats) -> list[Fit]:
    """Every candidate of FIT_GRID (the other parameters as data/lexicon.json has them),
    best first."""
    from dataclasses import replace

    from synthetic.texture import model

    base = model()
    fits = []
    names = list(FIT_GRID)
    for values in itertools.product(*FIT_GRID.values()):
        candidate = replace(base, **dict(zip(names, values, strict=True)))
        fits.append(fit_candidate(seed, candidate, real))
        log(f"{dict(zip(names, values, strict=True))}: error {fits[-1].error:.4f}")
    return sorted(fits, key=lambda f: f.error)


def fit_table(fits: Sequence[Fit], top: int = 8) -> str:
    out = Table(
        ("a", "q", "reuse", "sentences", "list", "distinct", "hapax", "Zipf s", "tokens/item",
         *(f"distinct x{s} (real fit)" for s in FIT_SCALES), "error")
    )  # fmt: skip
    for entry in fits[:top]:
        m, st = entry.model, entry.same
        out.add(
            m.zipf_a,
            m.zipf_q,
            m.reuse,
            f"{m.summary_sentences[0]}-{m.summary_sentences[1]}",
            f"{m.list_words[0]}-{m.list_words[1]}",
            f"{st.distinct:,}",
            f"{st.hapax_share:.1%}",
            f"{st.zipf_s:.3f}",
            f"{st.tokens / st.items:.0f}",
            *(f"{d:,} ({p:,.0f})" for _, d, p in entry.beyond),
            f"{entry.error:.4f}",
        )
    return out.render()


def table(stats: Sequence[TermStats]) -> str:
    out = Table(HEADER)
    for entry in stats:
        out.add(*entry.row())
    return out.render()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--items",
        type=int,
        action="append",
        default=[],
        help="also measure a generated corpus of this many items (repeatable)",
    )
    parser.add_argument("--real", type=Path, default=REAL, help="folder of real letters (.txt)")
    parser.add_argument(
        "--fit",
        action="store_true",
        help="fit the open-vocabulary model (synthetic/texture.py) to the real letters: print "
        "the best candidates of a grid (about 5 minutes)",
    )
    args = parser.parse_args(argv)
    if args.fit:
        real = measure("real", real_letters(args.real))
        print(fit_table(fit(args.seed, real)))
        return 0
    stats = run(args.seed, args.items, args.real)
    print(table(stats))
    if frame := frame_report(stats):
        print(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main())
