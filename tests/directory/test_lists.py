"""List endpoints: filters, pagination, a fixed number of SQL statements, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import bibtexparser
import pytest

from app.experts import services
from app.experts.schemas import ExpertSchema
from app.extensions import db
from tests import factories as f


@pytest.fixture
def network(db_session):
    """Ten Kazakh experts at one centre, each with a cross-border publication."""
    ru, kz = f.CentreFactory(country_code="RU"), f.CentreFactory(country_code="KZ")
    partner = f.ExpertFactory(country_code="RU")
    f.AffiliationFactory(expert=partner, centre=ru)
    experts = []
    for n in range(10):
        expert = f.ExpertFactory(country_code="KZ", topics=[f.TopicFactory()])
        f.AffiliationFactory(expert=expert, centre=kz)
        pub = f.PublicationFactory(year=2015 + n, topics=[f.TopicFactory()])
        f.AuthorshipFactory(publication=pub, expert=expert, centre=kz, position=1)
        f.AuthorshipFactory(publication=pub, expert=partner, centre=ru, position=2)
        experts.append(expert)
    # Committed (to the test's savepoint) as a real client's data would be: the ledger's
    # work at the commit belongs to the setup, not to the first request's count.
    db_session.commit()
    return {"ru": ru, "kz": kz, "experts": experts, "partner": partner}


# The most statements a full page of each list may run: the page, the eager loads of
# what its items show, and the count. (This network has no projects: their bound is the
# old one for every list.)
LISTS = {
    "/api/v1/experts": 3,
    "/api/v1/centres": 3,
    "/api/v1/publications": 4,
    "/api/v1/projects": 6,
}


@pytest.mark.parametrize("url", LISTS)
def test_lists_run_a_fixed_number_of_statements(client, network, count_queries, url):
    """However many items a page holds, the same statements; a page that ends the list
    (not full) needs no count."""
    counts: dict[bool, set[int]] = {}
    for size in (2, 20, 100):
        with count_queries() as counter:
            response = client.get(url, query_string={"page_size": size})
        assert response.status_code == 200
        counts.setdefault(len(response.get_json()) == size, set()).add(counter.count)
    assert all(len(seen) == 1 for seen in counts.values()), counts
    if len(counts) == 2:
        assert counts[True] == {n + 1 for n in counts[False]}, counts
    assert max(max(seen) for seen in counts.values()) <= LISTS[url]


def test_the_expert_list_reads_what_the_orm_would(client, network, db_session):
    """The API list reads its page as plain rows (``services.list_rows``): they dump as the
    ORM objects do, so a field added to ExpertSchema but not to that read fails here."""
    expert = network["experts"][0]
    expert.topics.append(f.TopicFactory())
    expert.user = f.UserFactory()
    f.AffiliationFactory(
        expert=expert,
        centre=network["ru"],
        position="Visiting fellow",
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2020, 6, 30),
    )
    # Undated, not assumed, a source: where each database sorts a null start, and JSON's
    # booleans (the page reads affiliations as JSON: app.core.sqljson).
    f.AffiliationFactory(
        expert=expert, centre=network["ru"], start_date=None, assumed=False, source="note 7"
    )
    db_session.commit()
    db_session.expire_all()
    stmt = services.list_query({"sort": "id"}).limit(100)
    schema = ExpertSchema(many=True)
    read = schema.dump(services.list_rows(stmt))
    # Compared as JSON too: in Python 1 == True and a date's ISO text is not a date.
    orm = schema.dump(db.session.scalars(stmt).all())
    assert read == orm and json.dumps(read) == json.dumps(orm)
    assert any(
        e["claimed"] and len(e["topic_ids"]) == 2 and len(e["affiliations"]) == 3 for e in read
    )
    answer = client.get("/api/v1/experts", query_string={"sort": "id", "page_size": 100})
    assert answer.get_json() == read


def test_filters_combine(client, network):
    kz = network["kz"].id
    experts = client.get(
        "/api/v1/experts", query_string={"country": "KZ", "centre": kz, "page_size": 50}
    ).get_json()
    assert {e["id"] for e in experts} == {e.id for e in network["experts"]}
    elsewhere = {"country": "RU", "centre": kz}
    assert client.get("/api/v1/experts", query_string=elsewhere).get_json() == []
    pubs = client.get(
        "/api/v1/publications", query_string={"centre": kz, "year_from": 2018, "year_to": 2020}
    ).get_json()
    assert sorted(p["year"] for p in pubs) == [2018, 2019, 2020]
    assert (
        client.get(
            "/api/v1/publications", query_string={"centre": kz, "year_from": 2030}
        ).get_json()
        == []
    )


def test_pagination_header(client, network):
    response = client.get(
        "/api/v1/publications", query_string={"centre": network["kz"].id, "page_size": 3, "page": 2}
    )
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == 10 and meta["page"] == 2 and meta["total_pages"] == 4
    assert len(response.get_json()) == 3


def test_page_size_is_capped(client):
    assert client.get("/api/v1/experts", query_string={"page_size": 101}).status_code == 422


def test_sorting(client, network):
    years = [
        p["year"]
        for p in client.get(
            "/api/v1/publications", query_string={"centre": network["kz"].id, "sort": "year"}
        ).get_json()
    ]
    assert years == sorted(years)
    assert client.get("/api/v1/experts", query_string={"sort": "shoe_size"}).status_code == 422


def test_csv_export_streams_every_matching_row(client, network):
    response = client.get(
        "/api/v1/publications", query_string={"centre": network["kz"].id, "format": "csv"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 10
    assert rows[0]["title"].startswith("Test publication")


def test_csv_keeps_cyrillic(client):
    text = client.get("/api/v1/experts", query_string={"format": "csv", "country": "KZ"}).get_data(
        as_text=True
    )
    assert "Марат Шибутов" in text


def test_csl_json_and_bibtex_exports_parse(client):
    csl = client.get(
        "/api/v1/publications",
        query_string={"format": "csl-json", "year_from": 2018, "year_to": 2018},
    )
    items = json.loads(csl.get_data(as_text=True))
    assert items[0]["type"] == "report"
    assert [a["family"] for a in items[0]["author"]] == ["Shibutov", "Malyarchuk", "Solozobov"]
    assert items[0]["issued"] == {"date-parts": [[2018, 12, 10]]}
    bib = client.get("/api/v1/publications", query_string={"format": "bibtex", "year_to": 2019})
    library = bibtexparser.parse_string(bib.get_data(as_text=True))
    assert not library.failed_blocks
    assert len(library.entries) == 2
    assert any(
        "Shibutov, Marat" in e.fields_dict["author"].value
        for e in library.entries
        if "author" in e.fields_dict
    )


def _bibtex(client, year: int) -> str:
    response = client.get(
        "/api/v1/publications",
        query_string={"format": "bibtex", "year_from": year, "year_to": year},
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_bibtex_key_of_an_author_without_a_name(client, db_session):
    # A profile stored with a blank name before names had to be non-blank.
    pub = f.PublicationFactory(year=1903)
    f.AuthorshipFactory(publication=pub, expert=f.ExpertFactory(full_name=""))
    db_session.commit()  # to the test's savepoint; the rows reload as the request reads them
    library = bibtexparser.parse_string(_bibtex(client, 1903))
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [f"anon1903_{pub.id}"]


ODD_TEXTS = [
    "}{ {",
    "Smith and Sons",
    "50% of {trade} & $ costs \\ ~ -- ``quoted'' ?`",
    "Line\nbreak @misc(x) @comment{y}",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_bibtex_export_imports_back_as_it_was(caller, make_user, db_session, text):
    pub = f.PublicationFactory(
        year=1902,
        kind="report",
        title=f"Title {text}",
        venue=f"Venue {text}",
        url="https://example.org/%D0%9F~{x}",
        doi="10.5555/50%_of~x",
    )
    for position, name in enumerate((text, "Marat Testov", f"Org {text}"), start=1):
        f.AuthorshipFactory(publication=pub, position=position, expert=None, raw_name=name)
    db_session.flush()
    organiser = caller(make_user("organiser"))
    exported = _bibtex(organiser, 1902)
    assert not bibtexparser.parse_string(exported).failed_blocks
    db_session.delete(pub)
    response = organiser.post(
        "/api/v1/publications/import",
        query_string={"format": "bibtex"},
        data=exported.encode(),
        content_type="application/x-bibtex",
    )
    assert response.status_code == 201, response.get_json()
    (new_id,) = response.get_json()["publication_ids"]
    again = organiser.get(f"/api/v1/publications/{new_id}").get_json()
    assert again["title"] == " ".join(f"Title {text}".split())
    assert again["venue"] == " ".join(f"Venue {text}".split())
    assert again["url"] == "https://example.org/%D0%9F~%7Bx%7D"  # braces end a BibTeX value
    assert again["doi"] == "10.5555/50%_of~x"
    names = [" ".join(n.split()) for n in (text, "Marat Testov", f"Org {text}")]
    assert [a["name"] for a in again["authors"]] == names
