"""Recommendations: who could close a gap, why, and turning a proposal into a session."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Topic
from seeds.loader import read
from tests import factories as f
from tests.reports.helpers import TODAY


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


def centre_ids(proposal):
    """The proposal's two centres (None for an expert without a current centre)."""
    return tuple((proposal[side] or {}).get("id") for side in ("ru_centre", "kz_centre"))


def for_gap(rows, gap):
    return [
        r
        for r in rows
        if r["gap"] != "without_centre" and centre_ids(r) == (gap["ru"].id, gap["kz"].id)
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


def test_a_coined_acronym_is_spelt_out_in_reasons_and_titles(gap, caller, make_user, db_session):
    gap["kz"].acronym_source = "coined"
    db_session.flush()
    [proposal] = for_gap(proposals(caller, make_user, gap["forum"]), gap)
    name = gap["kz"].name_en
    assert proposal["reasons"][0] == f"RWI and {name} have never worked together"
    assert proposal["session"]["title"].endswith(f"RWI and {name}")
    assert "KWI" not in json.dumps(proposal["reasons"]) + proposal["session"]["title"]


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
    [row] = [
        r for r in rows if r["ru_centre.id"] == str(gap["ru"].id) and r["gap"] != "without_centre"
    ]
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
    [cell] = [
        c for c in cells if c["ru_centre.id"] == gap["ru"].id and c["gap"] != "without_centre"
    ]
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


# -- experts without a current centre -----------------------------------------------------

NAMED_VOICES = {"Daniyar Ashimbayev", "Eduard Poletayev", "Gulmira Ileuova"}


def seeded_topics(full_name):
    (person,) = [e for e in read("experts") if e["full_name"] == full_name]
    return set(person["topics"]), bool(person.get("affiliations"))


def test_on_the_seeds_the_report_s_balanced_voices_are_proposed(caller, make_user):
    """The report names three Kazakh analysts who publish evenly on Russia; none has a
    centre, so no centre gap can reach them: they come as experts without a centre."""
    forum = f.ForumFactory()
    rows = proposals(caller, make_user, forum, per_gap=2)
    names = {r["kz_expert"]["full_name"] for r in rows if r["gap"] == "without_centre"}
    assert names & NAMED_VOICES
    for row in rows:
        if row["kz_expert"]["full_name"] not in NAMED_VOICES:
            continue
        kz_topics, affiliated = seeded_topics(row["kz_expert"]["full_name"])
        ru_topics, _ = seeded_topics(row["ru_expert"]["full_name"])
        assert not affiliated and row["kz_centre"] is None
        # Where their topics fit: every shared topic is on both seeded profiles.
        slugs = {t.id: t.slug for t in db.session.scalars(sa.select(Topic))}
        assert {slugs[t] for t in row["shared_topic_ids"]} <= kz_topics & ru_topics
        assert row["shared_topic_ids"]
        name = row["kz_expert"]["full_name"]
        assert f"{name} has no current centre, so no centre gap can propose them" in row["reasons"]


def test_a_contact_cut_before_the_cutoff_is_proposed_for_renewal(caller, make_user):
    """Malyarchuk (no centre) wrote with Shibutov in December 2018, nothing since."""
    rows = proposals(caller, make_user, f.ForumFactory(), per_gap=5)
    [renewal] = [
        r
        for r in rows
        if (r["ru_expert"]["full_name"], r["kz_expert"]["full_name"])
        == ("N. Malyarchuk", "Marat Shibutov")
    ]
    assert renewal["gap"] == "without_centre"
    # Neither has a centre on the day: Shibutov's institute is undated and not assumed.
    assert renewal["ru_centre"] is None and renewal["kz_centre"] is None
    assert (
        "N. Malyarchuk and Marat Shibutov last worked together on 2018-12-10, "
        "before the pandemic" in renewal["reasons"]
    )


def test_shared_history_counts_and_a_recent_tie_rules_a_pair_out(
    gap, caller, make_user, db_session
):
    """The former staffer (no centre now) and Aigerim: both sat with Ivan; a recent joint
    text with Aigerim means they need no introduction."""
    session = f.SessionFactory(
        starts_at=dt.datetime(2023, 5, 1, 8, tzinfo=dt.UTC),
        ends_at=dt.datetime(2023, 5, 1, 9, tzinfo=dt.UTC),
        status="published",
    )
    for person in ("ivan", "former"):
        f.ParticipationFactory(session=session, expert=gap[person], status="accepted")
    paper = f.PublicationFactory(year=2022, published_on=dt.date(2022, 3, 1))
    f.AuthorshipFactory(publication=paper, expert=gap["ivan"], centre=None, position=1)
    f.AuthorshipFactory(publication=paper, expert=gap["aigerim"], centre=None, position=2)
    db_session.flush()

    def loose():
        return [
            r
            for r in proposals(caller, make_user, gap["forum"], per_gap=5)
            if r["gap"] == "without_centre" and r["ru_expert"]["id"] == gap["former"].id
        ]

    [proposal] = [r for r in loose() if r["kz_expert"]["id"] == gap["aigerim"].id]
    assert "both have written or sat in sessions with Ivan Petrov" in proposal["reasons"]
    assert proposal["kz_centre"]["acronym"] == "KWI"
    recent = f.PublicationFactory(year=TODAY.year, published_on=TODAY)
    for position, person in enumerate(("former", "aigerim"), 1):
        f.AuthorshipFactory(publication=recent, expert=gap[person], centre=None, position=position)
    db_session.flush()
    assert [r for r in loose() if r["kz_expert"]["id"] == gap["aigerim"].id] == []


def test_a_proposal_without_a_centre_applies_as_a_session(caller, make_user):
    forum = f.ForumFactory()
    rows = proposals(caller, make_user, forum)
    [proposal, *_] = [r for r in rows if r["gap"] == "without_centre"]
    organiser = caller(make_user("organiser"))
    created = organiser.post("/api/v1/reports/recommendations/apply", json=proposal["session"])
    assert created.status_code == 201, created.get_json()
    seated = [p["expert_id"] for p in created.get_json()["participants"]]
    assert seated == [proposal["ru_expert"]["id"], proposal["kz_expert"]["id"]]
