"""Every regular expression the letter parser uses, in one commented module (eyecite style).

Keeping them together makes the grammar of an IMR letter reviewable in one place: what a
heading, a decision line, a citation sentence or a header field looks like. Patterns that
match lines are compiled with MULTILINE and anchored with ^/$; patterns that run on text
already joined into one line (see clean.unwrap) use plain search. Whitespace between words
is written ``\\s+`` wherever an extractor may wrap a heading or label over two lines.

The layouts themselves are described in ../shared/letter-formats.md.
"""

from __future__ import annotations

import re

IGNORE_CASE = re.IGNORECASE
LINES = re.MULTILINE  # ^ and $ match at every line

# --------------------------------------------------------------------------------------------
# Extraction noise (clean.py)
# --------------------------------------------------------------------------------------------

# Horizontal whitespace pdfium/pdftotext/Word leave behind: NBSP, narrow/figure spaces, the
# ideographic space and tabs. All become a plain space.
ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")

# Invisible characters: zero-width spaces/joiners, word joiner, BOM, soft hyphen inside a word.
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")

# pdfium marks a hyphen at a line end with U+FFFE (and joins the two lines); a soft hyphen at
# a line end means the same. Both become "-\n" so pdfium text wraps like pdftotext text.
LINE_END_HYPHEN = re.compile(r"[\ufffe\u00ad]\n?")

# Page furniture near a page break: "Page 2 of 5", "2 of 5", "- 2 -", a bare page number.
# Without a page break (one page) only the worded forms count: a letter may end in a number.
PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:page\s+\d{1,3}(?:\s+of\s+\d{1,3})?|\d{1,3}\s+of\s+\d{1,3}|-\s*\d{1,3}\s*-|\d{1,3})\s*$",
    IGNORE_CASE,
)

PAGE_LABEL_LINE = re.compile(
    r"^\s*(?:page\s+\d{1,3}(?:\s+of\s+\d{1,3})?|\d{1,3}\s+of\s+\d{1,3}|-\s*\d{1,3}\s*-)\s*$",
    IGNORE_CASE,
)
# A running header or footer candidate: names the case, a page, or MAXIMUS (short lines only,
# see clean._furniture_key).
FURNITURE_HINT = re.compile(r"\bCM\d{2}-\d{4,8}\b|\bpage\s+\d|\bmaximus\b", IGNORE_CASE)

# Digits, for comparing running headers/footers that differ only by page number or date.
DIGITS = re.compile(r"\d+")

# A hyphen or slash at a line end, before a word on the next line: the next line continues
# the same word ("x-rays", "Non-MTUS", "and/or", a URL), so the lines join without a space
# (clean.unwrap also checks that a hyphen is glued to the word before it).
# Written literal-first ("-\n", "/\n") so the regex engine can skip ahead quickly.
# A blank line in between (a page break's leftovers) does not end the word either.
HYPHEN_WRAP = re.compile(r"-\n\s*(?=[A-Za-z0-9])")
SLASH_WRAP = re.compile(r"/\n\s*(?=[A-Za-z0-9])")
# Spaces before a line end (only in text that did not go through clean.clean).
TRAILING_SPACES = re.compile(r"[ \t]+\n")
# A line end one of the three above may change (after a space, tab, hyphen or slash): one
# search tells clean.squash whether any of them has work. Written as the line break, then a
# look back at the character before it: the engine skips from line break to line break,
# where four two-character `in` tests step through every character.
LINE_END_TO_MEND = re.compile(r"\n(?<=[-/ \t]\n)")

# --------------------------------------------------------------------------------------------
# Layout detection and section headings (parse.py)
# --------------------------------------------------------------------------------------------

# Title of the 2013 letters.
NOTICE_TITLE = re.compile(
    r"[ \t]*Notice\s+of\s+Independent\s+Medical\s+Review\s+Determination", IGNORE_CASE
)

# A numbered 2013 determination: "1) MAXIMUS Federal Services, Inc. has determined the request
# for <treatment> is [not] medically necessary and appropriate." (on unwrapped text). Found
# from its literal middle ("has determined"), which is cheap to look for: the sentence from
# there, and the number before it.
NOTICE_DETERMINED = re.compile(
    r"has\s+determined\s+(?:that\s+)?the\s+request(?:ed)?\s+(?:for\s+)?(?P<treatment>.{1,400}?)\s+"
    r"(?:is|was)\s+(?P<negation>not\s+)?medically\s+necessary(?:\s+and\s+appropriate)?\s*\.",
    IGNORE_CASE,
)
NOTICE_DETERMINATION_NUMBER = re.compile(
    r"(?:^|\s)(?P<number>\d{1,2})\s*[.)]\s*MAXIMUS\s+Federal\s+Services,?\s+Inc\.?,?\s*$",
    IGNORE_CASE,
)

