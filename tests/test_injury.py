"""Injured body parts from clinical summaries in the wordings of every era (written for these
tests, not copied from letters): diagnosis statements only, hedges and referred symptoms
left out."""

from __future__ import annotations

import pytest

from clinical.injury import diagnosis_statements, explain_injury, injury_regions

CASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The injured worker is a 45 year old male who sustained an industrial injury on "
     "01-02-2015. The diagnoses include lumbar radiculopathy and cervical strain. Treatment "
     "to date has included physical therapy for the right shoulder.",
     ("cervical spine", "lumbar spine")),
    ("The patient is a 52-year-old female who reported an injury on 03/04/2012. The mechanism "
     "of injury was lifting a box. Her diagnoses were noted to include lumbar disc "
     "displacement, lumbar facet arthropathy, and sacroiliitis.", ("lumbar spine",)),
    ("The injured worker is undergoing treatment for right knee medial meniscus tear and right "
     "knee contusion. An MRI of the lumbar spine was requested.", ("knee",)),
    ("The claimant is a 44-year-old man who has filed a claim for chronic neck and low back "
     "pain reportedly associated with an industrial injury of June 1, 2010.",
     ("cervical spine", "lumbar spine")),
    ("The patient continues to have chronic low back pain. Straight leg raise is positive "
     "bilaterally. MRI of the left knee was normal.", ("lumbar spine",)),
    ("Diagnoses: 1. Cervical sprain/strain 2. Right shoulder impingement syndrome 3. Right "
     "carpal tunnel syndrome.", ("cervical spine", "shoulder", "wrist/hand")),
    ("The injured worker was being treated for left hip pain, left hip strain and possible "
     "lumbar radiculopathy.", ("hip",)),
    ("The diagnoses include mild cervical strain, bilateral hand paresthesia most likely "
     "related to the neck; low back strain; left lumbar radiculopathy.",
     ("cervical spine", "lumbar spine")),
    ("Diagnoses include right shoulder contusion, neck strain and right arm paresthesias.",
     ("cervical spine", "shoulder")),
    ("Diagnoses include strain of lower back; radiculopathy, cervical region (right arm).",
     ("cervical spine", "lumbar spine")),
    ("The injured worker is undergoing treatment for major depressive disorder, generalized "
     "anxiety disorder, insomnia and stress related headaches.", ()),
    ("Diagnoses include chronic posttraumatic headache, cervical strain, and right shoulder "
     "strain.", ("cervical spine", "shoulder", "head")),
    ("The injured worker is undergoing treatment for bilateral sensorineural hearing loss.",
     ("head",)),
    ("The injured worker is undergoing treatment for crush injury, left kidney laceration and "
     "colon injury. He has anxiety.", ()),
    ("She was diagnosed with a right radial head fracture.", ("elbow",)),
    ("He was diagnosed with a left femoral neck fracture, status post hemiarthroplasty.",
     ("hip",)),
    ("Diagnoses are right distal radius fracture and right ulnar styloid fracture.",
     ("wrist/hand",)),
    ("The injured worker is being treated for right upper extremity pain, right elbow lateral "
     "epicondylitis and right cubital tunnel syndrome.", ("elbow",)),
    ("The injured worker is undergoing treatment for right upper extremity pain, stress and "
     "depression.", ("upper extremity",)),
    ("The diagnoses include thoracic compression fracture at T12, contusion of the right "
     "shoulder and contusion of the right thigh.",
     ("thoracic spine", "shoulder", "lower extremity")),
    ("She sustained an injury to her right ankle when she stepped off a curb. Diagnoses "
     "include right ankle sprain and plantar fasciitis.", ("ankle/foot",)),
    ("The worker was diagnosed with left Lisfranc fracture, diabetes mellitus and "
     "hypertension.", ("ankle/foot",)),
    ("Current diagnoses include lumbago with sciatica, cervicalgia and pain in thoracic "
     "spine.", ("cervical spine", "thoracic spine", "lumbar spine")),
    ("The diagnoses were sprain of ligaments of the neck, sprain of the lumbar spine and "
     "sprain of the thorax.", ("cervical spine", "thoracic spine", "lumbar spine")),
    ("Diagnoses include L4-5 disc herniation with left S1 radiculopathy.", ("lumbar spine",)),
    ("Diagnoses include C5-6 disc protrusion.", ("cervical spine",)),
    ("The injured worker is undergoing treatment for right thumb laceration, status post "
     "repair.", ("wrist/hand",)),
    ("Diagnoses include rule out right rotator cuff tear, right knee strain.", ("knee",)),
    ("The patient presented with 58 year old female with persistent pain in the right wrist "
     "after a fall; x-rays showed a fracture of the distal radius.", ("wrist/hand",)),
    ("He complains of neck pain. On examination the lumbar spine was tender.",
     ("cervical spine",)),
    ("Subjective: pain. Assessment: left shoulder impingement; cervical strain.",
     ("cervical spine", "shoulder")),
    ("", ()),
)  # fmt: skip


@pytest.mark.parametrize(("summary", "regions"), CASES)
def test_injury_regions(summary: str, regions: tuple[str, ...]) -> None:
    assert injury_regions(summary) == regions, explain_injury(summary)


def test_statements_are_cut_where_the_plan_starts() -> None:
    statements = diagnosis_statements(
        "Diagnoses include left knee strain and the treatment plan included MRI of the lumbar "
        "spine."
    )
    assert statements == [" left knee strain and the "]


def test_a_summary_without_any_statement_says_so() -> None:
    assert diagnosis_statements("The patient has low back pain.") is None
    assert diagnosis_statements("Diagnoses include anxiety.") == [" anxiety."]
