"""Recommendations: who could close a gap, why, and turning a proposal into a session."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from tests import factories as f


@pytest.fixture
def gap(db_session):
    """A Russian and a Kazakh centre on one topic that never worked together, with people."""
    topic = f.TopicFactory(name_en="Water of the Irtysh")
    other = f.TopicFactory(name_en="Space")
    ru = f.CentreFactory(country_code="RU", acronym="RWI", topics=[topic])
    kz = f.CentreFactory(country_code="KZ", acronym="KWI", topics=[topic])
    people = {
        "ivan": f.ExpertFactory(full_name="Ivan Petrov", country_code="RU", topics=[topic]),
        "pavel": f.ExpertFactory(full_name="Pavel Orlov", country_code="RU", topics=[other]),
        "former": f.ExpertFactory(full_name="Former Staff", country_code="RU", topics=[topic]),
        "aigerim": f.ExpertFactory(
            full_name="Aigerim Sadykova", country_code="KZ", birth_year=1991, topics=[topic]
        ),
    }
    for name in ("ivan", "pavel"):
        f.AffiliationFactory(expert=people[name], centre=ru)
    f.AffiliationFactory(expert=people["former"], centre=ru, end_date=dt.date(2021, 1, 1))
    f.AffiliationFactory(expert=people["aigerim"], centre=kz)
    forum = f.ForumFactory()
    db_session.flush()
    return {"topic": topic, "ru": ru, "kz": kz, "forum": forum, **people}


def proposals(caller, make_user, forum, **query):
    response = caller(make_user("organiser")).get(
        "/api/v1/reports/recommendations", query_string={"forum": forum.id, "gaps": 200, **query}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["rows"]


def for_gap(rows, gap):
    return [
        r
        for r in rows
        if (r["ru_centre"]["id"], r["kz_centre"]["id"]) == (gap["ru"].id, gap["kz"].id)
    ]


def test_the_pair_who_could_close_a_gap(gap, caller, make_user):
    [proposal] = for_gap(proposals(caller, make_user, gap["forum"], per_gap=5), gap)
    # Pavel shares no topic; the former staffer has left the centre.
    assert (proposal["ru_expert"]["full_name"], proposal["kz_expert"]["full_name"]) == (
        "Ivan Petrov",
        "Aigerim Sadykova",
    )
    assert proposal["gap"] == "never"
    assert proposal["shared_topic_ids"] == [gap["topic"].id]
    assert proposal["reasons"] == [
        "RWI and KWI have never worked together",
        "both work on Water of the Irtysh",
        "Ivan Petrov and Aigerim Sadykova have never written or sat in a session together",
        "Aigerim Sadykova (born 1991) is of the new Kazakh generation",
    ]
    assert proposal["session"]["participants"] == [
        {"expert_id": gap["ivan"].id, "role": "speaker"},
        {"expert_id": gap["aigerim"].id, "role": "speaker"},
    ]


def _export(caller, make_user, forum, fmt):
    response = caller(make_user("organiser")).get(
        "/api/v1/reports/recommendations",
        query_string={"forum": forum.id, "gaps": 200, "format": fmt},
    )
    assert response.status_code == 200
    return response


def test_proposals_export_as_readable_cells(gap, caller, make_user):
    [proposal] = for_gap(proposals(caller, make_user, gap["forum"]), gap)
    text = _export(caller, make_user, gap["forum"], "csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    [row] = [r for r in rows if r["ru_centre.id"] == str(gap["ru"].id)]
    assert row["shared_topic_ids"] == str(gap["topic"].id)
    assert row["reasons"] == "; ".join(proposal["reasons"])
    assert row["session.title"] == proposal["session"]["title"]
    assert json.loads(row["session.participants"]) == proposal["session"]["participants"]

    book = openpyxl.load_workbook(io.BytesIO(_export(caller, make_user, gap["forum"], "xlsx").data))
    sheet = book["recommendations"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    cells = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    [cell] = [c for c in cells if c["ru_centre.id"] == gap["ru"].id]
    assert json.loads(cell["session.participants"]) == proposal["session"]["participants"]


def test_people_who_wrote_together_are_not_proposed(gap, caller, make_user, db_session):
    publication = f.PublicationFactory(
        year=2012
    )  # before either joined: ties the two, not the centres
    f.AuthorshipFactory(publication=publication, expert=gap["ivan"], centre=None, position=1)
    f.AuthorshipFactory(publication=publication, expert=gap["aigerim"], centre=None, position=2)
    db_session.flush()
    assert for_gap(proposals(caller, make_user, gap["forum"]), gap) == []


def test_people_already_together_in_the_forum_are_not_proposed(gap, caller, make_user):
    session = f.SessionFactory(forum=gap["forum"])
    for person in ("ivan", "aigerim"):
        f.ParticipationFactory(session=session, expert=gap[person])
    assert for_gap(proposals(caller, make_user, gap["forum"]), gap) == []


def test_apply_makes_a_draft_session_and_sends_the_invitations(gap, caller, make_user, db_session):
    user = make_user(profile=False)
    gap["aigerim"].user = user
    db_session.flush()
    organiser = caller(make_user("organiser"))
    [proposal] = for_gap(proposals(caller, make_user, gap["forum"]), gap)
    created = organiser.post("/api/v1/reports/recommendations/apply", json=proposal["session"])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "draft" and body["forum_id"] == gap["forum"].id
    assert body["topic_ids"] == [gap["topic"].id]
    assert [(p["expert_id"], p["status"]) for p in body["participants"]] == [
        (gap["ivan"].id, "invited"),
        (gap["aigerim"].id, "invited"),
    ]
    mine = caller(user).get("/api/v1/me/invitations").get_json()
    assert [i["session_id"] for i in mine] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"participants": []}, 422),
        ({"forum_id": 2_000_000}, 404),
        ({"format": "banquet"}, 422),
    ],
)
def test_apply_refuses_bad_bodies_and_writes_nothing(gap, caller, make_user, change, status):
    organiser = caller(make_user("organiser"))
    body = {
        "forum_id": gap["forum"].id,
        "title": "Water",
        "format": "roundtable",
        "participants": [
            {"expert_id": gap["ivan"].id, "role": "speaker"},
            {"expert_id": gap["aigerim"].id, "role": "speaker"},
        ],
    } | change
    assert organiser.post("/api/v1/reports/recommendations/apply", json=body).status_code == status
    sessions = organiser.get(f"/api/v1/forums/{gap['forum'].id}/sessions").get_json()
    assert sessions == []


def test_an_unknown_expert_rolls_the_whole_session_back(gap, caller, make_user):
    organiser = caller(make_user("organiser"))
    body = {
        "forum_id": gap["forum"].id,
        "title": "Water",
        "format": "roundtable",
        "participants": [
            {"expert_id": gap["ivan"].id, "role": "speaker"},
            {"expert_id": 2_000_000, "role": "speaker"},
        ],
    }
    assert organiser.post("/api/v1/reports/recommendations/apply", json=body).status_code == 404
    assert organiser.get(f"/api/v1/forums/{gap['forum'].id}/sessions").get_json() == []


def test_an_unverified_registration_is_never_proposed(gap, caller, make_user, db_session):
    """A profile stays private until its owner verifies the address: not in reports either."""
    gap["ivan"].user = f.UserFactory(email_verified_at=None)
    db_session.flush()
    # Ivan was the only Russian who could close it (test_the_pair_who_could_close_a_gap).
    assert for_gap(proposals(caller, make_user, gap["forum"], per_gap=5), gap) == []
