"""The embedded engine: SQLite FTS5 in one file (the default; nothing to install).

engine.py    SqliteEngine: implements the Engine contract by wiring the parts below
schema.py    the file: tables, FTS5 settings, pragmas, schema version, transactions (atomic)
rows.py      an ItemDocument as a row of `items`, and back
writer.py    transactional batch writes, replacement, deletion, duplicate detection
postings.py  facet values as bitsets: facet counts and filters in microseconds
compiler.py  query AST -> FTS5 MATCH (every word quoted)
search.py    search: match set, filters, facet counts, ordering, cost guard
marking.py   highlighted treatments, snippets and whole texts (FTS5 highlight/snippet)
cache.py     the per-generation cache of what searches compute (MATCH_CACHE)
similar.py   similar prior cases (tf-idf terms of an item or a text, ranked by bm25)
"""
