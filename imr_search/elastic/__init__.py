"""The Elasticsearch engine: the same product on a cluster (open_engine("http://host:9200/alias")).

engine.py          ElasticEngine: implements the Engine contract (imr_search.contract)
settings.py        URL, alias, credentials, TLS, timeouts (environment variables)
indices.py         versioned indices behind aliases; atomic swap for a rebuild
writer.py          bulk writes, stale items, duplicates, fingerprints last
compile.py         query language AST -> elasticsearch.dsl queries (no query_string)
facets.py          facet filters and terms aggregations (party facets flat), multi-select
search.py          the search (elasticsearch.dsl) and SearchResponse (highlights, outcome rate,
                   breakdown)
similar.py         more_like_this and "why it matched"
run.py             runs the searches: one answer, or every hit of a sorted walk (point in time)
faults.py          client exceptions -> EngineUnavailable with a next step

A real node for tests and benchmarks is dev machinery, outside the product: devtools/esnode.py.
"""
