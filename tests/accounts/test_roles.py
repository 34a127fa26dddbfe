"""Roles and objects: own profile only, admins manage users, no role escalation."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import AuditEntry, User
from tests import factories as f


def test_an_expert_edits_their_own_profile(caller, make_user, db_session):
    user = make_user()
    response = caller(user).patch(
        f"/api/v1/experts/{user.expert.id}",
        json={"biography": "Works on Eurasian integration.", "languages": ["ru", "kk"]},
    )
    assert response.status_code == 200
    assert response.get_json()["biography"] == "Works on Eurasian integration."


def test_an_expert_cannot_edit_another_profile(caller, make_user):
    other = make_user()
    response = caller(make_user()).patch(
        f"/api/v1/experts/{other.expert.id}", json={"biography": "Defaced"}
    )
    assert response.status_code == 403


def test_organisers_edit_unowned_profiles_not_owned_ones(caller, make_user, db_session):
    organiser = caller(make_user("organiser"))
    seeded = f.ExpertFactory()
    owned = make_user().expert
    assert (
        organiser.patch(f"/api/v1/experts/{seeded.id}", json={"birth_year": 1980}).status_code
        == 200
    )
    assert (
        organiser.patch(f"/api/v1/experts/{owned.id}", json={"birth_year": 1980}).status_code == 403
    )


def test_role_and_verified_cannot_be_set_by_their_owner(caller, make_user, db_session):
    user = make_user()
    me = caller(user)
    for body in ({"verified": True}, {"user_id": 99}, {"id": 5}, {"role": "admin"}):
        assert me.patch(f"/api/v1/experts/{user.expert.id}", json=body).status_code == 422
    assert me.patch(f"/api/v1/users/{user.id}", json={"role": "admin"}).status_code == 403
    db_session.expire_all()
    assert db_session.get(User, user.id).role == "expert"
    assert user.expert.verified is False


def test_admins_change_roles_and_it_is_audited(caller, make_user, db_session):
    admin_user = make_user("admin")
    target = make_user()
    response = caller(admin_user).patch(f"/api/v1/users/{target.id}", json={"role": "organiser"})
    assert response.status_code == 200
    assert response.get_json()["role"] == "organiser"
    entry = db_session.scalars(
        sa.select(AuditEntry).filter_by(entity_type="user", entity_id=target.id, action="update")
    ).one()
    assert entry.actor_id == admin_user.id
    assert entry.changes == {"role": ["expert", "organiser"]}


def test_deactivation_cuts_sessions_and_tokens(caller, make_user, app):
    admin = caller(make_user("admin"))
    user = make_user()
    session = caller(user)
    secret = session.post("/api/v1/auth/tokens", json={"name": "s"}).get_json()["token"]
    assert admin.patch(f"/api/v1/users/{user.id}", json={"active": False}).status_code == 200
    assert session.get("/api/v1/auth/me").status_code == 401
    assert caller(token=secret).get("/api/v1/auth/me").status_code == 401
    login = app.test_client().post(
        "/api/v1/auth/login", json={"email": user.email, "password": "steppe-caravan-2030"}
    )
    assert login.status_code == 401


def test_admins_cannot_lock_themselves_out(caller, make_user):
    admin_user = make_user("admin")
    admin = caller(admin_user)
    assert admin.patch(f"/api/v1/users/{admin_user.id}", json={"active": False}).status_code == 409
    assert admin.patch(f"/api/v1/users/{admin_user.id}", json={"role": "expert"}).status_code == 409


def test_users_list_filters_and_paginates(caller, make_user):
    admin = caller(make_user("admin"))
    for _ in range(3):
        make_user("organiser")
    response = admin.get("/api/v1/users?role=organiser&page_size=2")
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    assert '"total": 3' in response.headers["X-Pagination"]


def test_audit_log_is_for_admins(caller, make_user):
    assert caller(make_user()).get("/api/v1/audit").status_code == 403
    assert caller(make_user("organiser")).get("/api/v1/audit").status_code == 403
    response = caller(make_user("admin")).get("/api/v1/audit?entity_type=user")
    assert response.status_code == 200
    assert all(e["entity_type"] == "user" for e in response.get_json())


def test_secrets_never_reach_the_audit_log(caller, make_user, db_session):
    make_user()
    rows = db_session.scalars(sa.select(AuditEntry).filter_by(entity_type="user")).all()
    assert rows
    for row in rows:
        assert row.changes.get("password_hash") in (None, "[redacted]")
        assert row.changes.get("session_token") in (None, "[redacted]")


def test_security_headers_on_every_response(caller, make_user):
    for response in (
        caller().get("/api/v1/health"),
        caller().get("/api/v1/nowhere"),
        caller().get("/api/v1/auth/me"),
    ):
        csp = response.headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


def test_creations_are_audited_with_the_new_id(caller, make_user, db_session):
    organiser_user = make_user("organiser")
    response = caller(organiser_user).post(
        "/api/v1/centres",
        json={"name_en": "Astana Policy Lab", "country": "KZ", "kind": "independent"},
    )
    centre_id = response.get_json()["id"]
    entry = db_session.scalars(
        sa.select(AuditEntry).filter_by(entity_type="centre", entity_id=centre_id, action="create")
    ).one()
    assert entry.actor_id == organiser_user.id
    assert entry.changes["name_en"] == "Astana Policy Lab"
