"""Merging duplicate experts and centres loses nothing."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.models import (
    Affiliation,
    AuditEntry,
    Authorship,
    Centre,
    Expert,
    Participation,
    ProfileClaim,
    ProjectCentre,
)
from tests import factories as f


def test_merging_experts_moves_everything(caller, make_user, db_session):
    admin = caller(make_user("admin"))
    survivor = f.ExpertFactory(full_name="Marat Ospanov", other_names=["M. Ospanov"])
    loser = f.ExpertFactory(
        full_name="Марат Оспанов",
        other_names=[],
        biography="Economist.",
        orcid="0000-0002-1825-0097",
    )
    both = f.PublicationFactory()
    f.AuthorshipFactory(publication=both, expert=survivor, position=1)
    f.AuthorshipFactory(publication=both, expert=loser, position=2)
    own = f.AuthorshipFactory(expert=loser)
    f.AffiliationFactory(expert=loser, start_date=dt.date(2019, 1, 1))
    session = f.SessionFactory()
    f.ParticipationFactory(session=session, expert=survivor, status="invited")
    f.ParticipationFactory(session=session, expert=loser, status="accepted")
    lone = f.ParticipationFactory(expert=loser)
    claim = ProfileClaim(user=make_user(profile=False), expert_id=loser.id)
    db_session.add(claim)
    db_session.flush()
    loser_id = loser.id
    history = list(
        db_session.scalars(
            sa.select(AuditEntry.id).where(
                AuditEntry.entity_type == "expert", AuditEntry.entity_id == loser_id
            )
        )
    )

    response = admin.post(f"/api/v1/experts/{loser_id}/merge", json={"into": survivor.id})
    assert response.status_code == 200
    db_session.expire_all()
    assert db_session.get(Expert, loser_id) is None
    kept = db_session.get(Expert, survivor.id)
    assert "Марат Оспанов" in kept.other_names and "M. Ospanov" in kept.other_names
    assert kept.biography == "Economist." and kept.orcid == "0000-0002-1825-0097"
    assert db_session.get(Authorship, own.id).expert_id == survivor.id
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(Authorship)
            .where(Authorship.publication_id == both.id)
        )
        == 1
    )
    assert [a.centre_id for a in kept.affiliations]
    parts = db_session.scalars(sa.select(Participation).filter_by(expert_id=survivor.id)).all()
    assert {p.session_id for p in parts} == {session.id, lone.session_id}
    assert next(p for p in parts if p.session_id == session.id).status == "accepted"
    assert db_session.get(ProfileClaim, claim.id).expert_id == survivor.id
    assert history
    assert {db_session.get(AuditEntry, i).entity_id for i in history} == {survivor.id}
    assert db_session.scalars(sa.select(AuditEntry).filter_by(action="merge")).one()
    assert (
        admin.get("/api/v1/experts", query_string={"q": "Марат Оспанов"}).get_json()[0]["id"]
        == survivor.id
    )


def test_merging_centres_moves_people_works_projects_and_units(caller, make_user, db_session):
    admin = caller(make_user("admin"))
    survivor, loser = f.CentreFactory(acronym="KazISS"), f.CentreFactory(acronym="КИСИ")
    unit = f.CentreFactory(parent=loser)
    aff = f.AffiliationFactory(centre=loser)
    authorship = f.AuthorshipFactory(centre=loser)
    shared = f.ProjectCentreFactory(centre=survivor).project
    f.ProjectCentreFactory(project=shared, centre=loser)
    other = f.ProjectCentreFactory(centre=loser).project
    db_session.flush()
    loser_id = loser.id
    response = admin.post(f"/api/v1/centres/{loser_id}/merge", json={"into": survivor.id})
    assert response.status_code == 200
    db_session.expire_all()
    assert db_session.get(Centre, loser_id) is None
    assert db_session.get(Affiliation, aff.id).centre_id == survivor.id
    assert db_session.get(Authorship, authorship.id).centre_id == survivor.id
    assert db_session.get(Centre, unit.id).parent_id == survivor.id
    projects = set(
        db_session.scalars(sa.select(ProjectCentre.project_id).filter_by(centre_id=survivor.id))
    )
    assert projects == {shared.id, other.id}
    assert "КИСИ" in db_session.get(Centre, survivor.id).alt_names


def test_merge_is_for_admins_and_refuses_nonsense(caller, make_user, db_session):
    a, b = f.ExpertFactory(), f.ExpertFactory()
    db_session.flush()
    assert (
        caller(make_user("organiser"))
        .post(f"/api/v1/experts/{a.id}/merge", json={"into": b.id})
        .status_code
        == 403
    )
    admin = caller(make_user("admin"))
    assert admin.post(f"/api/v1/experts/{a.id}/merge", json={"into": a.id}).status_code == 409
    assert admin.post(f"/api/v1/experts/{a.id}/merge", json={"into": 999999}).status_code == 404
    owned_a, owned_b = make_user(), make_user()
    assert (
        admin.post(
            f"/api/v1/experts/{owned_a.expert.id}/merge", json={"into": owned_b.expert.id}
        ).status_code
        == 409
    )
