"""Common grams on Elasticsearch: the index definition carries the shipped list, and a phrase
searched through the grams (the fields' search analyzer) finds exactly the items the phrase of
words finds (the plain analyzer), on generated and real letters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from test_common_grams import PHRASES, REAL, corpus_phrases, generated, real

from imr_search.contract import SourceDocuments
from imr_search.engines import open_engine
from mappings.analysis import INDEX_ANALYZER, PLAIN_ANALYZER, SEARCH_ANALYZER
from mappings.common_grams import common_grams_version, common_words
from mappings.elastic import index_definition
from mappings.fields import SEARCH_FIELDS


def test_definition_carries_the_list() -> None:
    definition = index_definition()
    analysis = definition["settings"]["analysis"]
    filters = analysis["filter"]
    assert filters["imr_common_grams"]["common_words"] == list(common_words())
    assert filters["imr_common_grams_query"]["common_words"] == list(common_words())
    assert filters["imr_common_grams_query"]["query_mode"] is True
    assert "imr_common_grams" in analysis["analyzer"][INDEX_ANALYZER]["filter"]
    assert "imr_common_grams_query" in analysis["analyzer"][SEARCH_ANALYZER]["filter"]
    assert "imr_common_grams" not in analysis["analyzer"][PLAIN_ANALYZER]["filter"]
    mapping = definition["mappings"]
    assert mapping["_meta"]["common_grams_version"] == common_grams_version()
    treatment = mapping["properties"]["treatment"]
    assert (treatment["analyzer"], treatment["search_analyzer"]) == (
        INDEX_ANALYZER,
        SEARCH_ANALYZER,
    )


@pytest.fixture(scope="module")
def es_index(es_url: str) -> Iterator[tuple[Any, str, list[SourceDocuments]]]:
    from elasticsearch import Elasticsearch

    docs = generated(150, 5) + (real() if REAL.is_dir() else [])
    target = f"{es_url.rstrip('/')}/imr-grams-{uuid.uuid4().hex[:10]}"
    engine = open_engine(target, writable=True)
    try:
        assert engine.write(docs) == []
        engine.finish()
        client = Elasticsearch(es_url, request_timeout=60)
        yield client, target.rsplit("/", 1)[1], docs
        client.close()
    finally:
        engine.close()
        from imr_search.elastic import indices

        client = Elasticsearch(es_url, request_timeout=60)
        indices.drop(client, target.rsplit("/", 1)[1])
        client.close()


def _ids(client: Any, index: str, field: str, text: str, analyzer: str | None) -> set[str]:
    phrase: dict[str, Any] = {"query": text}
    if analyzer is not None:
        phrase["analyzer"] = analyzer
    query: dict[str, Any] = {"match_phrase": {field: phrase}}
    if field.startswith("citations."):
        query = {"nested": {"path": "citations", "query": query}}
    answer = client.search(index=index, query=query, size=10_000, source=False)
    return {hit["_id"] for hit in answer["hits"]["hits"]}


@pytest.mark.elasticsearch
def test_phrases_through_grams_match_exactly(es_index: tuple[Any, str, Any]) -> None:
    client, index, docs = es_index
    fields = [name for f in SEARCH_FIELDS for name in f.es_fields]
    phrases = PHRASES + corpus_phrases(docs, 150, seed=3)
    with_grams = 0
    for text in phrases:
        tokens = client.indices.analyze(index=index, analyzer=SEARCH_ANALYZER, text=text)
        with_grams += any(t["type"] == "gram" for t in tokens["tokens"])
        for field in fields:
            found = _ids(client, index, field, text, None)  # the field's search analyzer
            assert found == _ids(client, index, field, text, PLAIN_ANALYZER), (field, text)
    assert with_grams > 100  # not vacuous
