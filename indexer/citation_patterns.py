"""The regular expressions of citation sentences (citations.py, guidelines.py), commented.

What each party's guideline paragraph looks like: "Decision based on MTUS <guideline> <year>,
Section(s): ...", "Decision based on Non-MTUS Citation <free text>" (ODG chapters, ACOEM, studies,
URLs), the older prose of 2013 letters, and "did not cite any medical evidence". The rest of
the letter's grammar is in indexer/patterns.py.
"""

from __future__ import annotations

import re

from indexer.patterns import IGNORE_CASE

# A party cited nothing.
CITED_NOTHING = re.compile(
    r"did\s+not\s+cite\s+any\s+(?:medical\s+evidence|evidence[\s-]*based\s+guidelines?|"
    r"guidelines?|evidence)",
    IGNORE_CASE,
)

# Each citation sentence starts with "Decision based on".
DECISION_BASED_ON = re.compile(r"Decision\s+based\s+on\s+", IGNORE_CASE)

# "Non-MTUS Citation <text>" / "Non-MTUS <text>" (Citation is sometimes missing).
NON_MTUS_PREFIX = re.compile(r"^Non[\s-]*MTUS(?:\s+Citations?)?\s*:?\s*", IGNORE_CASE)
# "MTUS <guideline> ..." (also "CA MTUS").
MTUS_PREFIX = re.compile(r"^(?:CA\s+)?MTUS\b\s*:?\s*", IGNORE_CASE)

# One MTUS sentence may name several guidelines: "... 2016, Section(s): Compound drugs, and
# Opioid Treatment 2016, Section(s): 3.3 ...". Split before ", and <Name> <year>".
MTUS_GUIDELINE_JOIN = re.compile(
    r"(?<!Wrist),\s+and\s+(?=[A-Z][A-Za-z&/,' -]{2,80}?\s(?:19|20)\d{2}\b)",
)

# "Section(s): a, b" and "Page(s): 308-310" inside a citation.
SECTIONS_LABEL = re.compile(r",?\s*Sections?(?:\(s\))?\s*:\s*", IGNORE_CASE)
PAGES_LABEL = re.compile(r",?\s*\b(?:Page\(s\)|Pages?|pgs?\.|pp\.|p\.)\s*:?\s*(?=\d)", IGNORE_CASE)
PAGES_VALUE = re.compile(
    r"^\d+(?:\s*[-\u2013]\s*\d+)?(?:\s*(?:,|and)\s*\d+(?:\s*[-\u2013]\s*\d+)?)*"
)

# Split a list of sections at ", " before an upper-case word ("Initial Care, Activity
# Modification"); "TENS, chronic pain (...)" stays one section.
SECTION_SPLIT = re.compile(r",\s+(?=[A-Z])")
# Numbered MTUS sections ("3.3.1.1 Opioids ..., 3.3.1.2 Opioids ...") split only before a
# number, because their titles contain ", Prior to ...".
NUMBERED_SECTION = re.compile(r"^\d+(?:\.\d+)*\.?\s")
NUMBERED_SECTION_SPLIT = re.compile(r",\s+(?=\d+(?:\.\d+)*\.?\s)")

# Words cut from an MTUS guideline name: "Guidelines", "(Effective July 18, 2009)".
EFFECTIVE_NOTE = re.compile(r"\s*\((?:effective|eff\.)[^)]*\)", IGNORE_CASE)
EFFECTIVE_2009 = re.compile(r"\((?:effective|eff\.)\s+July\s+18,?\s+2009\)", IGNORE_CASE)
TRAILING_GUIDELINES = re.compile(r"(?:\s+(?:Guidelines?|Guide))+\s*$", IGNORE_CASE)

