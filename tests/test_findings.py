"""Clinical findings of rationales and summaries (clinical/findings.py), on sentences written
for these tests in the wording of IMR letters (not copied from letters): findings across
treatment kinds, negation before and after a finding, its reach through lists, and guideline
criteria told from statements about the patient. The real-letter figures are pinned at the
end (skipped without ../shared/real-letters)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clinical.findings import (
    DEDUPE_RULE,
    Finding,
    explain_findings,
    finding_keys,
    finding_label,
    findings,
    no_evidence_words,
)
from evaluation.findings import SHARED, evaluate


def statements(text: str) -> set[str]:
    """The findings of a text as "key" / "-key" (negated)."""
    return {f"{'-' if f.negated else ''}{f.key}" for f in findings(text)}


# (text, expected findings: "key" affirmed, "-key" negated)
CASES: tuple[tuple[str, set[str]], ...] = (
    # -- imaging, spine and joints
    ("There is no evidence of any red flag conditions.", {"-red_flags"}),
    ("The records do not document red flags, progressive neurologic deficit, or failure of "
     "conservative treatment.", {"-red_flags", "-worsening", "-neurological_deficit",
                                 "-failed_conservative"}),
    ("Physical examination revealed decreased sensation in the L5 dermatome and a positive "
     "straight leg raise on the left.", {"neurological_deficit", "positive_slr"}),
    ("Straight leg raise testing was negative bilaterally.", {"-positive_slr"}),
    ("The patient has radicular pain down the left leg.", {"radiculopathy"}),
    ("There was no documentation of a willingness to undergo surgery.",
     {"-surgery_contemplated"}),
    ("The patient is not a surgical candidate at this time.", {"-surgery_contemplated"}),
    ("The injured worker is scheduled for a lumbar decompression.", {"surgery_contemplated"}),
    ("An MRI of the lumbar spine dated 03/01/2016 showed a 4 mm disc protrusion at L4-5 with "
     "moderate foraminal stenosis.", {"imaging_findings"}),
    ("A repeat MRI is not supported as there has been no significant change in symptoms.",
     {"prior_imaging", "-worsening"}),
    ("There is no documentation of segmental instability on flexion-extension radiographs.",
     {"-instability"}),
    ("The knee gives way and there is an effusion.", {"instability", "effusion"}),
    ("Negative Spurling's test and full cervical range of motion.",
     {"-positive_tests", "-limited_rom"}),
    ("Red flags were ruled out.", {"-red_flags"}),
    ("The claimant denies numbness, tingling, or weakness.", {"-neurological_deficit"}),
    ("No evidence of neurological deficit was found, and sensation was intact.",
     {"-neurological_deficit"}),
    ("The current plain films are non-diagnostic.", {"plain_films"}),
    # -- therapy, chiropractic, acupuncture
    ("The claimant has completed 12 sessions of physical therapy without improvement.",
     {"prior_sessions", "-benefit_from_treatment"}),
    ("There is no documentation of objective functional improvement from the prior sessions.",
     {"-functional_improvement", "prior_sessions"}),
    ("The request for 12 additional sessions exceeds the guideline recommendation of 10 "
     "visits.", {"exceeds_guidelines"}),
    ("The patient has been participating in a home exercise program.", {"home_exercise"}),
    ("Additional therapy is within the guideline recommended number of visits.",
     {"-exceeds_guidelines"}),
    ("The patient reported 50% improvement in pain and increased ability to perform "
     "activities of daily living after the last six sessions.",
     {"pain_relief", "functional_improvement", "prior_sessions"}),
    ("The patient had 6 sessions of physical therapy with significant benefit.",
     {"prior_sessions", "benefit_from_treatment"}),
    ("The patient has functional improvement documented with the prior acupuncture visits.",
     {"functional_improvement", "prior_sessions"}),
    ("The patient has completed 24 sessions of physical therapy to date, exceeding guideline "
     "recommendations.", {"prior_sessions", "exceeds_guidelines"}),
    ("The patient was previously authorized 6 sessions of acupuncture.",
     {"already_authorized"}),
    # -- opioids
    ("There is no documentation of the 4 A's of ongoing opioid management, including "
     "analgesia, activities of daily living, adverse side effects, and aberrant drug-taking "
     "behaviors.", {"-opioid_monitoring", "-side_effects", "-aberrant_behaviour"}),
    ("A urine drug screen dated 01/05/2016 was consistent with prescribed medications.",
     {"uds"}),
    ("The most recent urine drug screen was inconsistent, and the patient requested early "
     "refills.", {"uds", "aberrant_behaviour"}),
    ("There is no evidence of aberrant drug behavior. A signed opioid agreement is on file.",
     {"-aberrant_behaviour", "opioid_monitoring"}),
    ("There is no documentation of a current urine drug test, risk assessment profile, "
     "attempt at weaning/tapering, and an updated and signed pain contract.",
     {"-uds", "-opioid_monitoring", "-tapering"}),
    ("The records document pain of 8/10 without and 4/10 with medication, improved ability to "
     "perform ADLs, no side effects, and a consistent urine drug screen.",
     {"pain_relief", "functional_improvement", "-side_effects", "uds"}),
    ("The patient has been on Norco since at least 2014 without documented functional "
     "benefit.", {"long_term_use", "-functional_improvement"}),
    ("Given the lack of documented pain relief and functional improvement, weaning is "
     "recommended.", {"-pain_relief", "-functional_improvement", "tapering"}),
    ("The patient reports that Norco reduces pain from 8/10 to 4/10.", {"pain_relief"}),
    ("The CURES report was reviewed and was appropriate.", {"opioid_monitoring"}),
    ("The current morphine equivalent dose exceeds 120 mg.", {"high_opioid_dose"}),
    ("The patient reported no side effects from Norco and there was no evidence of aberrant "
     "behavior.", {"-side_effects", "-aberrant_behaviour"}),
    # -- NSAIDs, PPIs, topicals, muscle relaxants, antidepressants, hypnotics
    ("There is no documentation that the patient is at intermediate or high risk for "
     "gastrointestinal events.", {"-gi_risk"}),
    ("The patient has a history of GERD and is taking aspirin.", {"gi_risk"}),
    ("The patient reports gastrointestinal upset with oral NSAIDs.",
     {"gi_risk", "first_line_tried"}),
    ("There is no documentation of failed trials of antidepressants and anticonvulsants.",
     {"-first_line_tried"}),
    ("The patient has neuropathic pain and has failed gabapentin.",
     {"neuropathic_pain", "first_line_tried"}),
    ("There is no indication that the patient cannot tolerate oral medications.",
     {"-medication_intolerance"}),
    ("The patient has been taking cyclobenzaprine for over six months, well beyond the "
     "recommended 2-3 weeks.", {"long_term_use", "exceeds_guidelines"}),
    ("Muscle spasm was not documented on the most recent examination.", {"-muscle_spasm"}),
    ("The patient denies depression or suicidal ideation.", {"-psych_symptoms"}),
    ("The patient has significant depression and anxiety affecting recovery.",
     {"psych_symptoms"}),
    ("There is no documentation of the patient's sleep hygiene or insomnia symptoms.",
     {"-insomnia"}),
    ("The patient reports difficulty sleeping due to pain.", {"insomnia"}),
    # -- injections
    ("The previous epidural steroid injection provided 60% pain relief for eight weeks.",
     {"prior_injections", "pain_relief"}),
    ("There is no documentation of at least 50% pain relief for six to eight weeks following "
     "the prior injection.", {"-pain_relief", "prior_injections"}),
    ("Facet joint pain is suggested by tenderness over the facets and a negative straight leg "
     "raise.", {"facet_pain", "-positive_slr"}),
    ("The patient has had two prior epidural steroid injections without lasting benefit.",
     {"prior_injections", "-benefit_from_treatment"}),
    ("The request is for a repeat lumbar epidural steroid injection.", {"prior_injections"}),
    # -- surgery, DME, home care
    ("The patient is status post right knee arthroscopy on 05/01/2016.", {"post_operative"}),
    ("The patient is a smoker.", {"smoking"}),
    ("A psychological evaluation was completed prior to the spinal cord stimulator trial.",
     {"psych_evaluation"}),
    ("The MRI revealed a full-thickness rotator cuff tear, and the patient has failed six "
     "months of conservative care including physical therapy and injections.",
     {"imaging_findings", "failed_conservative"}),
    ("The patient has not responded to conservative treatment including physical therapy.",
     {"failed_conservative"}),
    ("The patient has not yet tried conservative treatment.", {"-failed_conservative"}),
    ("The patient is wheelchair bound and unable to transfer independently.",
     {"functional_deficits"}),
    ("The patient is homebound following hip replacement surgery.",
     {"homebound", "post_operative"}),
    # -- work, programs
    ("The patient is motivated to return to work and has no negative predictors of success.",
     {"motivation"}),
    ("The patient has not had prior unsuccessful return-to-work attempts and is not close to "
     "maximum medical improvement.", {"-rtw_attempts", "-mmi"}),
    ("The patient is not working.", {"-working"}),
    ("The patient returned to full duty.", {"working"}),
    ("The patient is temporarily totally disabled.", {"-working"}),
    # -- negation scope: breakers, relative clauses, pseudo-negations
    ("There are no red flags, but the patient has radicular symptoms into the right leg.",
     {"-red_flags", "radiculopathy"}),
    ("Although there is no instability, the patient has mechanical symptoms with locking.",
     {"-instability", "mechanical_symptoms"}),
    ("The patient does not have radiculopathy; however, facet-mediated pain is documented.",
     {"-radiculopathy", "facet_pain"}),
    ("Without documentation of objective functional improvement, continued use is not "
     "supported.", {"-functional_improvement", "long_term_use"}),
    ("There is no documentation of remaining deficits that cannot be addressed with a home "
     "exercise program.", {"-functional_deficits", "-home_exercise"}),
    ("Not only is there radiculopathy on examination, the MRI shows nerve root compression.",
     {"radiculopathy", "imaging_findings", "nerve_compromise"}),
    ("If there is functional improvement, additional sessions may be considered.", set()),
    # -- criteria are not findings
    ("MTUS states that the patient should have documented functional improvement before "
     "additional sessions.", set()),
    ('MTUS states that "imaging studies should be reserved for cases in which surgery is '
     'considered or red-flag diagnoses are being evaluated."', set()),
    ("According to ODG, MRI is indicated when there is radiculopathy after at least one month "
     "of conservative therapy.", set()),
    ("Guidelines state that repeat MRI is not routinely recommended and should be reserved "
     "for a significant change in symptoms.", set()),
    ("Radiculopathy must be documented by physical examination and corroborated by imaging "
     "studies and/or electrodiagnostic testing.", set()),
    ("Per the Official Disability Guidelines, hearing aids are recommended for sensorineural "
     "hearing loss.", set()),
    ("Muscle relaxants are recommended only for short-term treatment of acute exacerbations "
     "of chronic low back pain.", set()),
    ("The guidelines recommend a urine drug screen; however, in this case a urine drug screen "
     "was performed and was appropriate.", {"uds"}),
    ("The ODG recommends physical therapy for radiculitis. The injured worker has completed 10 "
     "sessions with no documented functional improvement.",
     {"prior_sessions", "-functional_improvement"}),
    ("The MTUS recommends a trial of TENS. A one-month trial is recommended, with "
     "documentation of how often the unit was used. In this case there is no documentation "
     "of a one-month trial.", {"-trial_period"}),
    # -- the outcome said of a negated treatment is negated with it
    ("There is no documentation of a successful one-month trial of the TENS unit with "
     "documented functional improvement.", {"-trial_period", "-functional_improvement"}),
    ("Within the documentation available for review, there is no identification of any "
     "objective functional improvement (in terms of specific examples of functional "
     "improvement and percent reduction in pain or reduced NRS), no documentation regarding "
     "side effects, and no discussion regarding aberrant use.",
     {"-functional_improvement", "-pain_relief", "-side_effects", "-aberrant_behaviour"}),
    ("Opioids should not be abruptly discontinued, but unfortunately, there is no provision to "
     "modify the current request to allow tapering.", {"tapering"}),
    ("Within the documentation available for review, there is no identification of a "
     "specific analgesic benefit or objective functional improvement as a result of the "
     "cyclobenzaprine. Additionally, it does not appear that this medication is being "
     "prescribed for the short-term treatment of an acute exacerbation.",
     {"-pain_relief", "-functional_improvement", "-acute_phase"}),
    # -- utilization review's words in clinical summaries
    ("On 12-19-16 the request was non-certified by utilization review.", set()),
    ("The request for Ultram was denied due to the medication being prescribed for an acute "
     "knee strain.", {"acute_phase"}),
    ("The request for Flexeril was denied due to long term use of muscle relaxants.",
     {"long_term_use"}),
    ("The patient had been authorized for 6 sessions of physical therapy.",
     {"already_authorized"}),
    ("Physical therapy was not authorized by the claims administrator.", set()),
    ("The patient denied numbness or weakness in the legs.", {"-neurological_deficit"}),
    # -- the request's own name is not a finding
    ("Therefore, the request for Deprizine (unknown quantity) is not medically necessary.",
     set()),
    ("The type of TENS unit requested is not specified.", {"request_unspecified"}),
    ("", set()),
)  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_findings(text: str, expected: set[str]) -> None:
    assert statements(text) == expected, [
        (e.finding.text, e.matched, e.cue, e.reason) for e in explain_findings(text)
    ]


# Wordings the rules read wrongly, kept here so that the weakness is visible (strict: fixing
# one makes the test fail, so that it moves to CASES).
KNOWN_WRONG: tuple[tuple[str, set[str]], ...] = (
    # a repeated comparison: "not be transitioned" reads as no home exercise program
    ("There is no explanation why the patient would need excess therapy and not be "
     "transitioned to a home exercise program.",
     {"-clear_rationale", "exceeds_guidelines", "home_exercise"}),
    # an object of "for which": the surgery the tears would need is not read as negated
    ("There is no indication of red flags or tears for which surgery would be necessary.",
     {"-red_flags", "-surgery_contemplated"}),
)  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), KNOWN_WRONG)
@pytest.mark.xfail(strict=True, reason="known weakness of the rules")
def test_known_wrong(text: str, expected: set[str]) -> None:
    assert statements(text) == expected


def test_finding_text_reads_negations() -> None:
    assert Finding("red_flags", "red flags", True).text == "no red flags"
    assert Finding("red_flags", "red flags", False).text == "red flags"
    assert finding_label("positive_slr", negated=True) == "negative straight leg raise"
    assert finding_label("functional_improvement", negated=True) == (
        "no functional improvement documented"
    )


def test_findings_are_deduplicated_in_text_order() -> None:
    text = (
        "There is no evidence of red flags. The patient has radiculopathy. Red flags are absent "
        "and the radicular symptoms persist."
    )
    assert [f.text for f in findings(text)] == ["no red flags", "radiculopathy"]


def test_a_finding_stated_both_ways_keeps_the_rule() -> None:
    text = "The patient has radiculopathy on exam. There is no imaging supporting radiculopathy."
    assert DEDUPE_RULE == "affirmed"
    assert statements(text) == {"radiculopathy", "-imaging_findings"}
    both = [e for e in explain_findings(text) if e.reason.startswith("stated both ways")]
    assert all(not e.kept for e in both)


def test_explanations_say_which_phrase_and_cue_decided() -> None:
    text = (
        'MTUS states that "functional improvement should be documented before further '
        'treatment." There is no documentation of objective functional improvement.'
    )
    explanations = explain_findings(text)
    dropped = [e for e in explanations if not e.kept]
    kept = [e for e in explanations if e.kept]
    assert dropped and all(e.reason.startswith("criteria") for e in dropped)
    assert len(kept) == 1
    assert kept[0].finding.text == "no functional improvement documented"
    assert kept[0].cue == "no"
    assert kept[0].matched == "documentation of objective functional improvement"
    assert "functional (improvement*" in kept[0].phrase
    assert text[kept[0].start : kept[0].end] == kept[0].matched


def test_cues_after_a_finding_are_explained() -> None:
    (explanation,) = explain_findings("Muscle spasm was not documented.")
    assert explanation.finding.text == "no muscle spasm"
    assert explanation.cue == "was not documented"


def test_the_vocabulary_covers_the_decision_factors() -> None:
    keys = finding_keys()
    assert 40 <= len(keys) <= 80
    assert len(set(keys)) == len(keys)
    for key in ("red_flags", "radiculopathy", "functional_improvement", "failed_conservative",
                "exceeds_guidelines", "uds", "aberrant_behaviour", "home_exercise",
                "surgery_contemplated", "positive_slr", "nerve_compromise", "instability",
                "acute_phase", "post_operative", "prior_sessions", "tapering", "gi_risk",
                "first_line_tried", "objective_findings", "imaging_findings"):  # fmt: skip
        assert key in keys


def test_text_with_unusual_characters_is_read() -> None:
    text = "There is no evidence of red flags\u00a0\u2014 and the patient\u2019s SLR is positive."
    assert statements(text) == {"-red_flags", "positive_slr"}
    assert statements("\u0130stanbul: the patient denies weakness.") == {"-neurological_deficit"}


def test_long_texts_are_read_quickly() -> None:
    # many words a '~N' phrase may skip over, and no sentence end: no catastrophic backtracking
    text = ("failed the patient and his prior lumbar MRI of the spine " * 400).strip()
    started = time.perf_counter()
    findings(text)
    assert time.perf_counter() - started < 2.0


# -- real letters --------------------------------------------------------------------------

real = pytest.mark.skipif(
    not (SHARED / "real-letters" / "txt").is_dir(), reason="../shared/real-letters absent"
)


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return evaluate()


@real
def test_every_labelled_item_was_compared(report) -> None:  # type: ignore[no-untyped-def]
    assert report.items == 84
    assert report.letters == 39
    assert report.unknown_keys == []


# lowest accepted precision / recall (the figures at the time of writing; raise, never lower).
# The rules were developed against these labels: the held-out seed items are the honest check.
MINIMUM = {
    "findings": (0.96, 0.96),
    "keys only": (0.98, 0.98),
    "held out (seeds)": (0.85, 0.85),
}


@real
@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_agreement_with_the_labels(report, name: str) -> None:  # type: ignore[no-untyped-def]
    score = report.scores[name]
    precision, recall = MINIMUM[name]
    assert score.precision >= precision, report.disagreements
    assert score.recall >= recall, report.disagreements


@real
def test_telling_criteria_from_findings_pays(report) -> None:  # type: ignore[no-untyped-def]
    # reading guideline text as findings about the patient costs a third of the precision
    assert report.scores["no criteria filter"].precision < report.scores["findings"].precision - 0.3


# -- words that are no evidence of similarity ---------------------------------------------


def test_no_evidence_words_hold_function_words_and_boilerplate() -> None:
    words = no_evidence_words()
    # once shown to users as "shared terms"
    assert {"true", "most", "quickly", "potential", "those", "either"} <= words
    # in nearly every rationale whatever the case
    assert {"medically", "necessary", "guidelines", "request", "documentation", "submitted",
            "review", "reviewed", "records", "patient", "claimant", "injured", "worker",
            "recommended", "treatment", "therefore", "regarding", "indicated"} <= words  # fmt: skip


def test_no_evidence_words_keep_the_words_that_tell_cases_apart() -> None:
    words = no_evidence_words()
    for informative in ("radiculopathy", "epidural", "opioid", "meniscus", "therapy", "sessions",
                        "surgery", "acute", "imaging", "mri", "functional", "flags", "lumbar",
                        "knee", "injection", "tramadol", "insomnia", "conservative"):  # fmt: skip
        assert informative not in words


def test_no_evidence_words_file_is_one_lower_case_word_a_line() -> None:
    path = Path(__file__).resolve().parents[1] / "clinical" / "data" / "no_evidence_words.txt"
    lines = path.read_text("utf-8").splitlines()
    assert lines[0].startswith("#")  # a header saying what the list is for
    entries = [line.split("#", 1)[0].strip() for line in lines]
    entries = [entry for entry in entries if entry]
    assert all(entry.isalpha() and entry.islower() for entry in entries), entries
    assert len(entries) == len(set(entries)) == len(no_evidence_words())
