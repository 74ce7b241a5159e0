"""An Atom feed of every search: its newest decisions, for a feed reader to follow.

    /feed.atom?<search params>[&limit=N]      the newest N (at most 50) decisions, by decision date

The feed takes the search page's parameters, so any search URL's query string works; it always
lists the newest decisions first (sort, page, per_page, facet_size and breakdown are accepted
and have no effect), at most FEED_MAX_ENTRIES. Bad parameters get 400 with a message, as on the
search page. The search page links it (`<link rel="alternate" type="application/atom+xml">`
and "Follow this search").

Written by feedgenerator: Django's long-used feed writer as a standalone package, maintained
by the Pelican project (releases in 2025), pure Python, writing through the standard library's
XML generator (text always escaped). feedgen (python-feedgen) was the other candidate: its last
release (1.0.0, 2023) drops the rel and type of entry links, and it needs lxml. Each entry links
its item page by an absolute address, has the decision date as `updated` and a summary (the
request, the outcome, the guidelines each party relied on) as escaped HTML; its id is a
`urn:uuid:` name derived from the item id (the feed's from the search), so ids stay the same
across hosts, restarts and re-indexing and a reader never shows a decision twice. Characters
XML 1.0 cannot hold (control characters from a PDF) are left out.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import replace

from flask import Blueprint, Response, request
from markupsafe import Markup, escape

from imr_search.contract import SearchResponse
from mappings.schema import ItemDocument
from search_ui import backend
from search_ui.facets import PARTY_LABELS, active_filters, value_label
from search_ui.params import SearchState, parse_int, parse_search_args
from search_ui.presentation import format_date, item_url, search_url

bp = Blueprint("feed", __name__)

FEED_MAX_ENTRIES = 50
ATOM = "application/atom+xml"
# The namespace of the feed's and entries' urn:uuid ids (uuid5 of "item:<id>", "search:<qs>").
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:imr-precedent-search")
OUTCOME_MEANING = {
    "Upheld": "the denial stands",
    "Overturned": "the treatment is found medically necessary",
}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def canonical(state: SearchState) -> SearchState:
    """The search a feed follows: what it finds, not how a page of it is shown."""
    return SearchState(query=state.query, filters=state.filters, decisions=state.decisions)


def feed_url(state: SearchState) -> str:
    """The feed of a search (relative)."""
    return search_url(canonical(state), "feed.feed")


def feed_title(state: SearchState) -> str:
    """'IMR decisions: “lumbar fusion”; Outcome: Overturned' (or '...: all decisions')."""
    parts = [f"“{state.query}”"] if state.query else []
    parts += [f"{c.facet_label}: {c.label}" for c in active_filters(state, lambda _: "")]
    if state.query and state.decisions != "all":
        which = "about" if state.decisions == "about" else "that only mention"
        parts.append(f"only the decisions {which} it")
    return "IMR decisions: " + ("; ".join(parts) if parts else "all decisions")


def entry_id(item_id: str) -> str:
    return uuid.uuid5(ID_NAMESPACE, f"item:{item_id}").urn


def decided(doc: ItemDocument) -> dt.datetime:
    """When a decision was made (a letter without a readable date: its assignment or receipt)."""
    letter = doc.letter
    for value in (letter.decision_date, letter.date_assigned, letter.application_received):
        try:
            day = dt.date.fromisoformat((value or "")[:10])
        except ValueError:
            continue
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return _EPOCH


def summary(doc: ItemDocument) -> Markup:
    """The request, the outcome and the guidelines each party relied on, a line each (HTML,
    every stored text escaped)."""
    request_ = doc.request.phrase or doc.treatment
    lines = [
        f"Request: {doc.treatment} ({request_}; {value_label('category', doc.category)}).",
        f"Outcome: {doc.outcome} ({OUTCOME_MEANING.get(doc.outcome, doc.outcome)}).",
    ]
    for party in ("reviewer", "claims_administrator"):
        labels = dict.fromkeys(c.label for c in doc.citations if c.party == party and c.label)
        if labels:
            lines.append(f"{PARTY_LABELS[party]} relied on: {'; '.join(labels)}.")
        elif party in doc.cited_nothing:
            lines.append(f"{PARTY_LABELS[party]} cited no medical evidence.")
    case = doc.letter.case_number or doc.letter_id
    lines.append(f"Case {case}, decided {format_date(doc.letter.decision_date)}.")
    return Markup("<br>").join(escape(xml_text(line)) for line in lines)


def build(state: SearchState, response: SearchResponse, limit: int) -> str:
    """The Atom document of a search's newest decisions."""
    from feedgenerator import Atom1Feed  # imported with the first feed, not with the app

    base = request.host_url.rstrip("/")
    subtitle = (
        f"The newest decisions of this search by decision date (at most {limit}; "
        f"{response.total:,} in all), from IMR precedent search."
    )
    feed = Atom1Feed(
        title=xml_text(feed_title(state)),
        link=base + search_url(canonical(state)),
        description=subtitle,
        subtitle=subtitle,
        language="en",
        feed_url=base + feed_url(state),
        feed_guid=uuid.uuid5(ID_NAMESPACE, "search:" + canonical(state).query_string()).urn,
        author_name="IMR precedent search",
    )
    for hit in response.hits:
        doc = hit.doc
        when = decided(doc)
        feed.add_item(
            title=xml_text(f"{doc.treatment}: {doc.outcome}"),
            link=base + item_url(doc.id),
            description=str(summary(doc)),
            unique_id=entry_id(doc.id),
            pubdate=when,
            updateddate=when,
            categories=[doc.outcome, xml_text(value_label("category", doc.category))],
        )
    document: str = feed.writeString("utf-8")
    return document


@bp.get("/feed.atom")
def feed() -> Response:
    state = parse_search_args(request.args, allowed_extra=("limit",))
    limit = parse_int(request.args, "limit", FEED_MAX_ENTRIES, 1, FEED_MAX_ENTRIES)
    state = replace(canonical(state), sort="date", per_page=limit, facet_size=0, breakdown=None)
    req = state.request(page=1, highlight=False)
    response = backend.run(lambda e: e.search(req))
    resp = Response(build(state, response, limit).encode("utf-8"), mimetype=ATOM)
    resp.headers["Link"] = f'<{search_url(canonical(state))}>; rel="alternate"; type="text/html"'
    resp.add_etag()  # feed readers poll: an unchanged feed is a 304
    resp.make_conditional(request)
    return resp