# Start of a 2013 detail block: "1) Regarding the request for <treatment>:" (on unwrapped
# text; the treatment may contain colons, so the block starts at the number). Found from
# "regarding the request for"; the number is read just before it.
NOTICE_REGARDING = re.compile(r"Regarding\s+the\s+request\s+for\s+", IGNORE_CASE)
NOTICE_REGARDING_NUMBER = re.compile(r"(?:^|\s)(?P<number>\d{1,2})\s*[.)]\s*$")

# "the request for a lumbar MRI": the article is not part of the treatment.
LEADING_ARTICLE = re.compile(r"^(?:a|an|the)\s+(?=\S)", IGNORE_CASE)

# Labels inside a 2013 detail block.
NOTICE_CA_LABEL = re.compile(
    r"Medical\s+Treatment\s+Guidelines?(?:\(s\))?\s+Relied\s+Upon\s+by\s+the\s+Claims\s+"
    r"Administrator\s*:",
    IGNORE_CASE,
)
NOTICE_REVIEWER_LABEL = re.compile(
    r"Medical\s+Treatment\s+Guidelines?(?:\(s\))?\s+Relied\s+Upon\s+by\s+the\s+Expert\s+"
    r"Reviewer\s*:",
    IGNORE_CASE,
)
NOTICE_RATIONALE_LABEL = re.compile(r"Rationale\s+for\s+the\s+Decision\s*:", IGNORE_CASE)

# 2013 paragraph headings (line start; text may follow the colon on the same line).
NOTICE_QUALIFICATIONS = re.compile(
    r"^[ \t]*Medical\s+Qualifications\s+of\s+the\s+Expert\s+Reviewer\s*:?", IGNORE_CASE | LINES
)
NOTICE_CASE_SUMMARY = re.compile(
    r"^[ \t]*(?:Expert\s+Reviewer(?:'s)?\s+)?Case\s+Summary\s*:?[ \t]*", IGNORE_CASE | LINES
)
# Where a 2013 case summary ends: the first detail block or a following known paragraph.
NOTICE_SUMMARY_END = re.compile(
    r"^[ \t]*(?:\d{1,2}\s*[.)]\s*Regarding\s+the\s+request|Documents?\s+Reviewed|"
    r"Summary\s+of\s+Medical\s+Records)",
    IGNORE_CASE | LINES,
)

# Closing text after the last 2013 rationale: effect of the decision, signature, copies.
NOTICE_TRAILER = re.compile(
    r"\b(?:Effect\s+of\s+the\s+Decision|This\s+determination\s+is\s+final|Sincerely|cc\s*:)|"
    r"(?:^|\s)/[a-z]{1,4}\s*$",  # typist's initials ("/pm") closing the letter
    IGNORE_CASE,
)

# MEDICAL PROFESSIONAL REVIEW layout: its title and its six headings (which may wrap).
PROFESSIONAL_TITLE = re.compile(r"^[ \t]*MEDICAL\s+PROFESSIONAL\s+REVIEW\b", LINES)
PR_ISSUE = re.compile(r"^[ \t]*ISSUES?\s+AT\s+DISPUTE\s*:", IGNORE_CASE | LINES)
PR_CASE_SUMMARY = re.compile(r"^[ \t]*CASE\s+SUMMARY\s*:", IGNORE_CASE | LINES)
PR_DOCUMENTS = re.compile(
    r"^[ \t]*DOCUMENTS\s+REVIEWED\s+FOR\s+DETERMINATION\s*:", IGNORE_CASE | LINES
)
PR_GUIDELINES = re.compile(
    r"^[ \t]*MEDICAL\s+TREATMENT\s+GUIDELINE\(?S?\)?\s+RELIED\s+UPON\s+BY\s+PROFESSIONAL\s+"
    r"REVIEWER\s+AND\s+WHY\s*:",
    IGNORE_CASE | LINES,
)
PR_RATIONALE = re.compile(
    r"^[ \t]*RATIONALE\s+FOR\s+WHY\s+THE\s+REQUESTED\s+TREATMENT/SERVICE\s+IS/WAS\s+NOT\s+"
    r"MEDICALLY\s+NECESSARY\s*:",
    IGNORE_CASE | LINES,
)
PR_QUALIFICATIONS = re.compile(
    r"^[ \t]*MEDICAL\s+REVIEWER\s+QUALIFICATIONS\s*:", IGNORE_CASE | LINES
)

