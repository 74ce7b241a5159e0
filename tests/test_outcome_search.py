"""The decision-heading shortcuts of indexer.layouts.standard find exactly what the regexes
they stand in for find: `_outcome_tail` is OUTCOME_TAIL.match, and searching from
`_outcome_end_from` is searching OUTCOME_END from 40 characters before the end."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import patterns as p
from indexer.layouts.standard import _outcome_end_from, _outcome_tail

# Pieces that reach every branch: outcomes in any case, "is", colons, commas, full stops,
# whitespace of every kind the patterns name, and characters that fold to "i"/"s".
PIECES = st.sampled_from(
    [
        "Upheld", "UPHELD", "upheld", "Overturned", "overturned", "is", "IS", " is", ", is",
        ":", ": ", ",", ".", " ", "  ", "\t", "\n", "\x0b", "\x0c", "\x1c", "\u00a0", "\u2003",
        "\u0131", "\u017f", "MRI of the knee", "x", "s", "i", "(DOS 10/12/16)",
    ]
)  # fmt: skip
HEADINGS = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=80)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="x", max_size=60), HEADINGS)
def test_outcome_tail_is_the_regex(padding: str, line: str) -> None:
    line = padding + line
    match = p.OUTCOME_TAIL.match(line)
    expected = (match.group("head"), match.group("outcome")) if match else None
    assert _outcome_tail(line) == expected


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="x", max_size=60), HEADINGS)
def test_outcome_end_search_is_the_regex(padding: str, heading: str) -> None:
    heading = padding + heading
    expected = p.OUTCOME_END.search(heading, max(0, len(heading) - 40))
    found = p.OUTCOME_END.search(heading, _outcome_end_from(heading))
    assert (found and found.span()) == (expected and expected.span())
