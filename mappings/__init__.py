"""The item schema and the index definition: what is stored, and how it is searched.

    schema.py     ItemDocument, LetterContext, Citation: the one definition of a stored item
                  (frozen dataclasses; msgspec encodes and decodes them)
    fields.py     the searchable fields: query scopes, weights, Elasticsearch paths
    facets.py     the facets and the reference of each document's facet values
    analysis.py   the text analysis (tokenizer, stemming) of the Elasticsearch index
    elastic.py    the Elasticsearch index definition, derived from schema.py
    synonyms.py   the shared synonym list (synonyms.txt)
    common_grams.py  the common words whose pairs both engines index as one term
                  (common_grams.txt, derived by scripts/derive_common_grams.py)

This package imports nothing else of the project: every other layer builds on it.
`python -m mappings` prints the Elasticsearch index definition.
"""
