"""Claiming a seeded profile: ask, admin decides, the link moves, nothing is lost."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import AuditEntry, Authorship, Expert


def shibutov(db_session) -> Expert:
    return db_session.scalars(sa.select(Expert).filter_by(full_name="Marat Shibutov")).one()


def test_claim_approved_moves_the_link_and_keeps_the_profile(caller, make_user, db_session):
    user = make_user()
    own_profile = user.expert.id
    seeded = shibutov(db_session)
    works = db_session.scalar(
        sa.select(sa.func.count()).select_from(Authorship).where(Authorship.expert_id == seeded.id)
    )
    claimant, admin = caller(user), caller(make_user("admin"))

    claim = claimant.post(f"/api/v1/experts/{seeded.id}/claim", json={"message": "It is me."})
    assert claim.status_code == 201
    claim_id = claim.get_json()["id"]
    assert claimant.get("/api/v1/auth/me").get_json()["expert_id"] == own_profile

    decided = admin.post(f"/api/v1/claims/{claim_id}/approve", json={"note": "Checked."})
    assert decided.status_code == 200
    assert decided.get_json()["status"] == "approved"
    assert claimant.get("/api/v1/auth/me").get_json()["expert_id"] == seeded.id

    db_session.expire_all()
    seeded = shibutov(db_session)
    assert seeded.verified and "Шибутов М." in seeded.other_names
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(Authorship)
            .where(Authorship.expert_id == seeded.id)
        )
        == works
    )
    assert db_session.get(Expert, own_profile) is None  # the empty placeholder is gone
    assert db_session.scalars(
        sa.select(AuditEntry).filter_by(action="approve_claim", entity_id=claim_id)
    ).one()
    # The claimant now edits the profile they claimed.
    assert (
        claimant.patch(
            f"/api/v1/experts/{seeded.id}", json={"biography": "Political scientist."}
        ).status_code
        == 200
    )


def test_rejected_claim_changes_nothing(caller, make_user, db_session):
    user = make_user()
    seeded = shibutov(db_session)
    claim_id = caller(user).post(f"/api/v1/experts/{seeded.id}/claim", json={}).get_json()["id"]
    response = caller(make_user("admin")).post(f"/api/v1/claims/{claim_id}/reject", json={})
    assert response.get_json()["status"] == "rejected"
    db_session.expire_all()
    assert shibutov(db_session).user_id is None


def test_claims_are_private_and_decided_once(caller, make_user, db_session):
    seeded = shibutov(db_session)
    owner, stranger, admin = caller(make_user()), caller(make_user()), caller(make_user("admin"))
    claim_id = owner.post(f"/api/v1/experts/{seeded.id}/claim", json={}).get_json()["id"]
    assert stranger.get(f"/api/v1/claims/{claim_id}").status_code == 404
    assert stranger.get("/api/v1/claims").get_json() == []
    assert [c["id"] for c in owner.get("/api/v1/claims").get_json()] == [claim_id]
    assert stranger.post(f"/api/v1/claims/{claim_id}/approve", json={}).status_code == 403
    assert owner.post(f"/api/v1/experts/{seeded.id}/claim", json={}).status_code == 409
    assert admin.post(f"/api/v1/claims/{claim_id}/reject", json={}).status_code == 200
    assert admin.post(f"/api/v1/claims/{claim_id}/approve", json={}).status_code == 409


def test_an_owned_profile_cannot_be_claimed(caller, make_user):
    owned = make_user()
    response = caller(make_user()).post(f"/api/v1/experts/{owned.expert.id}/claim", json={})
    assert response.status_code == 409
    assert (
        caller(owned).post(f"/api/v1/experts/{owned.expert.id}/claim", json={}).status_code == 409
    )
