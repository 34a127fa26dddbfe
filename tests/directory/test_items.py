"""Items: detail views, duplicates, ETags, deletion."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import Authorship, Expert, Publication
from tests import factories as f


def test_expert_detail_shows_collaborators_across_the_border(client, db_session):
    shibutov = db_session.scalars(sa.select(Expert).filter_by(full_name="Marat Shibutov")).one()
    body = client.get(f"/api/v1/experts/{shibutov.id}").get_json()
    assert body["affiliations"][0]["centre_name"].startswith("International Institute")
    assert {p["year"] for p in body["publications"]} == {2018, 2023}
    names = {c["full_name"] for c in body["collaborators_abroad"]}
    assert names == {"N. Malyarchuk", "Yuri Solozobov"}


def test_centre_detail_shows_partners_abroad(client, db_session):
    kazakh = client.get("/api/v1/centres", query_string={"q": "IISPS"}).get_json()[0]
    body = client.get(f"/api/v1/centres/{kazakh['id']}").get_json()
    assert [e["full_name"] for e in body["experts"]] == ["Marat Shibutov"]
    partners = {p["acronym"]: p for p in body["partners_abroad"]}
    assert partners["KISI DIP"]["joint_publications"] == 1
    assert partners["KISI DIP"]["last_year"] == 2018


def test_centre_detail_lists_units(client):
    kisi = client.get("/api/v1/centres", query_string={"q": "KISI", "country": "RU"}).get_json()
    parent = next(c for c in kisi if c["parent_id"] is None)
    body = client.get(f"/api/v1/centres/{parent['id']}").get_json()
    assert len(body["units"]) == 2
    assert body["publication_count"] >= 7  # the sector's and the directorate's work counts


def test_creating_a_duplicate_expert_answers_409_with_candidates(caller, make_user):
    organiser = caller(make_user("organiser"))
    response = organiser.post(
        "/api/v1/experts", json={"full_name": "Шибутов Марат", "country": "KZ"}
    )
    assert response.status_code == 409
    candidates = response.get_json()["errors"]["candidates"]
    assert [c["full_name"] for c in candidates] == ["Marat Shibutov"]
    forced = organiser.post(
        "/api/v1/experts?force=true", json={"full_name": "Шибутов Марат", "country": "KZ"}
    )
    assert forced.status_code == 201


def test_creating_a_duplicate_centre_answers_409(caller, make_user):
    organiser = caller(make_user("organiser"))
    body = {
        "name_en": "Institute of Oriental Studies of the Russian Academy of Sciences",
        "country": "RU",
        "kind": "academic",
    }
    assert organiser.post("/api/v1/centres", json=body).status_code == 409
    minimal = organiser.post(
        "/api/v1/centres", json={"name_en": "Oral Policy Lab", "country": "KZ", "kind": "ngo"}
    )
    assert minimal.status_code == 201
    assert minimal.get_json()["country"] == "KZ"


def test_minimal_expert(caller, make_user):
    response = caller(make_user("organiser")).post(
        "/api/v1/experts", json={"full_name": "Ерлан Карин Тестов", "country": "KZ"}
    )
    assert response.status_code == 201
    assert response.headers["ETag"]


def test_stale_if_match_is_refused_with_412(caller, make_user, db_session):
    organiser = caller(make_user("organiser"))
    centre = f.CentreFactory()
    url = f"/api/v1/centres/{centre.id}"
    etag = organiser.get(url).headers["ETag"]
    first = organiser.patch(url, json={"city": "Omsk"}, headers={"If-Match": etag})
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    second = organiser.patch(url, json={"city": "Orenburg"}, headers={"If-Match": etag})
    assert second.status_code == 412
    assert organiser.delete(url, headers={"If-Match": etag}).status_code == 412
    assert organiser.get(url).get_json()["city"] == "Omsk"
    assert organiser.delete(url, headers={"If-Match": first.headers["ETag"]}).status_code == 204


def test_deleting_an_expert_keeps_their_works_as_raw_names(caller, make_user, db_session):
    expert = f.ExpertFactory(full_name="Departing Author")
    authorship = f.AuthorshipFactory(expert=expert)
    db_session.flush()
    assert caller(make_user("admin")).delete(f"/api/v1/experts/{expert.id}").status_code == 204
    db_session.expire_all()
    kept = db_session.get(Authorship, authorship.id)
    assert kept.expert_id is None and kept.raw_name == "Departing Author"


def test_publication_with_authors_and_conflicting_doi(caller, make_user, db_session):
    organiser = caller(make_user("organiser"))
    expert, centre = f.ExpertFactory(), f.CentreFactory()
    body = {
        "title": "Транскаспийский маршрут",
        "kind": "analysis",
        "year": 2024,
        "doi": "10.1234/TCM.2024",
        "authors": [{"expert_id": expert.id, "centre_id": centre.id}, {"name": "Ж. Исабаева"}],
    }
    created = organiser.post("/api/v1/publications", json=body)
    assert created.status_code == 201
    authors = created.get_json()["authors"]
    assert [a["position"] for a in authors] == [1, 2]
    assert authors[1] == {
        "position": 2,
        "expert_id": None,
        "name": "Ж. Исабаева",
        "organisation": False,
        "centre_id": None,
        # Written through the API: entered, not a seeded kind.
        "provenance": "entered",
        "source": None,
        "centre_provenance": "entered",
        "centre_source": None,
    }
    assert created.get_json()["doi"] == "10.1234/tcm.2024"
    again = organiser.post("/api/v1/publications", json={**body, "title": "Copy"})
    assert again.status_code == 409


def test_an_author_can_be_an_organisation_but_an_expert_cannot(caller, make_user, db_session):
    organiser = caller(make_user("organiser"))
    body = {"title": "Обзор", "kind": "report", "year": 2024}
    authors = [{"name": "Africa News", "organisation": True}, {"name": "Ж. Исабаева"}]
    created = organiser.post("/api/v1/publications", json={**body, "authors": authors})
    assert created.status_code == 201, created.get_json()
    shown = organiser.get(f"/api/v1/publications/{created.get_json()['id']}").get_json()
    assert [(a["name"], a["organisation"]) for a in shown["authors"]] == [
        ("Africa News", True),
        ("Ж. Исабаева", False),
    ]
    expert = f.ExpertFactory()
    bad = [{"expert_id": expert.id, "organisation": True}]
    refused = organiser.post("/api/v1/publications", json={**body, "authors": bad})
    assert refused.status_code == 422
    assert "organisation" in refused.get_json()["errors"]["json"]["authors"]["0"]


def test_bad_references_are_422_and_write_nothing(caller, make_user, db_session):
    organiser = caller(make_user("organiser"))
    before = db_session.scalar(sa.select(sa.func.count(Expert.id)))
    for body in (
        {"full_name": "X Y", "country": "ZZ"},
        {"full_name": "X Y", "country": "KZ", "topic_ids": [99999]},
        {"full_name": "X Y", "country": "KZ", "affiliations": [{"centre_id": 99999}]},
    ):
        assert organiser.post("/api/v1/experts", json=body).status_code == 422
    assert db_session.scalar(sa.select(sa.func.count(Expert.id))) == before


BLANKS = ["   ", "\u3000", "\t", "\x1c", "\u2028"]


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/experts?force=true", {"country": "KZ"}, "full_name"),
        ("/api/v1/centres?force=true", {"country": "KZ", "kind": "ngo"}, "name_en"),
        ("/api/v1/publications", {"kind": "report", "year": 2020}, "title"),
    ],
)
def test_a_blank_required_name_is_422_on_create(caller, make_user, url, body, field, blank):
    response = caller(make_user("organiser")).post(url, json={**body, field: blank})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"][field] == ["Must not be blank."]


@pytest.mark.parametrize(
    ("factory", "path", "changes"),
    [
        (f.ExpertFactory, "experts", {"full_name": " \u3000 "}),
        (f.ExpertFactory, "experts", {"other_names": ["Ok", "\t"]}),
        (f.CentreFactory, "centres", {"name_en": "\u2028"}),
        (f.CentreFactory, "centres", {"name_ru": "  "}),
        (f.PublicationFactory, "publications", {"title": "\x1c"}),
    ],
)
def test_a_blank_name_is_422_on_patch(caller, make_user, db_session, factory, path, changes):
    organiser, item = caller(make_user("organiser")), factory()
    url = f"/api/v1/{path}/{item.id}"
    etag = organiser.get(url).headers["ETag"]
    response = organiser.patch(url, json=changes, headers={"If-Match": etag})
    assert response.status_code == 422
    assert organiser.get(url).headers["ETag"] == etag


def test_names_are_stored_stripped(caller, make_user):
    response = caller(make_user("organiser")).post(
        "/api/v1/experts?force=true", json={"full_name": "\u3000Aigul Testova\t", "country": "KZ"}
    )
    assert response.status_code == 201
    assert response.get_json()["full_name"] == "Aigul Testova"


@pytest.mark.parametrize(
    "doi",
    [
        "10.1234/" + "d" * 300,
        "10.1234/" + "İ" * 247,  # 255 characters, but 502 once lower-cased as stored
    ],
)
def test_a_doi_longer_than_its_column_is_422(caller, make_user, db_session, doi):
    before = db_session.scalar(sa.select(sa.func.count(Publication.id)))
    response = caller(make_user("organiser")).post(
        "/api/v1/publications", json={"title": "t", "kind": "report", "year": 2020, "doi": doi}
    )
    assert response.status_code == 422
    assert "doi" in response.get_json()["errors"]["json"]
    assert db_session.scalar(sa.select(sa.func.count(Publication.id))) == before


def test_a_centres_city_is_written_in_each_language(caller, make_user):
    organiser = caller(make_user("organiser"))
    body = {"name_en": "Steppe Policy Lab", "country": "KZ", "kind": "independent"}
    body |= {"city": "Astana", "city_ru": "Астана", "city_kk": "Астана"}
    created = organiser.post("/api/v1/centres", json=body)
    assert created.status_code == 201, created.get_json()
    shown = organiser.get(f"/api/v1/centres/{created.get_json()['id']}").get_json()
    assert (shown["city"], shown["city_ru"], shown["city_kk"]) == ("Astana", "Астана", "Астана")