# Headings of the 2014+ layouts, each alone on its line (pdftotext centres them).
HOW_MADE = re.compile(
    r"^[ \t]*HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE:?[ \t]*$", IGNORE_CASE | LINES
)
DOCUMENTS_REVIEWED = re.compile(r"^[ \t]*DOCUMENTS\s+REVIEWED:?[ \t]*$", IGNORE_CASE | LINES)
CLINICAL_SUMMARY = re.compile(r"^[ \t]*CLINICAL\s+CASE\s+SUMMARY:?[ \t]*$", IGNORE_CASE | LINES)
ISSUES_DECISIONS = re.compile(
    r"^[ \t]*IMR\s+ISSUES,?\s+DECISIONS,?\s+AND\s+RATIONALES?:?[ \t]*$", IGNORE_CASE | LINES
)
DECISIONS_RATIONALES = re.compile(
    r"^[ \t]*IMR\s+DECISIONS?(?:\(S\))?\s+AND\s+RATIONALES?(?:\(S\))?:?[ \t]*$", IGNORE_CASE | LINES
)

# A stand-alone upper-case line that may be a heading we do not know (reported as a warning):
# two or more words, letters/spaces/punctuation only, no lower case.
CAPS_HEADING = re.compile(r"^[ \t]*(?=[^a-z]*[A-Z]{3})[A-Z][A-Z0-9 ,&/()'-]{6,70}:?[ \t]*$", LINES)

# Boilerplate first sentence of the clinical case summary.
SUMMARY_INTRO = re.compile(
    r"^\s*The\s+expert\s+reviewer\s+developed\s+the\s+following\s+clinical\s+case\s+summary\s+"
    r"based\s+on\s+a\s+review\s+of\s+the\s+case\s+file,?\s+including\s+all\s+medical\s+"
    r"records\s*:?\s*",
    IGNORE_CASE,
)

# The end of that boilerplate, when it wrapped onto a second line ("... set forth" / "below:").
ITEMS_INTRO_END = re.compile(r"\bbelow\s*:\s*$", IGNORE_CASE)

# The whole boilerplate sentence (on unwrapped text), stripped before looking for leftovers.
ITEMS_INTRO_SENTENCE = re.compile(
    r"\s*The\s+Final\s+Determination\s+was\s+based\s+on\s+decisions?\s+for\s+the\s+disputed\s+"
    r"items?(?:/services?)?\s+set\s+forth\s+below\s*:?",
    IGNORE_CASE,
)

# Boilerplate line that opens the list of items.
ITEMS_INTRO = re.compile(
    r"^\s*The\s+Final\s+Determination\s+was\s+based\s+on\s+decisions?\s+for\s+the\s+disputed",
    IGNORE_CASE,
)

# --------------------------------------------------------------------------------------------
# Header fields
# --------------------------------------------------------------------------------------------

# CMyy-nnnnnnn; older letters have fewer digits. Case-insensitive for lower-cased OCR.
CASE_NUMBER = re.compile(r"\b(CM\d{2}-\d{4,8})\b", IGNORE_CASE)
CASE_NUMBER_LABELLED = re.compile(
    r"(?:IMR\s+|MAXIMUS\s+)?Case\s+(?:Number|No\.?|#)\s*:?\s*(CM\d{2}-\d{4,8})\b", IGNORE_CASE
)

# A date as written in headers and summaries: 11/09/2016, 1/9/16, 10-13-2016, 2016-11-09,
# "October 24, 2016", "Oct. 24 2016".
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE = (
    r"(?:\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})(?!\d)|\d{4}-\d{2}-\d{2}|"
    + _MONTHS
    + r"\.?\s+\d{1,2},?\s+\d{4})"
)
DATE_NUMERIC = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_WORDS = re.compile(r"^(" + _MONTHS + r")\.?\s+(\d{1,2}),?\s+(\d{4})$", IGNORE_CASE)

