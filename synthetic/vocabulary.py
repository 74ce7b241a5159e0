"""Word lists the corpus generator draws from: treatments, guidelines, people, clinical prose.

The words are data, in `data/vocabulary.json` (read once at import); this module gives them
names and types, so the generator stays logic only and the vocabulary can grow without
touching it. Everything there is original text written for this project in the style of the
public IMR letters (their fixed template sentences excepted); nothing is copied from a real
letter. Treatment and guideline wording is chosen so that the parser's classifier can derive
each request's category and body region from the words alone. JSON arrays become tuples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


def _frozen(value: Any) -> Any:
    """JSON arrays as tuples, recursively, as the generator's immutable defaults expect."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {key: _frozen(v) for key, v in value.items()}
    return value


_DATA: dict[str, Any] = _frozen(
    json.loads(resources.files("synthetic").joinpath("data/vocabulary.json").read_bytes())
)
_LISTS: dict[str, tuple[str, ...]] = _DATA["lists"]
_TABLES: dict[str, dict[str, tuple[str, ...]]] = _DATA["tables"]

# --- categories and body regions (the values the classifier emits) ---------------------------

_CATEGORY: dict[str, str] = _DATA["categories"]
SURGERY = _CATEGORY["SURGERY"]
MEDICATION = _CATEGORY["MEDICATION"]
INJECTION = _CATEGORY["INJECTION"]
PHYSICAL_THERAPY = _CATEGORY["PHYSICAL_THERAPY"]
CHIROPRACTIC = _CATEGORY["CHIROPRACTIC"]
ACUPUNCTURE = _CATEGORY["ACUPUNCTURE"]
IMAGING = _CATEGORY["IMAGING"]
DME = _CATEGORY["DME"]
TESTING = _CATEGORY["TESTING"]
CONSULTATION = _CATEGORY["CONSULTATION"]
PSYCHOLOGICAL = _CATEGORY["PSYCHOLOGICAL"]
FUNCTIONAL_RESTORATION = _CATEGORY["FUNCTIONAL_RESTORATION"]
HOME_HEALTH = _CATEGORY["HOME_HEALTH"]
OTHER = _CATEGORY["OTHER"]
CATEGORIES: tuple[str, ...] = tuple(_CATEGORY.values())
# Relative frequency of each category among disputed items (medication dominates real IMR).
CATEGORY_WEIGHTS: dict[str, int] = _DATA["weights"]["CATEGORY_WEIGHTS"]


@dataclass(frozen=True)
class Region:
    """One body region: how requests name it and what the clinical prose says about it."""

    key: str  # the classifier's body-region value
    phrases: tuple[str, ...]  # how a request names it ("lumbar spine")
    sided: bool  # joints take left/right/bilateral
    levels: tuple[str, ...]  # spinal levels, or () for joints
    mtus: tuple[str, int, tuple[str, ...]]  # ACOEM chapter (2004/2007), year, sections
    acoem_old: tuple[str, tuple[str, ...]]  # "Chapter 12 Low Back Complaints", page ranges
    odg: str  # ODG chapter name
    diagnoses: tuple[str, ...]
    symptoms: tuple[str, ...]
    findings: tuple[str, ...]
    imaging: tuple[str, ...]
    surgeries: tuple[str, ...]
    injections: tuple[str, ...]
    braces: tuple[str, ...]


REGIONS: tuple[Region, ...] = tuple(Region(**fields) for fields in _DATA["regions"])
# Regions weighted by how often IMR requests name them (low back and neck dominate).
REGION_WEIGHTS: dict[str, int] = _DATA["weights"]["REGION_WEIGHTS"]
# Body regions in the classifier's order (a request naming two lists them in this order).
REGION_ORDER = _LISTS["REGION_ORDER"]
REGION_SECTION_BY_CATEGORY: dict[str, str] = _DATA["maps"]["REGION_SECTION_BY_CATEGORY"]
LIMBS = _TABLES["LIMBS"]  # limbs named by electrodiagnostic studies, by region
SIDES = _LISTS["SIDES"]

# --- treatments ("{part}" is the region phrase with its side: "right shoulder") ---------------

IMAGING_FORMS = _LISTS["IMAGING_FORMS"]
SPINE_IMAGING_FORMS = _LISTS["SPINE_IMAGING_FORMS"]
PT_FORMS = _LISTS["PT_FORMS"]
CHIRO_FORMS = _LISTS["CHIRO_FORMS"]
ACU_FORMS = _LISTS["ACU_FORMS"]
DME_FORMS = _LISTS["DME_FORMS"]
TESTING_FORMS = _LISTS["TESTING_FORMS"]
CONSULT_FORMS = _LISTS["CONSULT_FORMS"]
PSYCH_FORMS = _LISTS["PSYCH_FORMS"]
FRP_FORMS = _LISTS["FRP_FORMS"]
HOME_HEALTH_FORMS = _LISTS["HOME_HEALTH_FORMS"]
OTHER_FORMS = _LISTS["OTHER_FORMS"]
SURGERY_EXTRAS = _LISTS["SURGERY_EXTRAS"]
FREQUENCIES = _LISTS["FREQUENCIES"]
SESSIONS = _LISTS["SESSIONS"]

