"""Writers holding the same ETag race: exactly one wins, every other gets 412.

Each case makes a fresh row, reads its ETag, then sends ``WRITERS`` PATCHes (or DELETEs)
with that ETag at once, each changing the row in its own way.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.models import Centre, Expert, Forum, ForumSession, Project, Publication, Room, User
from tests import factories as f
from tests.concurrency.conftest import WRITERS

CASES = [
    # name, factory, URL, model, body for writer i, the column that body sets
    ("centre", f.CentreFactory, "/api/v1/centres/{}", Centre, lambda i: {"city": f"Omsk {i}"}),
    ("expert", f.ExpertFactory, "/api/v1/experts/{}", Expert, lambda i: {"biography": f"Bio {i}"}),
    (
        "publication",
        f.PublicationFactory,
        "/api/v1/publications/{}",
        Publication,
        lambda i: {"title": f"Title {i}"},
    ),
    ("project", f.ProjectFactory, "/api/v1/projects/{}", Project, lambda i: {"title": f"P {i}"}),
    ("forum", f.ForumFactory, "/api/v1/forums/{}", Forum, lambda i: {"city": f"Kazan {i}"}),
    ("room", f.RoomFactory, "/api/v1/rooms/{}", Room, lambda i: {"name": f"Room {i}"}),
    (
        "session",
        f.SessionFactory,
        "/api/v1/sessions/{}",
        ForumSession,
        lambda i: {"title": f"Panel {i}"},
    ),
    # Every admin makes the same change: a no-op write would rightly not conflict.
    ("user", f.UserFactory, "/api/v1/users/{}", User, lambda i: {"role": "organiser"}),
]


def _auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def _writer(live, case_url: str, etag: str, body: dict, token: str):
    return lambda client: client.patch(
        case_url, json=body, headers=_auth(token, **{"If-Match": etag})
    )


@pytest.mark.parametrize(
    ("name", "factory", "url", "model", "body"), CASES, ids=[c[0] for c in CASES]
)
def test_one_of_many_writers_with_the_same_etag_wins(live, name, factory, url, model, body):
    row_id = live.commit(factory)
    url = url.format(row_id)
    tokens = live.admins if name == "user" else [live.organiser] * WRITERS
    first = live.app.test_client().get(url, headers=_auth(tokens[0]))
    assert first.status_code == 200, first.get_json()
    etag = first.headers["ETag"]

    answers = live.race([_writer(live, url, etag, body(i), tokens[i]) for i in range(WRITERS)])

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * (WRITERS - 1), [a.get_json() for a in answers]
    winner = next(a for a in answers if a.status_code == 200)
    for loser in (a for a in answers if a.status_code == 412):
        problem = loser.get_json()
        assert set(problem) == {"code", "status", "message", "errors"}
        assert loser.headers["ETag"] == winner.headers["ETag"] != etag
    stored = live.app.test_client().get(url, headers=_auth(tokens[0])).get_json()
    winning_body = body(answers.index(winner))
    assert {k: stored[k] for k in winning_body} == winning_body
    assert live.scalar(sa.select(model.version).where(model.id == row_id)) == 2


def test_the_audit_log_records_one_write(live):
    centre_id = live.commit(f.CentreFactory)
    url = f"/api/v1/centres/{centre_id}"
    etag = live.app.test_client().get(url).headers["ETag"]
    live.race(
        [_writer(live, url, etag, {"city": f"Ufa {i}"}, live.organiser) for i in range(WRITERS)]
    )
    updates = sa.select(sa.func.count()).where(
        AuditEntry.entity_type == "centre",
        AuditEntry.entity_id == centre_id,
        AuditEntry.action == "update",
    )
    assert live.scalar(updates) == 1


def test_concurrent_deletes_with_one_etag_delete_once(live):
    centre_id = live.commit(f.CentreFactory)
    url = f"/api/v1/centres/{centre_id}"
    etag = live.app.test_client().get(url).headers["ETag"]
    answers = live.race(
        [
            lambda client: client.delete(url, headers=_auth(live.organiser, **{"If-Match": etag}))
            for _ in range(WRITERS)
        ]
    )
    statuses = sorted(a.status_code for a in answers)
    # The first deletes; the rest find no such centre any more.
    assert statuses == [204] + [404] * (WRITERS - 1)


def test_concurrent_publish_publishes_once_and_answers_everyone(live):
    def make():
        forum = f.ForumFactory()
        room = f.RoomFactory(forum=forum)
        start = f.dt.datetime(2027, 9, 14, 4, 0, tzinfo=f.dt.UTC)
        for n in range(3):
            session = f.SessionFactory(
                forum=forum,
                room=room,
                starts_at=start + f.dt.timedelta(hours=2 * n),
                ends_at=start + f.dt.timedelta(hours=2 * n + 1),
            )
            for country in ("RU", "KZ"):  # bilateral: an accepted speaker from each side
                expert = f.ExpertFactory(country_code=country)
                f.ParticipationFactory(session=session, expert=expert, status="accepted")
        return forum

    forum_id = live.commit(make)
    url = f"/api/v1/forums/{forum_id}/publish"
    answers = live.race(
        [lambda client: client.post(url, headers=_auth(live.organiser)) for _ in range(WRITERS)]
    )
    assert [a.status_code for a in answers] == [200] * WRITERS, [a.get_json() for a in answers]
    published = sorted(a.get_json()["published_sessions"] for a in answers)
    assert published == [0] * (WRITERS - 1) + [3]


def test_concurrent_claim_approvals_decide_once(live):
    def make():
        claimant = f.UserFactory()
        profile = f.ExpertFactory()
        from app.accounts.models import ProfileClaim

        claim = ProfileClaim(user=claimant, expert_id=profile.id)
        f.db.session.add(claim)
        f.db.session.flush()
        return claim

    claim_id = live.commit(make)
    url = f"/api/v1/claims/{claim_id}/approve"
    answers = live.race(
        [lambda client, t=t: client.post(url, json={}, headers=_auth(t)) for t in live.admins]
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (WRITERS - 1), [a.get_json() for a in answers]


def test_concurrent_answers_to_one_invitation_answer_once(live):
    def make():
        user = f.UserFactory()
        expert = f.ExpertFactory(user=user)
        part = f.ParticipationFactory(expert=expert)
        from app.accounts.models import TokenScope
        from app.accounts.services import create_token

        _, secret = create_token(user, "live", [TokenScope.READ, TokenScope.WRITE], 1)
        return {"part": part, "secret": secret}

    made = live.commit(make)
    url = f"/api/v1/invitations/{made['part']}/accept"
    answers = live.race(
        [lambda client: client.post(url, headers=_auth(made["secret"])) for _ in range(WRITERS)]
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (WRITERS - 1), [a.get_json() for a in answers]


def test_logins_at_once_to_one_account_all_succeed(live):
    """A login writes bookkeeping, not an edit: it must not race other logins."""
    from app.accounts.passwords import hash_password
    from tests.conftest import PASSWORD

    email = live.commit(lambda: f.UserFactory(password_hash=hash_password(PASSWORD)).email)
    body = {"email": email, "password": PASSWORD}
    # Every attempt holds a try until it succeeds (app.accounts.throttle): as many at once
    # as one address may have in flight.
    n = int(live.app.config["RATE_LIMIT_LOGIN_FAILURES_ACCOUNT_ADDRESS"].split()[0])
    answers = live.race(
        [lambda client: client.post("/api/v1/auth/login", json=body) for _ in range(n)]
    )
    assert [a.status_code for a in answers] == [200] * n, [a.get_json() for a in answers]
    assert live.scalar(sa.select(User.last_login_at).where(User.email == email)) is not None
