"""Exports carry what people cite: the columns, the search, the time, and a name that says it.

CSV keeps a clean header row; the search and the export time travel in the file name and the
X-Search-Url / X-Exported-At headers (and in the JSON export's "search" object). Every export
(results, breakdown, citator, reasons) is named by search_ui.downloads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from test_api_routes import assert_error
from test_ui_corpus import FORMULA_RATIONALE, FORMULA_TREATMENT

from search_ui import downloads
from search_ui.export import COLUMN_NAMES

NAME = re.compile(r'attachment; filename="(imr-[a-z0-9-]+-(\d{4}-\d{2}-\d{2})\.(csv|json))"')


def rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def filename(resp) -> str:  # type: ignore[no-untyped-def]
    resp.get_data()  # a streamed export holds its slot until it is read
    resp.close()
    match = NAME.fullmatch(resp.headers["Content-Disposition"])
    assert match, resp.headers["Content-Disposition"]
    assert match.group(2) == resp.headers["X-Exported-At"][:10]
    return match.group(1)


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


# --- columns ----------------------------------------------------------------------------------


def test_csv_carries_dates_guidelines_sections_and_rationale(client: FlaskClient) -> None:
    found = rows(client, '/export.csv?q=rationale:"hardware block"')
    assert len(found) == 1
    row = found[0]
    assert list(row) == list(COLUMN_NAMES)
    assert row["id"] == "CM14-0000101-1"
    assert row["decision_date"] == "2014-03-12"
    assert row["date_of_injury"] == "2010-07-15"
    assert row["ur_denial_date"] == "2014-01-02"
    assert row["rationale"].startswith("This patient does not meet established criteria")
    assert "\n" in row["rationale"]  # the whole rationale, line breaks kept inside the cell
    assert "Hardware implant removal" in row["reviewer_guideline_sections"]
    assert "Low Back" in row["reviewer_guidelines"]
    assert row["url"] == "http://localhost/item/CM14-0000101-1"


def test_columns_choose_and_order_the_csv(client: FlaskClient) -> None:
    found = rows(client, "/export.csv?q=hardware&columns=url,outcome,id&columns=rationale")
    assert found and list(found[0]) == ["url", "outcome", "id", "rationale"]
    assert list(rows(client, "/export.csv?columns=id,id,+outcome+")[0]) == ["id", "outcome"]
    error = assert_error(client.get("/export.csv?columns=id,colour"), 400, "columns")
    assert "colour" in error["message"] and "rationale" in error["message"]
    assert_error(client.get("/export.csv?columns=,,"), 400, "columns")
    assert_error(client.get("/export.csv?columns=" + "id," * 400), 400, "columns")
    assert_error(client.get("/export.json?columns=id"), 400, "columns")  # CSV only


def test_new_text_columns_are_neutralised_for_spreadsheets(client: FlaskClient) -> None:
    found = rows(client, "/export.csv?q=compound")
    row = next(r for r in found if r["treatment"] == "'" + FORMULA_TREATMENT)
    assert row["rationale"] == "'" + FORMULA_RATIONALE
    for r in rows(client, "/export.csv"):
        for name, value in r.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)


# --- the search and the time ----------------------------------------------------------------


def test_csv_header_row_stays_clean_and_headers_carry_the_search(client: FlaskClient) -> None:
    resp = client.get("/export.csv?q=knee&outcome=Overturned&sort=date&page=3")
    assert resp.get_data(as_text=True).startswith("id,case_number,")
    resp.close()
    assert resp.headers["X-Search-Url"] == (
        "http://localhost/search?q=knee&outcome=Overturned&sort=date"
    )
    stamp = dt.datetime.strptime(resp.headers["X-Exported-At"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(stamp.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_json_export_echoes_the_search(client: FlaskClient) -> None:
    resp = client.get("/export.json?q=knee&outcome=Overturned&decisions=about&limit=3")
    body = json.loads(resp.get_data(as_text=True))
    search = body["search"]
    assert search["q"] == "knee" and search["filters"] == {"outcome": ["Overturned"]}
    assert search["sort"] == "relevance" and search["decisions"] == "about"
    assert search["url"] == "http://localhost/search?q=knee&outcome=Overturned&decisions=about"
    assert search["exported_at"] == resp.headers["X-Exported-At"]
    assert body["query"] == "knee" and body["limit"] == 3  # the earlier fields stay
    assert client.get(search["url"].removeprefix("http://localhost")).status_code == 200


def test_json_export_matches_the_published_schema(client: FlaskClient) -> None:
    from test_openapi import _validator

    spec = client.get("/api/openapi.json").json
    resp = client.get("/export.json?q=knee&outcome=Overturned&limit=3")
    body = json.loads(resp.get_data(as_text=True))
    errors = list(_validator(spec, "/export.json", "get", 200).iter_errors(body))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    columns = next(
        p for p in spec["paths"]["/export.csv"]["get"]["parameters"] if p["name"] == "columns"
    )
    assert columns["schema"]["items"]["enum"] == list(COLUMN_NAMES)


# --- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/export.csv?q=lumbar+fusion&outcome=Overturned", "imr-lumbar-fusion-overturned"),
        ("/export.json?q=lumbar+fusion&outcome=Overturned", "imr-lumbar-fusion-overturned"),
        ("/export.csv", "imr-all-decisions"),
        ("/export.csv?reviewer_guideline=ODG%3A+Low+Back&category=surgery&year=2014",
         "imr-surgery-odg-low-back-2014"),
        ('/export.csv?q=treatment:"facet+injection"+-knee', "imr-treatment-facet-injection-knee"),
        ("/export/breakdown.csv?q=knee&breakdown=year", "imr-outcomes-by-year-knee"),
        ("/export/breakdown.csv?outcome=Upheld", "imr-outcomes-by-reviewer-guideline-upheld"),
        ("/export/reasons.csv?q=injection", "imr-reasons-injection"),
        ("/export/guidelines.csv", "imr-guidelines"),
        ("/export/sections.csv", "imr-sections"),
        ("/export/guideline.csv?name=ODG%3A+Low+Back", "imr-guideline-odg-low-back"),
    ],
)  # fmt: skip
def test_files_are_named_after_their_search_and_day(
    client: FlaskClient, url: str, name: str
) -> None:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    ext = url.split("?")[0].rsplit(".", 1)[1]
    assert filename(resp) == f"{name}-{today()}.{ext}"
    assert "filename*" not in resp.headers["Content-Disposition"]  # plain ASCII names


def test_long_and_non_ascii_names_stay_bounded_and_readable(client: FlaskClient) -> None:
    resp = client.get("/export.csv?q=" + "arthroscopic+meniscectomy+" * 12)
    name = filename(resp)
    assert len(name) <= len("imr--2026-12-06.csv") + downloads.MAX_SLUG
    assert name.startswith("imr-arthroscopic-meniscectomy-arthroscopic")
    resp = client.get("/export.csv?q=cirugía+rodilla")
    value = resp.headers["Content-Disposition"]
    assert value.startswith(f'attachment; filename="imr-cirugia-rodilla-{today()}.csv"; ')
    encoded = value.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == f"imr-cirugía-rodilla-{today()}.csv"  # RFC 6266 / 8187


def test_names_never_carry_header_or_path_tricks() -> None:
    when = dt.datetime(2026, 12, 6, 17, 3, tzinfo=dt.UTC)
    value = downloads.attachment('x"; filename=evil.exe\r\nSet-Cookie: a', "../../etc", ext="csv",
                                 when=when)  # fmt: skip
    assert value == 'attachment; filename="imr-x-filename-evil-exe-set-cookie-a-etc-2026-12-06.csv"'
    assert downloads.download_name("膝", ext="csv", when=when, ascii_only=True) == (
        "imr-search-2026-12-06.csv"
    )
    assert downloads.download_name("膝", ext="csv", when=when) == "imr-膝-2026-12-06.csv"
    assert downloads.slug("Reviewer's guideline: ODG") == "reviewers-guideline-odg"