# Sources a non-MTUS sentence may name. A sentence naming several ("ACOEM guidelines and the
# Official Disability Guidelines") is split before each new source.
ODG = re.compile(r"Official\s+Disability\s+Guidelines?|\bODG\b", IGNORE_CASE)
ACOEM = re.compile(
    r"\bACOEM\b|American\s+College\s+of\s+Occupational\s+(?:and|&)\s+Environmental\s+Medicine",
    IGNORE_CASE,
)
OTHER_GUIDELINES = re.compile(
    r"Other\s+Medical\s+Treatment\s+Guidelines?\s*(?:\(OMTG\))?:?\s*", IGNORE_CASE
)
SOURCE_BOUNDARY = re.compile(
    r"(?:\s*;\s*|,?\s+and\s+(?:the\s+)?|,\s+(?=(?:https?://|www\.)))"
    r"(?=Official\s+Disability|ODG\b|Other\s+Medical\s+Treatment|ACOEM\b|American\s+College|"
    r"https?://|www\.)",
    IGNORE_CASE,
)
URL = re.compile(r"(?:https?://|www\.)[^\s,;]+", IGNORE_CASE)
URL_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/\s:]+)", IGNORE_CASE)
# "study by Chou R, Baisden J, ..." / "Chou R, et al." -> first author.
STUDY_AUTHOR = re.compile(
    r"(?i:study|article|review|trial)\s+(?i:by\s+)?(?P<author>[A-Z][A-Za-z'\-]+\s+[A-Z]{1,3})\b"
)
# A citation opening with its authors: "Chou R, Baisden J, ..." -> the first one.
LEADING_AUTHOR = re.compile(
    r"^(?P<author>[A-Z][A-Za-z'\-]+\s+[A-Z]{1,3}),\s+[A-Z][A-Za-z'\-]+\s+[A-Z]{1,3}\b"
)
# The head of a free-text source: up to the first comma, colon, parenthesis or period that
# ends a word ("Drugs.com" stays whole).
SOURCE_HEAD = re.compile(r"^(?:[^,:;.(]|\.(?=[A-Za-z0-9]))+")

# ODG chapters, canonical name -> pattern. Scanned left to right over the ODG part of a
# sentence; the longest alias at a position wins, so "Low Back Pain Chapter" is one chapter.
# A one-word chapter alias ("Pain", "Knee") counts only where a chapter name can end: before
# "Chapter", punctuation, the end, or "(updated ...)" / "(Acute & Chronic)".
_CHAPTER_END = r"(?=\s*(?:chapter\b|[/,;.:)]|$|\((?:updated|last\s+updated|acute)))"
# "(Acute & Chronic)" after a chapter name, part of the name.
_ACUTE_CHRONIC = r"(?:\s*\(acute\s*(?:&|and)\s*chronic\))?"
ODG_CHAPTERS: tuple[tuple[str, str], ...] = (
    (
        "Low Back",
        r"low[\s-]+back(?:\s*\((?:thoracic|lumbar)[^)]*\)|\s*[-,\u2013]?\s*(?:pain\b|\(?(?:lumbar|"
        r"thoracic)\s*(?:&|and)\s*(?:thoracic|lumbar)\)?))?" + _ACUTE_CHRONIC,
    ),
    (
        "Neck and Upper Back",
        r"neck\s*(?:&|and)\s*upper\s+back" + _ACUTE_CHRONIC + r"|neck" + _CHAPTER_END,
    ),
    ("Pain", r"pain\s*\(chronic\)|chronic\s+pain(?=\s+chapter)|pain" + _CHAPTER_END),
    ("Knee & Leg", r"knee\s*(?:&|and)\s*leg" + _ACUTE_CHRONIC + r"|knee" + _CHAPTER_END),
    ("Hip & Pelvis", r"hip\s*(?:&|and)\s*pelvis" + _ACUTE_CHRONIC + r"|hip" + _CHAPTER_END),
    (
        "Ankle & Foot",
        r"ankle\s*(?:&|and)\s*foot" + _ACUTE_CHRONIC + r"|(?:ankle|foot)" + _CHAPTER_END,
    ),
    (
        "Forearm, Wrist & Hand",
        r"forearm,?\s*wrist,?\s*(?:&|and)\s*hand"
        + _ACUTE_CHRONIC
        + r"|(?:wrist|hand)"
        + _CHAPTER_END,
    ),
    ("Shoulder", r"shoulder(?!\s+(?:complaints|disorders))" + _ACUTE_CHRONIC),
    ("Elbow", r"elbow" + _ACUTE_CHRONIC),
    (
        "Head",
        r"head\s*\(trauma[^)]*\)|head(?=\s*(?:mri|ct)\b)|head" + _CHAPTER_END,
    ),
    ("Mental Illness & Stress", r"mental\s+illness\s*(?:&|and)\s*stress|mental\s+health"),
    ("Fitness for Duty", r"fitness\s+for\s+duty"),
    ("Carpal Tunnel Syndrome", r"carpal\s+tunnel\s+syndrome" + _ACUTE_CHRONIC),
    ("Traumatic Brain Injury", r"traumatic\s+brain\s+injury"),
    ("Formulary", r"(?:workers'?\s+comp(?:ensation)?\s+)?drug\s+formulary|\bformulary\b"),
    (
        "Integrated Treatment/Disability Duration",
        r"integrated\s+treatment(?:/disability\s+duration)?",
    ),
    ("Burns", r"burns" + _CHAPTER_END),
    ("Eye", r"eye" + _CHAPTER_END),
    ("Hernia", r"hernia" + _CHAPTER_END),
    ("Pulmonary", r"pulmonary" + _CHAPTER_END),
)
ODG_CHAPTER = re.compile(
    r"\b(?:"
    + "|".join(f"(?P<c{index}>{pattern})" for index, (_, pattern) in enumerate(ODG_CHAPTERS))
    + ")",
    IGNORE_CASE,
)
# What precedes the chapter in an ODG citation ("Official Disability Guidelines (ODG), 2016,
# Web Version"), stripped before topics are read.
ODG_NAME = re.compile(
    r"^.*?(?:Official\s+Disability\s+Guidelines?(?:\s*\(ODG\))?|\bODG\b(?:\s*-\s*TWC)?)\s*[:,-]?\s*",
    IGNORE_CASE,
)
# Noise around ODG topics: "Chapter", "Section", "Topic", "(updated 11/3/16)", "Procedure
# Summary", "Online/Web Version", a bare year.
ODG_TOPIC_NOISE = re.compile(
    r"\((?:updated|last\s+updated)[^)]*\)|\(acute\s*(?:&|and)\s*chronic\)|"
    r"\b(?:chapter|section|topic|procedure\s+summary|"
    r"(?:online|web)\s+version|treatment\s+index|\d+(?:st|nd|rd|th)\s+edition(?:\s*\(web\))?)\b|"
    r"\b(?:19|20)\d{2}\b",
    IGNORE_CASE,
)
# Separators trimmed from both ends of a topic.
TOPIC_TRIM = " ,;:/-\u2013.()"
TOPIC_SPLIT = re.compile(r"\s*;\s*")

