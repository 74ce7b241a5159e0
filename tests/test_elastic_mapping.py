"""The Elasticsearch index definition and query compiler, checked without a node.

The index definition is derived from the item schema (mappings.schema): every field of the
stored document is mapped, with the elasticsearch.dsl type its annotation names; synonyms are
expanded by the query language only; the compiled DSL never passes user text to query_string.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

import pytest

from imr_search.elastic import facets
from imr_search.elastic.compile import compile_query
from imr_search.elastic.settings import DEFAULT_ALIAS, ConnectionSettings, IndexLayout
from imr_search.elastic.writer import OWNER_FIELD
from imr_search.errors import EngineUnavailable
from imr_search.query import parse_query
from imr_search.synonyms import expand_synonyms
from indexer.documents import item_document
from mappings.analysis import WORDS_ANALYZER
from mappings.elastic import PARTY_FACETS_FIELD, WORDS_FIELD, index_definition
from mappings.facets import (
    FACET_KEYS_FIELD,
    FACETS,
    PARTY_FACETS,
    facet_keys,
    index_field,
    party_facet_values,
)
from mappings.fields import SEARCH_FIELDS, VOCABULARY_FIELDS
from mappings.schema import Citation, ItemDocument, LetterContext, to_builtins
from synthetic.corpus import generate_letters


def raw_index_json() -> dict[str, Any]:
    return index_definition()


@pytest.mark.parametrize(
    ("cls", "path"),
    [(ItemDocument, ()), (LetterContext, ("letter",)), (Citation, ("citations",))],
)
def test_every_schema_field_is_mapped_as_its_annotation_says(cls: type, path: tuple) -> None:
    props = raw_index_json()["mappings"]["properties"]
    for part in path:
        props = props[part]["properties"]
    hints = typing.get_type_hints(cls, include_extras=True)
    for field in dataclasses.fields(cls):
        (declared,) = hints[field.name].__metadata__
        assert props[field.name]["type"] == declared.type, field.name
    extra = {OWNER_FIELD, WORDS_FIELD, PARTY_FACETS_FIELD, FACET_KEYS_FIELD}
    extra |= {f.flat for f in SEARCH_FIELDS if f.flat}
    assert set(props) - {f.name for f in dataclasses.fields(cls)} <= extra


def test_the_citation_texts_are_copied_flat_to_the_root() -> None:
    """Every citation's label and text reach `citation_text`: the label (a keyword with a
    text sub-field) is copied itself, as Elasticsearch copies no sub-field."""
    citations = raw_index_json()["mappings"]["properties"]["citations"]["properties"]
    assert citations["text"]["copy_to"] == "citation_text"
    assert citations["label"]["copy_to"] == "citation_text"
    assert "copy_to" not in citations["label"]["fields"]["text"]
    flat = raw_index_json()["mappings"]["properties"]["citation_text"]
    assert (flat["type"], flat["analyzer"]) == ("text", citations["text"]["analyzer"])


def test_the_vocabulary_texts_are_copied_to_the_unstemmed_words_field() -> None:
    definition = raw_index_json()
    props = definition["mappings"]["properties"]
    assert props[WORDS_FIELD] == {
        "type": "text",
        "analyzer": WORDS_ANALYZER,
        "index_options": "docs",
        "norms": False,
    }
    assert "porter_stem" not in definition["settings"]["analysis"]["analyzer"][WORDS_ANALYZER]
    copied = {
        path
        for path in ("treatment", "rationale", "letter.clinical_summary", "citations.text")
        if _at(props, path).get("copy_to") == WORDS_FIELD
    }
    assert copied == {f.es_fields[-1] for f in VOCABULARY_FIELDS}
    assert copied == {"treatment", "rationale", "letter.clinical_summary"}


def _at(props: dict[str, Any], dotted: str) -> dict[str, Any]:
    *parents, name = dotted.split(".")
    for part in parents:
        props = props[part]["properties"]
    found: dict[str, Any] = props[name]
    return found


def test_synonyms_are_expanded_once_by_the_query_language() -> None:
    analysis = raw_index_json()["settings"]["analysis"]
    # The only filters defined are the common grams (mappings.common_grams): no synonyms.
    types = {spec["type"] for spec in analysis.get("filter", {}).values()}
    assert types <= {"common_grams"}, "the analyzer must not add synonyms of its own"
    expanded = json.dumps(compile_query(expand_synonyms(parse_query("pt"))).to_dict())
    assert "physical therapy" in expanded


def _mapped_paths(properties: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, spec in properties.items():
        path = prefix + name
        paths.add(path)
        if "properties" in spec:
            paths |= _mapped_paths(spec["properties"], path + ".")
    return paths


def _doc_paths(doc: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, value in doc.items():
        path = prefix + name
        paths.add(path)
        if isinstance(value, dict):
            paths |= _doc_paths(value, path + ".")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for element in value:
                paths |= _doc_paths(element, path + ".")
    return paths


def test_every_document_field_is_mapped_and_mapping_is_strict() -> None:
    mapping = raw_index_json()["mappings"]
    assert mapping["dynamic"] == "strict"
    mapped = _mapped_paths(mapping["properties"])
    for letter in generate_letters(40, seed=3):
        for item in letter.items:
            missing = _doc_paths(to_builtins(item_document(letter, item))) - mapped
            assert not missing, f"item_document() fields not in index.json: {missing}"
    assert OWNER_FIELD in mapped


def test_every_facet_has_a_keyword_or_integer_field() -> None:
    props = raw_index_json()["mappings"]["properties"]

    def field_type(dotted: str) -> str:
        spec: dict[str, Any] = {"properties": props}
        for part in dotted.split("."):
            spec = spec["properties"][part]
        return spec["type"]

    for spec in FACETS:
        impl = facets.FACET_IMPLS[spec.name]
        assert field_type(impl.field) in ("keyword", "integer"), spec.name
    assert props["citations"]["type"] == "nested"
    assert props["letter"]["type"] == "object"


def _walk(node: Any) -> list[str]:
    keys: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            keys.append(key)
            keys += _walk(value)
    elif isinstance(node, list):
        for value in node:
            keys += _walk(value)
    return keys


@pytest.mark.parametrize(
    "text",
    [
        'knee "hardware block" -radiculopathy',
        "treatment:(knee OR hip) rationale:opioid* citation:ODG",
        'summary:"lumbar fusion" NOT (pt OR "physical therapy")',
        "a:b title:x",  # unknown scopes are refused by the parser
    ],
)
def test_compiled_queries_never_use_query_string(text: str) -> None:
    try:
        ast = expand_synonyms(parse_query(text))
    except Exception:
        return
    keys = _walk(compile_query(ast).to_dict())
    assert "query_string" not in keys and "simple_query_string" not in keys


def test_compile_shapes() -> None:
    q = compile_query(parse_query('citation:guideline -"hardware block"')).to_dict()
    must, must_not = q["bool"]["must"], q["bool"]["must_not"]
    assert must[0] == {
        "match": {"citation_text": {"query": "guideline", "operator": "and", "boost": 1.0}}
    }
    assert "nested" not in _walk(q)  # citations are searched in their flat copy
    assert "match_phrase" in json.dumps(must_not)
    unscoped = compile_query(parse_query("knee")).to_dict()
    fields = json.dumps(unscoped)
    for name in ("treatment", "rationale", "letter.clinical_summary", "citation_text"):
        assert name in fields
    prefix = compile_query(parse_query("therap*")).to_dict()
    assert "match_bool_prefix" in json.dumps(prefix)
    assert compile_query(None).to_dict() == {"match_all": {}}


def test_boosts_rank_treatment_over_rationale_over_summary() -> None:
    q = compile_query(parse_query("knee")).to_dict()
    boosts = {}
    for clause in q["bool"]["should"]:
        if "match" in clause:
            ((field, spec),) = clause["match"].items()
            boosts[field] = spec["boost"]
    assert boosts["treatment"] > boosts["rationale"] > boosts["letter.clinical_summary"]


def test_citation_facets_are_flat_terms_of_the_party_field() -> None:
    """One party's citation facets filter and count a flat keyword field holding exactly
    facet_values() ("none" included): no nested query or aggregation on the search path."""
    f = facets.FACET_IMPLS["reviewer_source"].filter(["none", "ODG"]).to_dict()
    assert f == {"terms": {f"{PARTY_FACETS_FIELD}.reviewer_source": ["none", "ODG"]}}
    for name in facets.FACET_IMPLS:
        aggs = json.dumps({k: a.to_dict() for k, a in facets.top_values(name, 5).items()})
        assert "nested" not in aggs, name
    mapping = raw_index_json()["mappings"]
    flat = mapping["properties"][PARTY_FACETS_FIELD]["properties"]
    assert set(flat) == {spec.name for spec in PARTY_FACETS}
    assert all(field["type"] == "keyword" for field in flat.values())
    assert PARTY_FACETS_FIELD in mapping["_source"]["excludes"]
    for spec in FACETS:  # every keyword facet builds its global ordinals at refresh
        if not spec.numeric:
            assert _at(mapping["properties"], index_field(spec))["eager_global_ordinals"], spec


def test_the_written_document_carries_the_flat_party_facets() -> None:
    from imr_search.elastic.writer import build_document
    from mappings.facets import facet_values

    seen: set[str] = set()
    for letter in generate_letters(40, seed=3):
        for item in letter.items:
            doc = item_document(letter, item)
            body = build_document("x.txt", doc)
            for spec in PARTY_FACETS:
                values = facet_values(doc, spec)
                assert body[PARTY_FACETS_FIELD][spec.name] == values
                seen.update(values)
    assert "none" in seen and "ODG" in seen  # both kinds of value occur


def test_the_written_document_carries_every_counted_facet_as_a_key() -> None:
    from imr_search.elastic.writer import build_document
    from mappings.facets import KEYED_FACETS, facet_values, split_facet_key

    assert {spec.name for spec in KEYED_FACETS} == {s.name for s in FACETS if not s.on_request}
    mapping = raw_index_json()["mappings"]
    assert mapping["properties"][FACET_KEYS_FIELD] == {
        "type": "keyword",
        "eager_global_ordinals": True,
    }
    assert FACET_KEYS_FIELD in mapping["_source"]["excludes"]
    with_colon = 0  # values holding the separator themselves (guideline titles) split right
    for letter in generate_letters(40, seed=3):
        for item in letter.items:
            doc = item_document(letter, item)
            keys = [split_facet_key(k) for k in build_document("x.txt", doc)[FACET_KEYS_FIELD]]
            expected = [
                (doc.outcome, s.name, v) for s in KEYED_FACETS for v in facet_values(doc, s)
            ]
            assert keys == expected
            with_colon += sum(":" in value for _, _, value in keys)
    assert with_colon


def test_connection_settings_from_target() -> None:
    s = ConnectionSettings.from_target("http://localhost:9200", env={})
    assert s.alias == DEFAULT_ALIAS and s.node_url == "http://localhost:9200"
    s = ConnectionSettings.from_target(
        "https://u:secret@es.example:9243/my-items",
        env={"IMR_SEARCH_ES_VERIFY_CERTS": "false", "IMR_SEARCH_ES_TIMEOUT": "5"},
    )
    assert s.alias == "my-items" and s.username == "u" and s.password == "secret"
    assert "secret" not in s.display and s.timeout == 5.0
    options = s.client_options()
    assert options["basic_auth"] == ("u", "secret") and options["verify_certs"] is False
    s = ConnectionSettings.from_target("http://h:9200/x", env={"IMR_SEARCH_ES_API_KEY": "abc"})
    assert s.client_options()["api_key"] == "abc"
    with pytest.raises(EngineUnavailable):
        ConnectionSettings.from_target("http://h:9200/Bad/Name", env={})


def test_a_target_may_name_every_node_of_a_cluster() -> None:
    s = ConnectionSettings.from_target("https://u:p%40ss@n1:9243,n2,[::1]:9201/items", env={})
    assert s.hosts == ("https://n1:9243", "https://n2:443", "https://[::1]:9201")
    assert s.node_url == "https://n1:9243" and s.alias == "items"
    assert s.username == "u" and s.password == "p@ss" and "p@ss" not in s.display
    assert s.display == "https://u:***@n1:9243,n2:443,[::1]:9201/items"
    options = s.client_options()
    assert options["hosts"] == list(s.hosts) and options["max_retries"] >= len(s.hosts) - 1
    for bad in ("http://n1:x/items", "http://n1:9200,:9201/items", "http://,/items"):
        with pytest.raises(EngineUnavailable):
            ConnectionSettings.from_target(bad, env={})


def test_index_layout_from_the_environment() -> None:
    def layout(**env: str) -> dict[str, object]:
        return IndexLayout.from_env("t", env).items_settings()

    assert layout() == {}
    assert layout(IMR_SEARCH_ES_SHARDS="3", IMR_SEARCH_ES_REPLICAS="2") == {
        "number_of_shards": 3,
        "number_of_replicas": 2,
        "auto_expand_replicas": "false",
    }
    assert layout(IMR_SEARCH_ES_REPLICAS="0-all") == {"auto_expand_replicas": "0-all"}
    for bad in ({"IMR_SEARCH_ES_SHARDS": "0"}, {"IMR_SEARCH_ES_SHARDS": "2000"}):
        with pytest.raises(EngineUnavailable, match="IMR_SEARCH_ES_SHARDS"):
            IndexLayout.from_env("t", bad)
    with pytest.raises(EngineUnavailable, match="IMR_SEARCH_ES_REPLICAS"):
        IndexLayout.from_env("t", {"IMR_SEARCH_ES_REPLICAS": "-1"})


def test_highlight_queries_are_flat_per_field_and_skip_exclusions() -> None:
    from imr_search.elastic.compile import highlight_queries

    queries = {
        field: query.to_dict()
        for field, query in highlight_queries(
            parse_query('treatment:knee "hardware block" -fusion')
        ).items()
    }
    text = json.dumps(queries)
    assert "fusion" not in text and "nested" not in text
    assert "knee" in json.dumps(queries["treatment"])
    assert "knee" not in json.dumps(queries["rationale"])
    assert set(queries) == {"treatment", "rationale", "letter.clinical_summary", "citations.text"}
    assert highlight_queries(parse_query("citation:odg")).keys() == {"citations.text"}
    assert highlight_queries(None) == {}


def test_the_id_filter_never_forgets_an_id_and_rarely_invents_one() -> None:
    from imr_search.elastic.writer import IdFilter

    seen = IdFilter()
    added = [f"CM{n:08d}-{n % 7 + 1}" for n in range(0, 200_000, 2)]
    for item_id in added:
        seen.add(item_id)
    assert all(item_id in seen for item_id in added)
    others = [f"CM{n:08d}-{n % 7 + 1}" for n in range(1, 200_000, 2)]
    assert sum(item_id in seen for item_id in others) <= 5


def test_the_bulk_body_is_the_document_encoded_once() -> None:
    from imr_search.elastic.writer import build_document, document_bytes

    letter = next(iter(generate_letters(1, seed=5)))
    doc = item_document(letter, letter.items[0])
    body = json.loads(document_bytes("/a/b.txt", doc))
    assert body == {
        **to_builtins(doc),
        OWNER_FIELD: "/a/b.txt",
        PARTY_FACETS_FIELD: party_facet_values(doc),
        FACET_KEYS_FIELD: facet_keys(doc),
    }
    assert build_document("/a/b.txt", doc) == body
