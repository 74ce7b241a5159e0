"""The request inside a treatment string: what the concept rules should read.

Letters frame some requests: "Associated surgical service: Cold therapy unit" (a service tied
to a surgery), modified requests ("X was the original request. The Claims Administrator
authorized Y ... The remaining IMR eligible portion of the original request, Z"),
"Retrospective request for ...", "DOS: 11/14/16". The parser usually keeps only the disputed
part, but older letters and hand-made records do not, so the rules strip the framing here and
remember what it said (a surgical service makes "labs" pre-operative labs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# "Associated surgical service(s): X", "Associated Surgical Services - X".
SURGICAL_SERVICE = re.compile(
    r"^\s*(?:\d{1,2}[.)]\s*)?associated\s+surgical\s+services?\s*[:\-\u2013]?\s*", re.IGNORECASE
)
# Words that put a request in a surgery's context.
SURGICAL_CONTEXT = re.compile(
    r"\b(?:pre[\s-]?op(?:erative(?:ly)?)?|pre[\s-]?surgical|surgical\s+services?)\b", re.IGNORECASE
)
# The disputed part of a modified request: after the last "original request," ...
AFTER_ORIGINAL = re.compile(r"original\s+request\s*[,:]\s*", re.IGNORECASE)
# ... or, when only the first sentence is there, what precedes "was the original request".
BEFORE_WAS_ORIGINAL = re.compile(r"^(?P<request>.*?)\s+was\s+the\s+original\s+request", re.I | re.S)
# Trailing outcome words and "is:" left on a heading.
TRAILING_OUTCOME = re.compile(r"(?:[\s,]+is)?\s*:?\s*(?:upheld|overturned)?\s*\.?\s*$", re.I)
# Leading "Retrospective (request for)", "Prospective request for", "Request for", "1 ".
LEADING_NOISE = re.compile(
    r"^\s*(?:(?:retro(?:spective)?|prospective|concurrent)\s*(?:request\s*)?(?:for\s+)?(?:the\s+)?"
    r"|(?:the\s+)?request\s+for\s+(?:the\s+)?|(?:a|an|the)\s+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Request:
    """A treatment string with its framing removed."""

    text: str  # the request itself, as written
    surgical_service: bool  # "Associated surgical service:" or a pre-operative request


@lru_cache(maxsize=4096)  # read three times per item by the derivation rules (indexer.derive)
def request_of(treatment: str) -> Request:
    """The request a treatment string disputes, and whether it is tied to a surgery."""
    text = " ".join((treatment or "").split())
    surgical = False
    prefix = SURGICAL_SERVICE.match(text)
    if prefix:
        text, surgical = text[prefix.end() :], True
    if "original request" in text.lower():
        text = _disputed_part(text)
        prefix = SURGICAL_SERVICE.match(text)
        if prefix:
            text, surgical = text[prefix.end() :], True
    text = TRAILING_OUTCOME.sub("", text).strip(" ,;:.")
    text = LEADING_NOISE.sub("", text, count=1)
    surgical = surgical or bool(SURGICAL_CONTEXT.search(text))
    return Request(text or " ".join((treatment or "").split()), surgical)


def _disputed_part(text: str) -> str:
    tails = list(AFTER_ORIGINAL.finditer(text))
    if tails and tails[-1].end() < len(text):
        return text[tails[-1].end() :]
    before = BEFORE_WAS_ORIGINAL.match(text)
    return before.group("request") if before else text


__all__ = ["Request", "request_of"]
