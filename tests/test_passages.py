"""The passage chooser (imr_search.passages) and its cues (clinical/data/passages.json):
pure functions, no engine."""

from __future__ import annotations

from clinical.passages import explanation_cues, explanation_score
from imr_search.marks import MARK_END, MARK_START, strip_marks
from imr_search.passages import best_passage, split_sentences


def m(word: str) -> str:
    return MARK_START + word + MARK_END


def test_sentences_end_at_stops_but_not_abbreviations() -> None:
    text = f"Dr. Smith saw the patient, e.g. on No. 3 visits. The {m('MRI')} was normal. Done."
    parts = [strip_marks(s.text) for s in split_sentences(text)]
    assert parts == [
        "Dr. Smith saw the patient, e.g. on No. 3 visits.",
        "The MRI was normal.",
        "Done.",
    ]
    assert split_sentences(text)[1].terms == {"mri"}


def test_reasons_beat_recaps_boilerplate_and_bare_conclusions() -> None:
    reason = "There is no documentation of objective functional improvement."
    assert explanation_score(reason) > explanation_score("The request is not medically necessary.")
    assert explanation_score("This decision addresses the medical necessity of opioids.") < 0
    recap = "The clinical information indicated the patient complained of pain."
    assert explanation_score(recap) < 0
    assert explanation_cues(reason)["reason"]


def test_the_passage_holds_the_query_words_first() -> None:
    text = (
        "There is no documentation of objective functional improvement. "
        f"The {m('MRI')} request was reviewed. Recommended for acute cases."
    )
    assert best_passage(text, limit=40) == f"…The {m('MRI')} request was reviewed.…"
    assert best_passage("") == ""
    plain = "No match here at all. " * 30
    assert best_passage(plain).endswith("…") and len(best_passage(plain)) < 260
