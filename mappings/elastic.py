"""The Elasticsearch index definition, derived from the item schema (mappings.schema).

Every field's elasticsearch.dsl field is built from the `Indexed` metadata of its schema
annotation; nested and object fields take their properties from the nested type. Settings
come from here, the analysis from mappings.analysis. `python -m mappings` prints the whole
definition.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from functools import cache
from typing import Any, get_args

from elasticsearch.dsl import Field, Index, Keyword, Mapping, Object, Text

from mappings.analysis import ANALYZER, FILTER, TOKENIZER, WORDS_ANALYZER
from mappings.common_grams import common_grams_version
from mappings.facets import (
    FACET_KEYS_FIELD,
    INDEXED_FACETS,
    PARTY_FACETS,
    PARTY_FACETS_FIELD,
    index_field,
)
from mappings.fields import SEARCH_FIELDS, VOCABULARY_FIELDS
from mappings.schema import Indexed, ItemDocument, english_text

# Bump when the definition changes in a way an existing index cannot follow; the engine then
# asks for a re-index (indices are versioned behind an alias).
# 3: the `words` field (spelling suggestions).
# 4: `party_facets` (one party's citation facets, flat) and eager global ordinals on facets.
# 5: `facet_keys` (every facet counted by default in one field, counted by one aggregation).
# 6: common grams (mappings.analysis): the text fields' index and search analyzers.
# 7: the citations' texts copied flat to the root (mappings.fields.SearchField.flat).
SCHEMA_VERSION = 7
DEFAULT_ALIAS = "imr-items"  # the alias searches and writes use
# Engine bookkeeping stored beside the document (the source file as the indexer named it),
# left out of every read.
OWNER_FIELD = "indexed_from"
# The unstemmed words of the vocabulary texts (mappings.fields.VOCABULARY_FIELDS), copied
# there at index time: what "did you mean" suggests from. Not in _source, never read back.
WORDS_FIELD = "words"
_COPIED_TO_WORDS = frozenset(f.es_fields[-1] for f in VOCABULARY_FIELDS)
# Nested texts copied to a field at the root, searched there (mappings.fields.SearchField.flat).
_COPIED_FLAT = {name: f.flat for f in SEARCH_FIELDS if f.flat for name in f.es_fields}
# Keyword facets (mappings.facets) build their global ordinals at refresh, not at the first
# search after it: every search counts every facet.
_EAGER = frozenset(index_field(f) for f in INDEXED_FACETS if not f.numeric)

SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",
    "refresh_interval": "1s",
    "max_result_window": 10000,
}
ABOUT = (
    "One document per disputed IMR item (mappings.schema.ItemDocument). Text fields use "
    "imr_english: Unicode word tokens (the query language's own word rule), lowercase, accents "
    "folded, Porter stemming, no stop words, common grams (searched with imr_english_search, "
    "their query mode: a phrase of common words is a term). Synonyms are expanded by the query "
    "language, not by the analyzer. Every facet is a keyword field; citations are nested so "
    "'who cited what' stays within one citation, and each party's citation facets are also "
    f"stored flat in {PARTY_FACETS_FIELD} (mappings.facets.party_facet_values; indexed, not in "
    f"_source) so that facets need no nested aggregation; {FACET_KEYS_FIELD} holds every facet "
    "counted by default once more, prefixed by the facet's name (mappings.facets.facet_keys), "
    "counted by one aggregation. The citations' labels and texts are copied flat to "
    f"{', '.join(sorted(set(_COPIED_FLAT.values())))} (copy_to, not in _source), where "
    "words search them without a nested query. "
    f"{OWNER_FIELD} (the source file as the indexer named it) is "
    f"the engine's bookkeeping, left out of every read. {WORDS_FIELD} holds the unstemmed "
    "words of the treatment, rationale and clinical summary (copy_to), for spelling "
    "suggestions."
)


def _inner_type(hint: Any) -> type:
    """The dataclass inside Annotated[tuple[X, ...] | None, ...] and similar hints."""
    stack = [hint]
    while stack:
        current = stack.pop()
        if dataclasses.is_dataclass(current) and isinstance(current, type):
            return current
        stack.extend(get_args(current))
    raise TypeError(f"no dataclass in {hint!r}")


def dsl_field(
    indexed: Indexed,
    properties: dict[str, Field] | None = None,
    copy_to: str | None = None,
    eager: bool = False,
    path: str = "",
) -> Field:
    """The elasticsearch.dsl field an `Indexed` describes (sub-fields included; `path`: its
    dotted path, which says what its sub-fields are copied to)."""
    options = dict(indexed.options)
    if "fields" in options:
        options["fields"] = {name: dsl_field(sub) for name, sub in options["fields"].items()}
        # Elasticsearch copies no sub-field: its parent's value is copied (the same text,
        # analysed by the target field).
        copy_to = copy_to or next(
            filter(None, (_copied_to(f"{path}.{n}") for n in options["fields"])), None
        )
    if copy_to is not None:
        options["copy_to"] = copy_to
    if eager:
        options["eager_global_ordinals"] = True
    if properties is not None:
        options["properties"] = properties
    field: Field = Field.get_dsl_class(indexed.type)(**options)
    return field


def _copied_to(path: str) -> str | None:
    """The field the field at `path` is copied to, if any."""
    return WORDS_FIELD if path in _COPIED_TO_WORDS else _COPIED_FLAT.get(path)


def properties(cls: type, prefix: str = "") -> dict[str, Field]:
    """name -> elasticsearch.dsl field for every field of a schema dataclass (`prefix`: the
    dotted path of the object it sits in)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    out: dict[str, Field] = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        meta = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Indexed)]
        if len(meta) != 1:
            raise TypeError(f"{cls.__name__}.{f.name} needs exactly one Indexed annotation")
        inner = None
        path = prefix + f.name
        if meta[0].type in ("nested", "object"):
            inner = properties(_inner_type(get_args(hint)[0]), path + ".")
        out[f.name] = dsl_field(meta[0], inner, _copied_to(path), path in _EAGER, path)
    return out


