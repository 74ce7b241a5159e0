"""The classification rules agree with the hand labels of the real letters.

evaluation/labels/ was written by reading ../shared/real-letters and ../shared/seeds; these
tests pin the agreement evaluation/classification.py reports (and skip without the letters).
"""

from __future__ import annotations

import pytest

from evaluation.classification import SHARED, evaluate

pytestmark = pytest.mark.skipif(
    not (SHARED / "real-letters" / "txt").is_dir(), reason="../shared/real-letters absent"
)

# task -> lowest accepted accuracy (the figures at the time of writing; raise, never lower)
MINIMUM = {
    "concept": 1.0,
    "region": 1.0,
    "context region": 0.98,
    "specialty": 1.0,
    "injury region": 1.0,
    "guideline": 1.0,
    "section": 1.0,
}


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return evaluate()


@pytest.mark.parametrize("task", sorted(MINIMUM))
def test_task_accuracy(report, task: str) -> None:  # type: ignore[no-untyped-def]
    result = report.tasks[task]
    assert result.total > 0
    assert result.accuracy >= MINIMUM[task], result.disagreements


def test_every_label_was_compared(report) -> None:  # type: ignore[no-untyped-def]
    assert report.tasks["concept"].total == 88  # 84 real items and 4 seed items
    assert report.tasks["specialty"].total == 41
    assert report.tasks["guideline"].total == 204


def test_no_specialty_outside_the_board_table(report) -> None:  # type: ignore[no-untyped-def]
    assert report.unknown_specialties == []


def test_no_guideline_under_two_names(report) -> None:  # type: ignore[no-untyped-def]
    assert report.guideline_conflicts == []


def test_lab_panels_are_never_physical_therapy(report) -> None:  # type: ignore[no-untyped-def]
    assert report.lab_as_therapy == []