# --- medications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drug:
    """One drug as requested: name variants, strengths, and its class (drives the rationale)."""

    names: tuple[str, ...]
    strengths: tuple[str, ...]
    drug_class: str
    quantities: tuple[str, ...] = ("#30", "#60", "#90", "#120")


_DRUG_CLASS: dict[str, str] = _DATA["drug_classes"]
OPIOID = _DRUG_CLASS["OPIOID"]
RELAXANT = _DRUG_CLASS["RELAXANT"]
NSAID = _DRUG_CLASS["NSAID"]
PPI = _DRUG_CLASS["PPI"]
ANTICONVULSANT = _DRUG_CLASS["ANTICONVULSANT"]
ANTIDEPRESSANT = _DRUG_CLASS["ANTIDEPRESSANT"]
SLEEP = _DRUG_CLASS["SLEEP"]
TOPICAL = _DRUG_CLASS["TOPICAL"]
BENZO = _DRUG_CLASS["BENZO"]
MISC_DRUG = _DRUG_CLASS["MISC_DRUG"]
DRUGS: tuple[Drug, ...] = tuple(Drug(**fields) for fields in _DATA["drugs"])
DOSING = _LISTS["DOSING"]

# --- guidelines (keyed by category or drug class) --------------------------------------------

CHRONIC_PAIN_SECTIONS = _TABLES["CHRONIC_PAIN_SECTIONS"]  # MTUS Chronic Pain sections
OPIOID_SECTIONS = _LISTS["OPIOID_SECTIONS"]
# Guidelines a category may cite regardless of region: (name, year, sections).
GENERAL_MTUS: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = _DATA["general_mtus"]
CHRONIC_PAIN_PAGES = _TABLES["CHRONIC_PAIN_PAGES"]  # old MTUS wording with page ranges
ODG_TOPICS = _TABLES["ODG_TOPICS"]
# How letters write each ODG chapter (the key is the canonical chapter name the parser emits).
ODG_CHAPTER_FORMS = _TABLES["ODG_CHAPTER_FORMS"]
ODG_GENERAL_CHAPTER: dict[str, str] = _DATA["maps"]["ODG_GENERAL_CHAPTER"]  # no body region


# Non-MTUS studies, monographs and URLs, keyed by what they are about: a drug class, a
# category, or "spine"/"joint" for procedures on those regions. Each is (text, facet label):
# a study is labelled by its first author, a URL by its host, a monograph by its title.
@dataclass(frozen=True)
class Study:
    """A study as letters cite it; `label` is its facet value (first author et al.)."""

    authors: str
    title: str
    journal: str
    label: str


STUDIES: dict[str, tuple[Study, ...]] = {
    key: tuple(Study(**fields) for fields in studies) for key, studies in _DATA["studies"].items()
}
MONOGRAPHS: dict[str, tuple[tuple[str, str, str | None], ...]] = _DATA["monographs"]  # + pages
URLS = _TABLES["URLS"]

# --- reviewers -------------------------------------------------------------------------------

SPECIALTIES_BY_CATEGORY = _TABLES["SPECIALTIES_BY_CATEGORY"]
SPECIALTIES_GENERAL = _LISTS["SPECIALTIES_GENERAL"]
SUBSPECIALTIES = _LISTS["SUBSPECIALTIES"]
STATES = _LISTS["STATES"]

# --- clinical prose ({age} {sex} {doi} {worker} {treatment}... are filled per letter) ---------

SUMMARY_OPENINGS = _LISTS["SUMMARY_OPENINGS"]
SUMMARY_OPENINGS_BARE = _LISTS["SUMMARY_OPENINGS_BARE"]  # no age or sex: parser leaves both empty
MECHANISMS = _LISTS["MECHANISMS"]
DIAGNOSIS_LEADS = _LISTS["DIAGNOSIS_LEADS"]
PRIOR_TREATMENTS = _LISTS["PRIOR_TREATMENTS"]
TREATMENT_LEADS = _LISTS["TREATMENT_LEADS"]
MEDICATION_SENTENCES = _LISTS["MEDICATION_SENTENCES"]
VISIT_SENTENCES = _LISTS["VISIT_SENTENCES"]
FINDING_SENTENCES = _LISTS["FINDING_SENTENCES"]
IMAGING_SENTENCES = _LISTS["IMAGING_SENTENCES"]
WORK_STATUS = _LISTS["WORK_STATUS"]
PLAN_SENTENCES = _LISTS["PLAN_SENTENCES"]
UR_SENTENCES_SHORT = _LISTS["UR_SENTENCES_SHORT"]
UR_SENTENCES = _LISTS["UR_SENTENCES"]
GUIDELINE_STATEMENTS = _TABLES["GUIDELINE_STATEMENTS"]  # rationale, by category or drug class
CASE_SENTENCES = _LISTS["CASE_SENTENCES"]  # case facts that fit any category
UPHELD_REASONS = _TABLES["UPHELD_REASONS"]
OVERTURNED_REASONS = _TABLES["OVERTURNED_REASONS"]
UPHELD_CONCLUSIONS = _LISTS["UPHELD_CONCLUSIONS"]
OVERTURNED_CONCLUSIONS = _LISTS["OVERTURNED_CONCLUSIONS"]
OPIOID_CAVEAT: str = _DATA["texts"]["OPIOID_CAVEAT"]
DOCUMENTS = _LISTS["DOCUMENTS"]  # "DOCUMENTS REVIEWED" sections of the older layouts