# Header labels followed by their value. The header is joined into one line first, so the
# two-column pdftotext layout ("Priority: Standard   Application  11/03/2016 / Received:")
# and pdfium's ("Priority: Standard Application / Received: / 11/03/2016") both read as
# "Application [Received:] <date>". The gap allows a wrapped label fragment between.
_GAP = r"[^0-9]{0,30}?"
DATE_ASSIGNED = re.compile(r"Date\s+Assigned\s*:?" + _GAP + r"(" + DATE + r")", IGNORE_CASE)
DATE_OF_INJURY = re.compile(r"Date\s+of\s+Injury\s*:?" + _GAP + r"(" + DATE + r")", IGNORE_CASE)
DECISION_DATE = re.compile(
    r"(?:Decision\s+Date|Date\s+of\s+(?:IMR\s+)?Decision|Dated)\s*:?" + _GAP + r"(" + DATE + r")",
    IGNORE_CASE,
)
UR_DENIAL_DATE = re.compile(
    r"(?:UR\s+Denial\s+Date|Date\s+of\s+UR\s+(?:Decision|Denial))\s*:?" + _GAP + r"(" + DATE + r")",
    IGNORE_CASE,
)
APPLICATION_RECEIVED = re.compile(
    r"(?:IMR\s+)?Application(?:\s+Received)?\s*:?" + _GAP + r"(" + DATE + r")", IGNORE_CASE
)
PRIORITY = re.compile(r"Priority\s*:?\s*(Standard|Expedited|Regular|Urgent)\b", IGNORE_CASE)

# --------------------------------------------------------------------------------------------
# Reviewer credentials
# --------------------------------------------------------------------------------------------

# "State(s) of Licensure: California,North Carolina" (value runs to the end of the line).
LICENSURE_LINE = re.compile(
    r"^[ \t]*States?\s*(?:\(s\))?\s+of\s+Licensure\s*:[ \t]*(.*)$", IGNORE_CASE | LINES
)
# "Certification(s)/Specialty: Family Practice, Sports Medicine".
SPECIALTY_LINE = re.compile(
    r"^[ \t]*Certifications?\s*(?:\(s\))?\s*/\s*Specialt(?:y|ies)\s*:[ \t]*(.*)$",
    IGNORE_CASE | LINES,
)

# Prose: "is Board Certified in Orthopedic Surgery[, has a subspecialty in Spine Surgery] and
# is licensed to practice in New York." (on unwrapped text).
BOARD_CERTIFIED = re.compile(
    r"Board[\s-]+Certified\s+in\s+(?P<specialties>[^.;]{1,200}?)"
    r"(?:,?\s+(?:and\s+)?(?:has\s+a\s+)?sub-?specialt(?:y|ies)\s+(?:certification\s+)?in\s+"
    r"(?P<subspecialties>[^.;]{1,200}?))?"
    r"(?:,?\s+and\s+(?:is\s+)?licensed\s+to\s+practice\s+in\s+(?P<states>[^.;]{1,200}?))?\s*[.;]",
    IGNORE_CASE,
)
# Prose licence of a non-physician reviewer: "The expert reviewer is a Licensed Chiropractor
# and is licensed to practice in California" (read only when no board specialty is named).
LICENSED_PROFESSION = re.compile(
    r"\bis\s+an?\s+(?:licensed\s+|certified\s+|practicing\s+|board[\s-]+certified\s+)?"
    r"(?P<profession>doctor\s+of\s+chiropractic|chiropractor|acupuncturist|"
    r"(?:clinical\s+)?psychologist|physical\s+therapist|occupational\s+therapist|podiatrist|"
    r"dentist|optometrist|audiologist|pharmacist)\b",
    IGNORE_CASE,
)
# Prose licence without board certification: "licensed to practice in California and Nevada".
LICENSED_IN = re.compile(
    r"licensed\s+(?:to\s+practice\s+)?in\s+(?:the\s+State\s+of\s+)?([^.;]{1,200}?)\s*[.;]",
    IGNORE_CASE,
)

# The next line of a credential value that wrapped ("Public Health &" / "General Preventive
# Medicine", "California, Texas," / "Florida"): words in mixed case, '&' and list punctuation
# only, no label colon and no sentence; an all-caps line is a heading, not a continuation.
CREDENTIAL_CONTINUATION = re.compile(
    r"^[ \t]*(?=[^a-z]*[a-z])(?P<value>[&A-Z][A-Za-z&,'/()\- ]{0,100}?)[ \t,]*$"
)

# A word of four letters or more (articles and "of", "and" may stay lower case in a name).
LONG_WORD = re.compile(r"[A-Za-z]{4,}")

# Separators inside a list of states / specialties.
LIST_SEPARATOR = re.compile(r"\s*[,;]\s*|\s+and\s+(?=[A-Z])")
SPECIALTY_SEPARATOR = re.compile(r"\s*[,;]\s*")

# --------------------------------------------------------------------------------------------
# Patient facts in the clinical summary
# --------------------------------------------------------------------------------------------