# 2013 and professional-review prose: "which is part of the MTUS" / "not part of the MTUS".
_MTUS_NAME = (
    r"(?:the\s+)?(?:CA\s+|California\s+)?(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)"
)
PART_OF_MTUS = re.compile(r"\b(?:is|are)\s+(?:a\s+)?part\s+of\s+" + _MTUS_NAME, IGNORE_CASE)
NOT_PART_OF_MTUS = re.compile(
    r"\b(?:is|are)\s+not\s+(?:a\s+)?part\s+of\s+"
    + _MTUS_NAME
    + r"|outside\s+(?:of\s+)?"
    + _MTUS_NAME
    + r"|\bNon[\s-]*MTUS\b",
    IGNORE_CASE,
)
# The closing clause of a prose citation: ", which is [not] part of the MTUS".
WHICH_CLAUSE = re.compile(r",?\s+which\s+(?:is|are)\b.*$", IGNORE_CASE)
# The reviewer agreeing with the administrator's guideline (2013 letters).
SAME_AS_ADMINISTRATOR = re.compile(
    r"found\s+(?:that\s+)?the\s+guidelines?\s+used\s+by\s+the\s+Claims\s+Administrator\s+"
    r"(?:were|was|is|are)?\s*relevant",
    IGNORE_CASE,
)
# Sentence boundary for prose citations: ". " before an upper-case letter, not after a
# one-letter initial or a common abbreviation.
SENTENCE_SPLIT = re.compile(
    r"\.(?<!\b[A-Z]\.)(?<!\bet al\.)(?<!\bpg\.)(?<!\bed\.)(?<!\bvol\.)(?<!\bno\.)(?<!\bDr\.)"
    r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bvs\.)(?<!\bSt\.)\s+(?=[A-Z(])"
)

# MTUS guideline names as written in prose (2013 letters, professional reviews):
# "Chronic Pain Medical Treatment Guidelines (2009)", "ACOEM ... Chapter 12".
MTUS_NAMED = re.compile(
    r"\b(?P<name>Chronic\s+Pain\s+Medical\s+Treatment|Low\s+Back\s+Complaints|Neck\s+and\s+Upper\s+"
    r"Back\s+Complaints|Shoulder\s+Complaints|Knee\s+Complaints|Elbow\s+(?:Complaints|Disorders)|"
    r"Forearm,\s+Wrist,?\s+and\s+Hand\s+Complaints|Ankle\s+and\s+Foot\s+Complaints|"
    r"Stress[\s-]+Related\s+Conditions|General\s+Approaches|Initial\s+Approaches\s+to\s+Treatment|"
    r"Acupuncture\s+(?:Medical\s+)?Treatment|Opioids?\s+Treatment|Post[\s-]*surgical\s+Treatment|"
    r"Eye)(?:\s+Guidelines?)?(?:\s*,?\s*\(?(?:(?:effective\s+)?[A-Z][a-z]+\.?\s+(?:\d{1,2},\s+)?)?"
    r"(?P<year>(?:19|20)\d{2})\)?)?",
    IGNORE_CASE,
)
ACOEM_CHAPTER = re.compile(r"\bChapter\s+(?P<chapter>\d{1,2})\b", IGNORE_CASE)
