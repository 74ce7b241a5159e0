"""Synthetic IMR letters for demos, tests and benchmarks; the parser never imports this.

corpus.py      generate_letters, write_corpus (what `imr-search generate` runs)
letters.py     one letter's ground truth (an `indexer.records.Letter`) from a seeded stream
treatments.py  the requested items: treatment wording, category, body regions
citations.py   the guideline citations each decision relies on
prose.py       case summary and rationale sentences
render.py      a record as the text of one layout, with optional extraction noise
pdfwrite.py    a tiny deterministic PDF writer for the PDF share of a corpus
vocabulary.py  named, typed access to the word lists in data/vocabulary.json
"""