# "48 year old male", "56-year-old female", "a(n) 57 year old male", "58 year old female
# injured worker", "45 y/o man". The sex word may come up to three words later.
AGE_SEX = re.compile(
    r"\b(?P<age>\d{1,3})[\s-]*(?:(?:years?|yrs?\.?)[\s-]*old|y/o|yo)\b[\s,]*"
    r"(?:(?:[A-Za-z()'-]+\s+){0,3}?(?P<sex>male|female|man|woman|gentleman|lady|boy|girl)\b)?",
    IGNORE_CASE,
)

# --------------------------------------------------------------------------------------------
# Items of the 2014+ layouts
# --------------------------------------------------------------------------------------------

# The three labels that open the parts of one item.
CA_LABEL = re.compile(r"^[ \t]*Claims\s+Administrator\s+guidelines?\s*:", IGNORE_CASE)
REVIEWER_LABEL = re.compile(r"^[ \t]*(?:MAXIMUS|Expert\s+Reviewer)\s+guidelines?\s*:", IGNORE_CASE)
RATIONALE_LABEL = re.compile(r"^[ \t]*Decision\s+rationale\s*:", IGNORE_CASE)

# The decision of an item.
_OUTCOME = r"(?P<outcome>Upheld|Overturned)"
# The colon and outcome that end a decision heading line. Found from the colon (a literal the
# engine skips to), it tells where OUTCOME_TAIL's head ends without trying every position.
_COLON_OUTCOME = r":[ \t]*" + _OUTCOME + r"[ \t]*$"
COLON_OUTCOME = re.compile(_COLON_OUTCOME, IGNORE_CASE)
# A decision heading line: "<treatment>: Upheld" (also "is: Overturned"); the treatment may
# itself contain colons ("DOS: 11/14/16", "QTY: 2"), so only the last colon counts.
OUTCOME_TAIL = re.compile(r"^(?P<head>.*?)[ \t]*" + _COLON_OUTCOME, IGNORE_CASE)
# The outcome alone on its line after a treatment that wrapped: "...knees:" / "Upheld".
OUTCOME_ALONE = re.compile(r"^[ \t]*" + _OUTCOME + r"[ \t]*$", IGNORE_CASE)
# The outcome at the end of the joined heading, with the "is" of "<request> is: Upheld".
# What may stand between the treatment and the outcome word: OUTCOME_END_GAP_CHARS (ASCII).
OUTCOME_END = re.compile(r"(?:[\s,]+is)?\s*:?\s*" + _OUTCOME + r"\s*\.?\s*$", IGNORE_CASE)
OUTCOME_END_GAP_CHARS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f,:isIS"  # ASCII \s, ",", ":", "is"

# Modified requests: "<X> was the original request. <Y> was authorized by the Claims
# Administrator. The remaining IMR eligible portion of the original request, <Z> is: Upheld".
# The disputed treatment is what follows the last "original request,".
ORIGINAL_REQUEST_COMMA = re.compile(r"original\s+request\s*,\s*", IGNORE_CASE)
WAS_ORIGINAL_REQUEST = re.compile(r"\bwas\s+the\s+original\s+request\b", IGNORE_CASE)

# A leading enumerator on a treatment: "1." / "2)".
TREATMENT_ENUMERATOR = re.compile(r"^\(?\d{1,2}[.)]\s+")

# A line that ends a sentence (so it cannot be the first part of a wrapped heading).
SENTENCE_END = re.compile(r"[.!?\"\u201d]\s*$")

# The text stops mid-sentence (a truncated extraction): no closing punctuation at the end.
CLOSED_TEXT = re.compile(r"[.!?\"'\u201d)\]]\s*$")

# --------------------------------------------------------------------------------------------
# Professional-review outcome words
# --------------------------------------------------------------------------------------------

# Explicit outcome on an issue line: "... - Upheld", "(Overturned)", "UPHOLD".
EXPLICIT_OUTCOME = re.compile(r"\b(upheld|uphold|overturned|overturn)\b", IGNORE_CASE)
# Conclusions in a rationale.
NOT_NECESSARY = re.compile(
    r"\b(?:is|are|was|were)\s+not\s+(?:medically\s+)?necessary\b", IGNORE_CASE
)
IS_NECESSARY = re.compile(r"\b(?:is|are|was|were)\s+(?:medically\s+)?necessary\b", IGNORE_CASE)
# Numbered entries of an issue list: "1. <treatment>" / "2) <treatment>".
NUMBERED_ENTRY = re.compile(r"^[ \t]*\(?(\d{1,2})[.)][ \t]+(.*)$", LINES)
