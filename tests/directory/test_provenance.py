"""The API shows where each record and fact comes from, and lets no one write it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.models import Centre, Expert, Forum, ForumSeries, Publication, Topic
from tests import factories as f


def one(db_session, model, **where):
    return db_session.scalars(sa.select(model).filter_by(**where)).one()


def test_a_seeded_expert_shows_each_facts_provenance(client, db_session):
    nursha = one(db_session, Expert, full_name="Askar Nursha")
    body = client.get(f"/api/v1/experts/{nursha.id}").get_json()
    assert (body["provenance"], body["topics_provenance"]) == ("report", "editorial")
    assert "Cambiamenti in ritardo" in body["source"]
    by_kind = {a["provenance"]: a for a in body["affiliations"]}
    assert by_kind.keys() == {"report", "public"}
    named = by_kind["report"]  # the report names him with KazISS, undated
    assert (named["start_date"], named["end_date"], named["assumed"]) == (None, None, False)
    dated = by_kind["public"]  # a public biography dates an earlier post
    assert (dated["start_date"], dated["end_date"]) == ("2011-01-01", "2012-12-31")
    assert "voicesoncentralasia.org" in dated["source"]


def test_note_3_shows_its_authors_from_the_report_and_their_centres_inferred(client, db_session):
    note_3 = one(db_session, Publication, url="https://regnum.ru/article/2534699")
    body = client.get(f"/api/v1/publications/{note_3.id}").get_json()
    assert (body["provenance"], body["source"]) == ("report", "note 3")
    assert [a["provenance"] for a in body["authors"]] == ["report"] * 3
    centres = {
        a["name"]: (a["centre_id"] is not None, a["centre_provenance"]) for a in body["authors"]
    }
    assert centres == {
        "Marat Shibutov": (True, "editorial"),
        "N. Malyarchuk": (False, "report"),  # no centre: nothing to infer
        "Yuri Solozobov": (True, "editorial"),
    }


@pytest.mark.parametrize(
    ("model", "where", "url", "kind"),
    [
        (
            Centre,
            {"name_ru": "Сектор Казахстана Каспийского института стратегических исследований"},
            "/api/v1/centres/{}",
            "public",
        ),
        (Centre, {"acronym": "KazISS"}, "/api/v1/centres/{}", "report"),
        (ForumSeries, {"slug": "strategic-cooperation-forum"}, "/api/v1/forum-series/{}", "report"),
        (Forum, {"year": 2027}, "/api/v1/forums/{}", "placeholder"),
    ],
)
def test_seeded_records_show_their_provenance(
    caller, make_user, db_session, model, where, url, kind
):
    record = one(db_session, model, **where)
    response = caller(make_user("organiser")).get(url.format(record.id))  # drafts too
    assert response.status_code == 200
    body = response.get_json()
    assert body["provenance"] == kind and body["source"]


def test_topics_show_the_reports_section(client, db_session):
    body = client.get("/api/v1/topics", query_string={"per_page": 100}).get_json()
    items = body["items"] if isinstance(body, dict) else body
    migration = next(t for t in items if t["slug"] == "migration")
    assert migration["provenance"] == "report"
    assert "Cause dell" in migration["source"]
    assert one(db_session, Topic, slug="migration").provenance == "report"


def test_what_users_enter_is_entered_and_an_undated_affiliation_assumed(caller, make_user):
    organiser = caller(make_user("organiser"))
    centre = f.CentreFactory()
    body = {
        "full_name": "Айгерим Сейткали",
        "country": "KZ",
        "affiliations": [{"centre_id": centre.id}],
    }
    created = organiser.post("/api/v1/experts", json=body)
    assert created.status_code == 201
    expert = created.get_json()
    assert (expert["provenance"], expert["source"], expert["topics_provenance"]) == (
        "entered",
        None,
        "entered",
    )
    (affiliation,) = expert["affiliations"]
    assert (affiliation["provenance"], affiliation["assumed"]) == ("entered", True)


def test_an_edit_keeps_the_provenance_of_the_affiliations_it_leaves_as_they_were(
    caller, make_user, db_session
):
    # Sending the profile's affiliations back with one more (as a form would) once made
    # every row "entered", its source gone, and the report's undated tie "assumed".
    nursha = one(db_session, Expert, full_name="Askar Nursha")
    organiser = caller(make_user("admin"))
    path = f"/api/v1/experts/{nursha.id}"
    shown = organiser.get(path)
    fields = ("centre_id", "position", "start_date", "end_date")
    rows = [{k: a[k] for k in fields} for a in shown.get_json()["affiliations"]]
    new = {"centre_id": f.CentreFactory().id, "position": "Visiting fellow"}
    db_session.flush()
    edited = organiser.patch(
        path, json={"affiliations": [*rows, new]}, headers={"If-Match": shown.headers["ETag"]}
    )
    assert edited.status_code == 200, edited.get_json()
    after = {a["provenance"]: a for a in edited.get_json()["affiliations"]}
    before = {a["provenance"]: a for a in shown.get_json()["affiliations"]}
    assert after["report"] == before["report"] and after["public"] == before["public"]
    assert after["report"]["assumed"] is False
    assert (after["entered"]["position"], after["entered"]["assumed"]) == ("Visiting fellow", True)
    # Said outright, "assumed" is the editor's to change.
    rows[0]["assumed"] = not before[shown.get_json()["affiliations"][0]["provenance"]]["assumed"]
    again = organiser.patch(
        path, json={"affiliations": rows}, headers={"If-Match": edited.headers["ETag"]}
    )
    assert again.get_json()["affiliations"][0]["assumed"] is rows[0]["assumed"]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/experts", {"full_name": "X Y", "country": "KZ", "provenance": "report"}),
        ("/api/v1/experts", {"full_name": "X Y", "country": "KZ", "topics_source": "note 1"}),
        (
            "/api/v1/publications",
            {
                "title": "T",
                "kind": "article",
                "year": 2024,
                "authors": [{"name": "A", "centre_provenance": "report"}],
            },
        ),
        (
            "/api/v1/centres",
            {"name_en": "C", "country": "KZ", "kind": "state", "provenance": "public"},
        ),
    ],
)
def test_provenance_cannot_be_written(caller, make_user, url, body):
    """Read-only: the seeds set it, and what users write is entered."""
    organiser = caller(make_user("admin"))
    response = organiser.post(url, json=body)
    assert response.status_code == 422
    errors = json.dumps(response.get_json()["errors"])
    assert "Unknown field" in errors
    assert any(key in errors for key in ("provenance", "topics_source", "centre_provenance"))