def mapping() -> Mapping:
    """The mapping of the items index, strict, with its bookkeeping field."""
    m = Mapping()
    m.meta("dynamic", "strict")
    m.meta(
        "_meta",
        {
            "about": ABOUT,
            "schema_version": SCHEMA_VERSION,
            # The list of common words its analyzers were built with (they carry the words).
            "common_grams_version": common_grams_version(),
        },
    )
    for name, field in properties(ItemDocument).items():
        m.field(name, field)
    m.field(
        PARTY_FACETS_FIELD,
        Object(properties={f.name: Keyword(eager_global_ordinals=True) for f in PARTY_FACETS}),
    )
    m.field(FACET_KEYS_FIELD, Keyword(eager_global_ordinals=True))
    # derived: never read back
    m.meta("_source", {"excludes": [PARTY_FACETS_FIELD, FACET_KEYS_FIELD]})
    m.field(OWNER_FIELD, Keyword())
    m.field(WORDS_FIELD, Text(analyzer=WORDS_ANALYZER, index_options="docs", norms=False))
    for flat in sorted(set(_COPIED_FLAT.values())):
        m.field(flat, dsl_field(english_text()))  # derived (copy_to): not in _source
    return m


@cache
def _definition() -> dict[str, Any]:
    index = Index(DEFAULT_ALIAS)
    index.settings(
        index=SETTINGS,
        analysis={"tokenizer": TOKENIZER, "filter": FILTER, "analyzer": ANALYZER},
    )
    index.mapping(mapping())
    return index.to_dict()


def index_definition() -> dict[str, Any]:
    """Settings and mappings as sent to `indices.create` (a fresh copy each call)."""
    return copy.deepcopy(_definition())


__all__ = [
    "DEFAULT_ALIAS",
    "PARTY_FACETS_FIELD",
    "OWNER_FIELD",
    "SCHEMA_VERSION",
    "WORDS_FIELD",
    "index_definition",
    "mapping",
]
