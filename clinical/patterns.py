"""The regular expressions of the clinical rules (classify.py, concepts.py), commented."""

from __future__ import annotations

import re

IGNORE_CASE = re.IGNORECASE

# Digits: a quick test before looking for spinal levels.
DIGITS = re.compile(r"\d")

# A word for keyword lookup: letters and digits (the text is lower-cased first).
WORD = re.compile(r"[a-z0-9]+")


# Medication strengths and quantities: "10/325mg", "5%", "37.5 mg", "240g", "#60", "1cc".
DOSAGE = re.compile(
    r"\b\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?\s*(?:mg|mcg|g|gm|ml|cc|%|percent|units?|iu)\b|%|#\s*\d+",
    IGNORE_CASE,
)

# Spinal levels: "L4-5", "L5-S1", "C5-C6", "T12-L1", "L4"; one pattern, the group names the
# region (a thoracolumbar "T12-L1" is found as thoracic).
SPINE_LEVEL = re.compile(
    r"\b(?:(?P<cervical>C[1-7](?:\s*-\s*C?[1-7]|\s*-\s*T1)?)"
    r"|(?P<thoracic>T(?:1[0-2]|[1-9])(?:\s*-\s*(?:T?(?:1[0-2]|[1-9])|L1))?)"
    r"|(?P<lumbar>L[1-5](?:\s*-\s*(?:L?[1-5]|S1))?|S1))\b"
)
