"""Derived facets of a treatment: its category and the body regions it concerns.

Transparent keyword rules, kept as data so they can be read, explained and tested:

* category: the rules are tried in order and the first rule with a keyword in the
  treatment wins. Order encodes precedence: "Lumbar epidural steroid injection with pain
  consult" is an injection, "Physical therapy evaluation" is physical therapy, "Spine surgery
  evaluation" is a consultation, not surgery. When nothing in the treatment matches (a brand
  name such as "Deprizine"), the same rules are tried on the guideline sections the parties
  cited ("Compound drugs" -> medication), then the answer is "other".
* body regions: every region with a keyword (or a spinal level such as L5-S1) in the
  treatment, in table order.

`explain_category` returns the rule and keyword that decided, for the UI and for tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from clinical import patterns as p

CATEGORIES: tuple[str, ...] = (
    "surgery",
    "medication",
    "injection",
    "physical therapy",
    "chiropractic",
    "acupuncture",
    "imaging",
    "durable medical equipment",
    "laboratory/testing",
    "consultation/referral",
    "psychological",
    "functional restoration",
    "home health/nursing",
    "other",
)

# (category, keywords), tried in this order; RuleSet explains the '*' wildcard.
# fmt: off
CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("consultation/referral", (
        "surgical consult*", "surgery consult*", "surgeon consult*", "surgical evaluation",
        "surgery evaluation", "surgical opinion", "second opinion", "surgical referral",
        "medical clearance", "pre operative clearance", "preoperative clearance",
    )),
    ("surgery", (
        "manipulation under anesthesia", "MUA",
    )),
    ("functional restoration", (
        "functional restoration*", "FRP", "work hardening", "work conditioning", "HELP program",
        "chronic pain program", "pain program", "multidisciplinary", "interdisciplinary",
        "rehabilitation program",
    )),
    ("psychological", (
        "psych*", "cognitive behavioral", "cognitive behavioural", "CBT", "biofeedback",
        "counseling", "counselling", "partial hospitalization", "behavioral", "mental health",
        "hypnotherapy", "relaxation training", "stress management",
    )),
    ("home health/nursing", (
        "home health*", "home care", "home nursing", "nursing", "nurse", "RN", "LVN", "caregiver*",
        "aide", "home assistance", "housekeeping", "home help*", "assisted living",
        "attendant care", "in home",
    )),
    ("injection", (
        "inject*", "ESI", "epidural*", "facet block*", "nerve block*", "block", "blocks",
        "medial branch", "radiofrequency", "rhizotomy", "neurotomy", "trigger point*", "PRP",
        "platelet rich", "viscosupplement*", "synvisc", "orthovisc", "hyaluron*", "euflexxa",
        "supartz", "cortisone", "botox", "prolotherapy", "aspiration",
    )),
    ("chiropractic", (
        "chiropract*", "chiro", "spinal adjustment*", "spinal manipulation*",
        "manipulative therap*",
    )),
    ("physical therapy", (
        "physical therap*", "PT", "occupational therap*", "OT", "physiotherap*", "aquatic therap*",
        "aqua therap*", "pool therap*", "therapeutic exercise*", "massage*", "physical medicine",
        "rehab*", "myofascial", "hand therap*",
    )),
    ("chiropractic", (
        "manipulation*", "adjustment*",
    )),
    ("acupuncture", (
        "acupunct*", "electroacupuncture", "electro acupuncture",
    )),
    ("durable medical equipment", (
        "TENS", "H wave", "interferential", "IF unit", "muscle stimulat*", "stimulator unit",
        "NMES", "EMS unit", "brace", "braces", "orthotic*", "orthosis", "orthoses", "splint*",
        "sling", "cane", "walker", "wheelchair", "scooter", "crutch*", "hospital bed", "mattress",
        "cold therapy", "hot cold", "cryotherapy", "ice unit", "heat unit", "compression*",
        "stocking*", "pneumatic", "CPM", "continuous passive motion", "traction", "pillow",
        "cushion", "lumbar support", "back support", "collar", "hearing aid*", "shower chair",
        "commode", "grab bar*", "durable medical equipment", "DME", "exercise kit", "insole*",
        "bone growth stimulator", "CPAP", "unit", "vasopneumatic", "shoe*", "glasses",
        "lift chair",
    )),
    ("imaging", (
        "MRI*", "MR", "magnetic resonance", "CT", "CAT scan", "computed tomograph*", "x ray*",
        "xray*", "radiograph*", "ultrasound*", "sonogra*", "bone scan", "scan", "scans",
        "arthrogra*", "myelogra*", "discogra*", "imaging", "PET", "DEXA", "fluoroscop*",
        "venogra*", "angiogra*",
    )),
    ("laboratory/testing", (
        "EMG*", "NCV*", "NCS", "nerve conduction", "electrodiagnostic*", "electromyogra*",
        "urine drug*", "UDS", "drug screen*", "drug test*", "toxicology", "lab", "labs",
        "laboratory", "blood test*", "blood work", "panel", "CBC", "metabolic", "hepatic",
        "renal function", "testing", "test", "tests", "functional capacity", "FCE", "sleep study",
        "polysomnogra*", "audiogra*", "audiometr*", "EKG", "ECG", "echocardiogra*", "genetic*",
        "DNA", "cytokine", "range of motion testing", "quantitative", "videonystagmogra*",
        "evaluation of function", "PTT", "APTT", "INR", "prothrombin", "coagulation", "CMP", "BMP",
        "urinalysis", "hemoglobin", "type and screen",
    )),
    ("surgery", (
        "surg*", "arthroscop*", "*ectomy", "*ectomies", "*otomy", "*plasty", "*desis", "fusion",
        "repair", "reconstruction", "release", "decompression", "hardware", "excision*",
        "debridement", "ORIF", "fixation", "implant*", "replacement", "exploration",
        "spinal cord stimulator", "SCS", "amputation", "transposition", "operative", "procedure",
        "graft", "allograft", "osteotomy",
    )),
    ("medication", (
        "medication*", "compound*", "cream*", "gel", "ointment", "patch", "patches", "lotion",
        "tablet*", "tab", "tabs", "capsule*", "caps", "refill*", "prescription*",
        "unknown quantity", "topical*", "oral", "transdermal", "solution", "spray", "norco",
        "hydrocodone", "oxycodone", "percocet", "oxycontin", "tramadol", "ultram", "tylenol",
        "acetaminophen", "ibuprofen", "naproxen", "anaprox", "motrin", "celebrex", "celecoxib",
        "meloxicam", "mobic", "diclofenac", "voltaren", "flector", "ketoprofen", "nabumetone",
        "relafen", "etodolac", "flurbiprofen", "gabapentin", "neurontin", "lyrica", "pregabalin",
        "cyclobenzaprine", "flexeril", "fexmid", "baclofen", "tizanidine", "zanaflex",
        "methocarbamol", "robaxin", "carisoprodol", "soma", "orphenadrine", "norflex",
        "omeprazole", "prilosec", "pantoprazole", "protonix", "ranitidine", "lansoprazole",
        "esomeprazole", "nexium", "ondansetron", "zofran", "lidocaine", "lidoderm", "terocin",
        "capsaicin", "menthol", "salonpas", "amitriptyline", "nortriptyline", "duloxetine",
        "cymbalta", "venlafaxine", "effexor", "bupropion", "wellbutrin", "sertraline", "zoloft",
        "fluoxetine", "trazodone", "zolpidem", "ambien", "lunesta", "eszopiclone", "diazepam",
        "valium", "alprazolam", "xanax", "clonazepam", "lorazepam", "buprenorphine", "butrans",
        "suboxone", "morphine", "methadone", "fentanyl", "duragesic", "hydromorphone", "dilaudid",
        "tapentadol", "nucynta", "oxymorphone", "opana", "codeine", "butalbital", "fioricet",
        "sumatriptan", "imitrex", "topiramate", "topamax", "medrol", "prednisone",
        "methylprednisolone", "toradol", "ketorolac", "colace", "docusate", "senna", "sennosides",
        "laxative*", "vitamin*", "supplement*", "theramine", "sentra", "gabadone", "trepadone",
        "deprizine", "fanatrex", "synapryn", "tabradol", "ketophene", "dicopanol", "opioid*",
        "NSAID*", "analgesic*", "antidepressant*", "muscle relaxant*", "sleep aid",
        "anticonvulsant*",
    )),
    ("consultation/referral", (
        "consult*", "referral*", "refer", "evaluation*", "evaluate", "visit*", "follow up",
        "office visit*", "specialist", "pain management", "assessment", "examination",
        "re evaluation",
    )),
)
# fmt: on

# (body region, keywords) - every matching region is reported.
# fmt: off
BODY_REGION_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cervical spine", (
        "cervical*", "neck", "cervicothoracic", "cervicalgia",
    )),
    ("thoracic spine", (
        "thoracic", "thoracolumbar", "cervicothoracic", "upper back", "mid back",
    )),
    ("lumbar spine", (
        "lumbar", "lumbosacral", "thoracolumbar", "low back", "lower back", "back brace",
        "back support", "lumbago", "sacroiliac", "SI joint", "sciatica",
    )),
    ("shoulder", (
        "shoulder*", "rotator cuff", "AC joint", "acromio*", "glenohumeral", "subacromial",
    )),
    ("elbow", (
        "elbow*", "epicondyl*", "cubital", "olecranon",
    )),
    ("wrist/hand", (
        "wrist*", "hand", "hands", "finger*", "thumb*", "carpal", "metacarpal*", "de quervain*",
        "digit", "digits", "palm",
    )),
    ("hip", (
        "hip", "hips", "pelvis", "pelvic", "groin", "acetabul*", "trochanter*",
    )),
    ("knee", (
        "knee*", "patell*", "menisc*", "ACL", "tibial plateau",
    )),
    ("ankle/foot", (
        "ankle*", "foot", "feet", "toe", "toes", "heel*", "plantar", "achilles", "metatars*",
        "tarsal", "lisfranc", "calcane*", "bunion*",
    )),
    ("head", (
        "head", "brain*", "skull", "face", "facial", "jaw", "TMJ", "temporomandibular", "hearing",
        "ear", "ears", "eye", "eyes", "dental", "teeth", "tooth", "concussion",
    )),
    ("upper extremity", (
        "upper extremit*", "upper limb*", "arm", "arms", "forearm*", "RUE", "LUE", "BUE",
    )),
    ("lower extremity", (
        "lower extremit*", "lower limb*", "leg", "legs", "thigh*", "calf", "RLE", "LLE", "BLE",
    )),
)
# fmt: on

# Spinal levels name their region even without a word ("L5-S1 fusion"): patterns.SPINE_LEVEL
# group name -> region.
LEVEL_REGIONS: dict[str, str] = {
    "cervical": "cervical spine",
    "thoracic": "thoracic spine",
    "lumbar": "lumbar spine",
}


@dataclass(frozen=True)
class Text:
    """A text split into lower-case words, ready for keyword lookup (built once per text,
    shared by the category and body-region rules)."""

    text: str  # as written (spinal levels and doses are read from it)
    words: tuple[str, ...]
    joined: str  # " w1 w2 ... " (words separated and surrounded by single spaces)

    @classmethod
    def of(cls, text: str) -> Text:
        words = tuple(p.WORD.findall(text.lower()))
        return cls(text, words, " " + " ".join(words) + " ")


# "PT" is prothrombin time, not physical therapy, next to these words ("PT/PTT", "PT/INR",
# "CBC, CMP, PT"): pre-operative lab panels, often "Associated surgical service: PT/PTT".
LAB_CONTEXT_WORDS: frozenset[str] = frozenset({
    "ptt", "aptt", "inr", "prothrombin", "coag", "coagulation", "cbc", "cmp", "bmp", "chem",
    "panel", "lab", "labs", "laboratory", "bloodwork", "ua", "urinalysis", "hgb", "hct",
    "hemoglobin", "hematocrit", "platelets", "a1c", "hba1c", "electrolytes",
})  # fmt: skip
LAB_PT_WORDS: frozenset[str] = frozenset({"pt"})


def is_lab_abbreviation_context(text: str | Text) -> bool:
    """True when "PT" in the text means prothrombin time: a lab word stands beside it."""
    words = text if isinstance(text, Text) else Text.of(text)
    return not LAB_PT_WORDS.isdisjoint(words.words) and not LAB_CONTEXT_WORDS.isdisjoint(
        words.words
    )


def without_lab_abbreviations(text: str | Text) -> Text:
    """The text without its "PT" words when they mean prothrombin time (so the physical
    therapy rules cannot read them); unchanged otherwise."""
    words = text if isinstance(text, Text) else Text.of(text)
    if not is_lab_abbreviation_context(words):
        return words
    kept = tuple(word for word in words.words if word not in LAB_PT_WORDS)
    return Text(words.text, kept, " " + " ".join(kept) + " ")


Hit = tuple[int, str]  # (rule index, keyword as written in the table)


@dataclass(frozen=True)
class RuleSet:
    """Ordered keyword rules compiled for fast lookup in a `Text`.

    Text is lower-cased and split into words at anything not a letter or digit, so "x-ray",
    "X Ray" and "x ray" are the same words. A keyword matches whole words; '*' at its end
    (or start) lets the word continue ("inject*" matches "injections", "*ectomy" matches
    "laminectomy"); a keyword of several words matches them in sequence, and '*' may end any
    of them ("spine surg* consult*" matches "spine surgery consultation"). Keywords are
    indexed by word (exact words), by their first word (phrases) and by their first three
    letters (prefixes, phrases with wildcards inside), so a lookup costs a few dictionary
    probes per word of the text.
    """

    names: tuple[str, ...]  # rule index -> category / region
    words: dict[str, tuple[Hit, ...]]  # a whole word
    phrases: dict[str, tuple[tuple[str, int, str], ...]]  # first word -> (" a b ", rule, kw)
    prefixes: dict[str, tuple[tuple[str, int, str], ...]]  # first 3 letters -> (prefix, ...)
    suffixes: tuple[tuple[str, int, str], ...]  # ("ectomy", rule, keyword)
    suffix_words: tuple[str, ...]  # the suffixes alone, for one str.endswith call per word
    # first 3 letters of the first word -> (first word, pattern on Text.joined, rule, keyword)
    wild_phrases: dict[str, tuple[tuple[str, re.Pattern[str], int, str], ...]] = field(
        default_factory=dict
    )

    @classmethod
    def compile(cls, rules: Iterable[tuple[str, tuple[str, ...]]]) -> RuleSet:
        names: list[str] = []
        words: dict[str, tuple[Hit, ...]] = {}
        phrases: dict[str, tuple[tuple[str, int, str], ...]] = {}
        prefixes: dict[str, tuple[tuple[str, int, str], ...]] = {}
        suffixes: list[tuple[str, int, str]] = []
        wild: dict[str, tuple[tuple[str, re.Pattern[str], int, str], ...]] = {}
        for index, (name, keywords) in enumerate(rules):
            names.append(name)
            for keyword in keywords:
                parts = p.WORD.findall(keyword.lower())
                if not parts:
                    continue
                open_end = keyword.endswith("*")
                if len(parts) > 1 and "*" in keyword.rstrip("*"):
                    pattern = _wild_phrase(keyword)
                    key = parts[0][:3]
                    wild[key] = (*wild.get(key, ()), (parts[0], pattern, index, keyword))
                elif len(parts) > 1:
                    needle = " " + " ".join(parts) + ("" if open_end else " ")
                    phrases[parts[0]] = (*phrases.get(parts[0], ()), (needle, index, keyword))
                elif keyword.startswith("*"):
                    suffixes.append((parts[0], index, keyword))
                elif open_end:
                    key = parts[0][:3]
                    prefixes[key] = (*prefixes.get(key, ()), (parts[0], index, keyword))
                else:
                    words[parts[0]] = (*words.get(parts[0], ()), (index, keyword))
        suffix_words = tuple(suffix for suffix, _, _ in suffixes)
        return cls(tuple(names), words, phrases, prefixes, tuple(suffixes), suffix_words, wild)

    def hits(self, text: Text) -> list[Hit]:
        """Every (rule, keyword) with a keyword in the text."""
        found: list[Hit] = []
        for word in text.words:
            found.extend(self.words.get(word, ()))
            for needle, index, keyword in self.phrases.get(word, ()):
                if needle in text.joined:
                    found.append((index, keyword))
            for prefix, index, keyword in self.prefixes.get(word[:3], ()):
                if word.startswith(prefix):
                    found.append((index, keyword))
            for first, pattern, index, keyword in self.wild_phrases.get(word[:3], ()):
                if word.startswith(first) and pattern.search(text.joined):
                    found.append((index, keyword))
        if self.suffixes and any(word.endswith(self.suffix_words) for word in text.words):
            for suffix, index, keyword in self.suffixes:
                if any(word.endswith(suffix) for word in text.words):
                    found.append((index, keyword))
        return found

    def first(self, text: Text) -> Hit | None:
        """The first rule, in table order, with a keyword in the text."""
        return min(self.hits(text), default=None, key=lambda hit: hit[0])

    def all(self, text: Text) -> set[int]:
        """Indexes of every rule with a keyword in the text."""
        return {index for index, _ in self.hits(text)}


def _wild_phrase(keyword: str) -> re.Pattern[str]:
    """A phrase keyword with '*' inside ("pre op* clearance") as a pattern on Text.joined."""
    pieces: list[str] = []
    tokens = keyword.lower().split()
    for position, token in enumerate(tokens):
        words = p.WORD.findall(token)
        for number, word in enumerate(words):
            open_end = token.endswith("*") and number == len(words) - 1
            pieces.append(re.escape(word) + ("[a-z0-9]*" if open_end else ""))
        if position == len(tokens) - 1 and not token.endswith("*"):
            pieces[-1] += " "
    return re.compile(" " + " ".join(pieces))


_CATEGORIES = RuleSet.compile(CATEGORY_RULES)
_REGIONS = RuleSet.compile(BODY_REGION_RULES)


def explain_category(treatment: str | Text, hints: Iterable[str] = ()) -> tuple[str, str | None]:
    """(category, the keyword that decided it); ("other", None) when no rule matched."""
    for text in (treatment, " ; ".join(hints)):
        words = without_lab_abbreviations(text)
        if not words.words:
            continue
        hit = _CATEGORIES.first(words)
        if hit:
            return _CATEGORIES.names[hit[0]], hit[1]
        dose = p.DOSAGE.search(words.text)
        if dose:
            return "medication", dose.group(0)
    return "other", None


def categorize(treatment: str | Text, hints: Iterable[str] = ()) -> str:
    """The treatment's category (see CATEGORY_RULES); `hints` are cited section names."""
    return explain_category(treatment, hints)[0]


def body_regions(treatment: str | Text) -> tuple[str, ...]:
    """Every body region the treatment names, in BODY_REGION_RULES order."""
    words = treatment if isinstance(treatment, Text) else Text.of(treatment)
    found = {_REGIONS.names[index] for index in _REGIONS.all(words)}
    if p.DIGITS.search(words.text):
        for match in p.SPINE_LEVEL.finditer(words.text):
            found.add(LEVEL_REGIONS[match.lastgroup or "lumbar"])
            if match.lastgroup == "thoracic" and "L" in match.group(0):
                found.add("lumbar spine")  # T12-L1 spans both
    return tuple(region for region, _ in BODY_REGION_RULES if region in found)


__all__ = [
    "Text",
    "BODY_REGION_RULES",
    "CATEGORIES",
    "CATEGORY_RULES",
    "body_regions",
    "categorize",
    "explain_category",
    "is_lab_abbreviation_context",
    "without_lab_abbreviations",
]
