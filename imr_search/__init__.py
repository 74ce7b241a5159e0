"""The search library: the query language, the engine contract and the two engines.

    query.py      the query language: one parser, an AST every engine compiles
    synonyms.py   query-time synonym expansion (mappings/synonyms.txt), once for both engines
    contract.py   the Engine protocol, its requests and typed responses
    marks.py      marked text: how engines say which words matched, without markup
    errors.py     the errors people see (each says what to do next)
    engines.py    opening an engine for a target (file path or URL)
    sqlite/       the embedded engine (SQLite FTS5)
    elastic/      the Elasticsearch engine

It imports only `mappings` (the item schema): the indexer, the web UI and the CLI build on it.
"""
