"""The clinical vocabulary: transparent rules that read what a request, a letter or a pasted
text is about. Used by the indexer (to derive the facts documents carry) and by the search
(to read pasted text the same way); it imports nothing of the project.

    classify.py      category of a treatment, body regions it names (keyword tables)
    concepts.py      the kind of request: treatment concept, family, regions (data/*.json)
    injury.py        the injured body parts of a clinical summary's diagnosis statements
    request_text.py  the request inside a treatment string (framing stripped)
    findings.py      clinical findings a rationale or summary states ("no red flags")
    patterns.py      the regular expressions of these rules
"""
