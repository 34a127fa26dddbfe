"""The conflict report for a big forum: 500 sessions, 2,000 participations.

    .venv/bin/python -m bench.conflicts [--database-url URL] [--rounds 30]

The forum is added to the full synthetic network (whose other forums' sessions the
double-booking check must also search), timed as whole requests
``GET /api/v1/forums/<id>/conflicts`` by an organiser's token, then removed.
Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

import sqlalchemy as sa

from bench.common import full_network

SESSIONS, PARTICIPATIONS, ROOMS, DAYS = 500, 2_000, 8, 3


def build_forum(rng: random.Random) -> tuple[int, str]:
    """A forum with sessions spread over rooms and days, and an organiser's token."""
    from app.accounts.models import Role, TokenScope, User
    from app.accounts.services import create_token
    from app.experts.models import Expert
    from app.extensions import db
    from app.forums.models import Forum, ForumSession, Participation, Room

    forum = Forum(
        title="Bench forum",
        year=2029,
        host_country="KZ",
        start_date=dt.date(2029, 9, 10),
        end_date=dt.date(2029, 9, 10 + DAYS - 1),
        timezone="Asia/Almaty",
    )
    rooms = [
        Room(forum=forum, name=f"Hall {n}", capacity=rng.randint(40, 400)) for n in range(ROOMS)
    ]
    db.session.add_all([forum, *rooms])
    base = dt.datetime(2029, 9, 10, 4, tzinfo=dt.UTC)
    sessions = []
    for n in range(SESSIONS):
        start = base + dt.timedelta(days=rng.randrange(DAYS), minutes=30 * rng.randrange(18))
        sessions.append(
            ForumSession(
                forum=forum,
                title=f"Bench session {n}",
                format="panel",
                room=rng.choice(rooms),
                expected_audience=rng.randint(20, 300),
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=90),
                duration_minutes=90,
            )
        )
    db.session.add_all(sessions)
    experts = list(db.session.scalars(sa.select(Expert.id).order_by(Expert.id).limit(3_000)))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < PARTICIPATIONS:
        pairs.add((rng.randrange(SESSIONS), rng.choice(experts)))
    db.session.flush()
    db.session.add_all(
        Participation(
            session_id=sessions[s].id,
            expert_id=e,
            role=rng.choice(["speaker", "speaker", "moderator", "discussant"]),
            status=rng.choice(["invited", "accepted", "accepted", "declined"]),
        )
        for s, e in pairs
    )
    organiser = User(email="bench-organiser@example.org", role=Role.ORGANISER, password_hash="x")
    db.session.add(organiser)
    db.session.flush()
    _, secret = create_token(organiser, "bench", [TokenScope.READ], 1)
    db.session.commit()
    return forum.id, secret


def remove(forum_id: int) -> None:
    from app.accounts.models import User
    from app.extensions import db
    from app.forums.models import Forum

    db.session.delete(db.session.get(Forum, forum_id))
    db.session.execute(sa.delete(User).filter_by(email="bench-organiser@example.org"))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=30)
    opts = parser.parse_args()
    url = full_network(opts.database_url)
    os.environ.update(DATABASE_URL=url, FLASK_CONFIG="development")
    from app import create_app
    from app.core.heap import freeze_startup_objects
    from app.extensions import db

    app = create_app()
    freeze_startup_objects()  # as wsgi.py does
    client = app.test_client()
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM users WHERE email = 'bench-organiser@example.org'"))
        db.session.commit()
        forum_id, secret = build_forum(random.Random(5))
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        url_path = f"/api/v1/forums/{forum_id}/conflicts"
        first = client.get(url_path, headers=headers)  # warm: compiles the statements
        assert first.status_code == 200, first.get_json()
        timings = []
        for _ in range(opts.rounds):
            started = time.perf_counter()
            response = client.get(url_path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        body = response.get_json()
    finally:
        with app.app_context():
            remove(forum_id)
    kinds: dict[str, int] = {}
    for conflict in body["conflicts"]:
        kinds[conflict["kind"]] = kinds.get(conflict["kind"], 0) + 1
    print(
        f"database   {url.split(':')[0]}   forum of {SESSIONS} sessions, "
        f"{PARTICIPATIONS} participations, {opts.rounds} requests"
    )
    print(
        f"conflicts  {len(body['conflicts'])} found: "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    cuts = statistics.quantiles(timings, n=20)
    print(
        f"latency    p50 {statistics.median(timings):6.1f} ms   p95 {cuts[18]:6.1f} ms   "
        f"max {max(timings):6.1f} ms"
    )
    print("target     under 300 ms")


if __name__ == "__main__":
    main()
